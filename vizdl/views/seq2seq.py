"""What the encoder–decoder transformer diagram shows: both stacks, their sublayers and the memory arrows.

Built from :class:`vizdl.ops.seq2seq.TransformerStructure` (read from a real
``nn.Transformer``). The layout is the classic one, bottom-up, encoder on the left and
decoder on the right:

- the source and target embeddings (+ positional encoding) at the bottom, with the shapes
  of the vectors the first layers received when the structure was traced;
- layer 1 of each stack drawn in full inside a frame — encoder: self-attention,
  add & norm, feed-forward, add & norm; decoder: masked self-attention, add & norm,
  cross-attention, add & norm, feed-forward, add & norm (pre-LN layers, ``norm_first``,
  put the norm before each sublayer and an add after it) — with a residual arrow around
  every sublayer; the other layers as bars above it, the frame's header saying ``×N``;
- the final layer norm of each stack, the output linear layer and softmax;
- one ``memory`` arrow from the encoder output to the cross-attention of *every* decoder
  layer (the queries come from the decoder, the keys and values from the encoder).

Every element carries a theme role (``embedding``, ``attention``, ``cross_attention``,
``norm``, ``feed_forward``, ``projection``, ``panel``; arrows ``ink``, ``residual``,
``memory``) and every number is text already. The story: the encoder reads the source;
the decoder's masked self-attention; cross-attention; the output probabilities.

>>> from vizdl.ops.seq2seq import small_transformer, transformer_structure
>>> view = transformer_view(transformer_structure(small_transformer()))
>>> [s.name for s in view.story]
['encoder', 'masked-self-attention', 'cross-attention', 'output']
>>> view.box("enc-0-attn").detail.text, [a.target for a in view.memory_arrows()]
('4 heads, d_k = 8', ['dec-0-cross-attn', 'dec-1'])
"""
from __future__ import annotations

from dataclasses import dataclass

from vizdl.styles.theme import fmt
from vizdl.views.base import Label, Step, Story

BOX_W = 7.2
BOX_H = 0.62
#: Distance between the centres of two sublayer boxes inside a layer's frame.
PITCH = 0.95
#: Room inside a frame: under the first box, above the last one (the header), beside the boxes.
FRAME_PAD, FRAME_HEAD, RESIDUAL_MARGIN, INNER_MARGIN = 0.3, 0.7, 0.6, 0.3
BAR_H = 0.5
GAP = 0.5
#: Between two bars (the layers after the first).
BAR_GAP = 0.3
#: Between the encoder's and the decoder's frames, where the memory arrows run.
GUTTER = 2.8
#: Beside each stack, on its outer side, for the details (heads, d_ff, shapes).
DETAIL_W = 3.0

#: Sublayers of one layer: (id, text, role); "add" closes the residual of its group.
SUBLAYERS = {
    "encoder": (("attn", "self-attention", "attention"), ("ff", "feed-forward", "feed_forward")),
    "decoder": (("masked-attn", "masked self-attention", "attention"),
                ("cross-attn", "cross-attention", "cross_attention"), ("ff", "feed-forward", "feed_forward")),
}


@dataclass(frozen=True)
class Box:
    """A rectangle with a label inside and an optional detail beside it.

    Attributes
    ----------
    id : str
    x, y : float
        Centre, in layout units.
    width, height : float
    role : str
        Fill role.
    label : Label or None
        Written inside.
    detail : Label or None
        Written beside the box on its stack's outer side (``"4 heads, d_k = 8"``).
    detail_x : float
        Where the detail is written (its vertical centre is ``y``).
    detail_align : {"left", "right"}
        Which end of the detail's text is at ``detail_x``.
    label_dy : float
        The label's centre is ``label_dy`` above the box's centre (a frame writes it in its header).
    """

    id: str
    x: float
    y: float
    width: float
    height: float
    role: str
    label: Label | None = None
    detail: Label | None = None
    detail_x: float = 0.0
    detail_align: str = "left"
    label_dy: float = 0.0

    @property
    def left(self) -> float:
        """Left edge."""
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        """Right edge."""
        return self.x + self.width / 2

    @property
    def bottom(self) -> float:
        """Bottom edge."""
        return self.y - self.height / 2

    @property
    def top(self) -> float:
        """Top edge."""
        return self.y + self.height / 2


@dataclass(frozen=True)
class Arrow:
    """A polyline with an arrow head at its last point.

    Attributes
    ----------
    id : str
    points : tuple of (float, float)
        In layout units.
    kind : {"flow", "residual", "memory"}
    source, target : str
        Ids of the elements it joins (``"memory"``: the encoder output).
    role : str
        Stroke role.
    """

    id: str
    points: tuple
    kind: str
    source: str
    target: str
    role: str = "ink"


@dataclass(frozen=True)
class Note:
    """A label at a point: ``align`` says which side of the text the point is (``left``, ``right``, ``center``)."""

    id: str
    x: float
    y: float
    label: Label
    align: str = "center"


@dataclass(frozen=True)
class TransformerView:
    """Frames, boxes, arrows and notes of the diagram, and its story."""

    title: Label
    frames: tuple
    boxes: tuple
    arrows: tuple
    notes: tuple
    story: Story

    def box(self, box_id: str) -> Box:
        """The box (or frame) ``box_id``."""
        for box in self.frames + self.boxes:
            if box.id == box_id:
                return box
        raise KeyError(f"no box {box_id!r}; known: {', '.join(b.id for b in self.frames + self.boxes)}")

    def memory_arrows(self) -> list:
        """The arrows from the encoder output into the decoder layers, in layer order."""
        return [a for a in self.arrows if a.kind == "memory"]

    def labels(self) -> list:
        """Every label the picture writes (title, box labels and details, notes)."""
        boxes = [lab for b in self.frames + self.boxes for lab in (b.label, b.detail) if lab is not None]
        return [self.title] + boxes + [n.label for n in self.notes]

    def bounds(self) -> tuple:
        """``(x0, x1, y0, y1)`` of the layout, the detail columns included."""
        xs = [v for b in self.frames + self.boxes for v in (b.left, b.right)] + [n.x for n in self.notes]
        ys = [v for b in self.frames + self.boxes for v in (b.bottom, b.top)] + [n.y for n in self.notes]
        return min(xs) - DETAIL_W, max(xs) + DETAIL_W, min(ys) - 0.4, max(ys) + 0.4


class _Layout:
    """Accumulates the elements of one stack, bottom-up, and the step each belongs to."""

    def __init__(self, kind: str, x0: float, outer: str):
        self.kind, self.prefix, self.outer = kind, kind[:3], outer
        self.frame_left, self.frame_right = x0, x0 + RESIDUAL_MARGIN + BOX_W + INNER_MARGIN
        box_left = x0 + (INNER_MARGIN if outer == "right" else RESIDUAL_MARGIN)
        self.cx = box_left + BOX_W / 2
        self.residual_x = (x0 + RESIDUAL_MARGIN / 2 if outer == "left"
                           else box_left + BOX_W + RESIDUAL_MARGIN / 2)
        self.frames, self.boxes, self.arrows, self.notes = [], [], [], []
        self.step_of: dict = {}

    def detail_x(self) -> tuple:
        """``(x, align)`` of the details on the outer side."""
        if self.outer == "left":
            return self.frame_left - 0.25, "right"
        return self.frame_right + 0.25, "left"

    def add_box(self, box: Box, step: str, after: Box | None = None) -> Box:
        """Add ``box`` (and a flow arrow from ``after``'s top to its bottom)."""
        self.boxes.append(box)
        self.step_of[box.id] = step
        if after is not None:
            self.add_arrow(Arrow(f"flow:{after.id}->{box.id}", ((self.cx, after.top), (self.cx, box.bottom)),
                                 "flow", after.id, box.id), step)
        return box

    def add_arrow(self, arrow: Arrow, step: str) -> None:
        """Add ``arrow``, revealed at ``step``."""
        self.arrows.append(arrow)
        self.step_of[arrow.id] = step

    def add_note(self, note: Note, step: str) -> None:
        """Add ``note``, revealed at ``step``."""
        self.notes.append(note)
        self.step_of[note.id] = step


def transformer_view(structure, *, title: str = "") -> TransformerView:
    """The view of an encoder–decoder transformer (:class:`vizdl.ops.seq2seq.TransformerStructure`)."""
    encoder = _Layout("encoder", 0.0, "left")
    decoder = _Layout("decoder", encoder.frame_right + GUTTER, "right")
    shapes = structure.shapes
    enc_top = _stack(encoder, structure.encoder, shapes, "encoder")
    dec_top = _stack(decoder, structure.decoder, shapes, "masked-self-attention")
    _memory(encoder, decoder, structure, shapes, enc_top)
    _output(decoder, shapes, dec_top)
    layouts = (encoder, decoder)
    steps = _story(structure, layouts)
    text = title or (f"Encoder\u2013decoder transformer: d_model = {structure.d_model}, "
                     f"{structure.encoder.num_layers} + {structure.decoder.num_layers} layers")
    return TransformerView(Label(text, size="title"), tuple(f for lay in layouts for f in lay.frames),
                           tuple(b for lay in layouts for b in lay.boxes),
                           tuple(a for lay in layouts for a in lay.arrows),
                           tuple(n for lay in layouts for n in lay.notes), steps)


def _stack(lay: _Layout, stack, shapes, first_step: str) -> Box:
    """Embedding, layer 1 in full, the other layers as bars, the final norm; returns the top box."""
    which = "source" if lay.kind == "encoder" else "target"
    embedding = lay.add_box(Box(f"{lay.prefix}-embedding", lay.cx, 0.0, BOX_W, BOX_H, "embedding",
                                Label("embedding + positions"), _shape_detail(shapes, which),
                                *lay.detail_x()), first_step)
    below = "source tokens" if lay.kind == "encoder" else "target tokens (shifted right)"
    lay.add_note(Note(f"{lay.prefix}-input", lay.cx, -BOX_H / 2 - 0.35, Label(below, "muted", size="small")),
                 first_step)
    frame = _first_layer(lay, stack, embedding, first_step)
    last = frame
    for k in range(1, stack.num_layers):
        step = "encoder" if lay.kind == "encoder" else "cross-attention"
        bar = Box(f"{lay.prefix}-{k}", (lay.frame_left + lay.frame_right) / 2,
                  last.top + (GAP if k == 1 else BAR_GAP) + BAR_H / 2, lay.frame_right - lay.frame_left, BAR_H,
                  "panel", Label(f"{lay.kind} layer {k + 1}", size="small"))
        last = lay.add_box(bar, step, after=last)
    if stack.final_norm:
        step = "encoder" if lay.kind == "encoder" else "cross-attention"
        last = lay.add_box(Box(f"{lay.prefix}-final-norm", lay.cx, last.top + GAP + BOX_H / 2, BOX_W, BOX_H,
                               "norm", Label("layer norm")), step, after=last)
    return last


def _first_layer(lay: _Layout, stack, below: Box, first_step: str) -> Box:
    """Layer 1 in full inside its frame: the sublayers, their residual arrows and the header."""
    spec = stack.layer
    bottom = below.top + GAP
    y = bottom + FRAME_PAD + BOX_H / 2
    previous = below
    for sub_id, text, role in SUBLAYERS[lay.kind]:
        step = _sublayer_step(lay.kind, sub_id, first_step)
        group = _group(sub_id, text, role, spec, stack.kind, first=previous is below)
        entry = y - BOX_H / 2 - (PITCH - BOX_H) / 2  # on the flow, just under the group
        for box_id, label, box_role, detail in group:
            box = Box(f"{lay.prefix}-0-{box_id}", lay.cx, y, BOX_W, BOX_H, box_role, Label(label), detail,
                      *lay.detail_x())
            previous = lay.add_box(box, step, after=previous)
            y += PITCH
        _residual(lay, entry, previous, step)
    top = previous.top + FRAME_HEAD
    norm = "pre-LN" if spec.norm_first else "post-LN"
    frame = Box(f"{lay.prefix}-0", (lay.frame_left + lay.frame_right) / 2, (bottom + top) / 2,
                lay.frame_right - lay.frame_left, top - bottom, "panel",
                Label(f"{lay.kind} layer 1 \u00b7 {norm}", "muted", size="small"),
                label_dy=(top - bottom) / 2 - FRAME_HEAD / 2)
    lay.frames.append(frame)
    lay.step_of[frame.id] = first_step
    x, align = lay.detail_x()
    lay.add_note(Note(f"{lay.prefix}-count", x, frame.top - FRAME_HEAD / 2,
                      Label(f"\u00d7{stack.num_layers}", size="title"), align), first_step)
    return frame


def _group(sub_id: str, text: str, role: str, spec, kind: str, first: bool = False) -> list:
    """``(id, label, role, detail)`` of a sublayer's boxes: post-LN ``[sublayer, add & norm]``, pre-LN
    ``[norm, sublayer, add]``; the ``first`` group's add says the dropout applied before it."""
    n = {"attn": 1, "masked-attn": 1, "cross-attn": 2, "ff": 2 if kind == "encoder" else 3}[sub_id]
    detail = Label(_detail(sub_id, spec), "muted", size="small")
    dropout = Label(f"dropout p = {fmt(spec.dropout, 2)}", "muted", size="small") if first else None
    if spec.norm_first:
        return [(f"norm-{n}", "layer norm", "norm", None), (sub_id, text, role, detail),
                (f"add-{n}", "add (residual)", "cell", dropout)]
    return [(sub_id, text, role, detail), (f"add-norm-{n}", "add & norm", "norm", dropout)]


def _detail(sub_id: str, spec) -> str:
    """``4 heads, d_k = 8`` or ``d_ff = 64, relu``."""
    if sub_id == "ff":
        return f"d_ff = {spec.dim_feedforward}, {spec.activation}"
    return f"{spec.nhead} heads, d_k = {spec.d_k}"


def _sublayer_step(kind: str, sub_id: str, first_step: str) -> str:
    """Encoder sublayers come with the encoder; the decoder's after the masked self-attention."""
    if kind == "encoder" or sub_id == "masked-attn":
        return first_step
    return "cross-attention"


def _residual(lay: _Layout, entry_y: float, add: Box, step: str) -> None:
    """The skip connection: from the flow under the group, along the outer margin, into the add box."""
    side = add.left if lay.outer == "left" else add.right
    points = ((lay.cx, entry_y), (lay.residual_x, entry_y), (lay.residual_x, add.y), (side, add.y))
    lay.add_arrow(Arrow(f"residual:{add.id}", points, "residual", add.id, add.id, "residual"), step)


def _shape_detail(shapes, which: str) -> Label | None:
    """``S × d_model = 6 × 32`` from the traced shapes (None when untraced)."""
    if shapes is None:
        return None
    shape = shapes.src if which == "source" else shapes.tgt
    letter = "S" if which == "source" else "T"
    return Label(f"{letter} \u00d7 d_model = {shape[0]} \u00d7 {shape[1]}", "muted", size="small")


def _memory(encoder: _Layout, decoder: _Layout, structure, shapes, enc_top: Box) -> None:
    """The encoder output, and one arrow from it into the cross-attention of every decoder layer."""
    y = enc_top.top + GAP + 0.2
    size = f": {shapes.memory[0]} \u00d7 {shapes.memory[1]}" if shapes is not None else ""
    encoder.add_note(Note("memory-note", encoder.cx, y + 0.4, Label(f"encoder output (memory){size}", "memory",
                                                                      size="small")), "encoder")
    bus = encoder.frame_right + GUTTER / 2
    targets = [decoder.boxes[_index(decoder, "dec-0-cross-attn")]] + [
        b for b in decoder.boxes if b.id in {f"dec-{k}" for k in range(1, structure.decoder.num_layers)}]
    for target in targets:
        points = ((encoder.cx, enc_top.top), (encoder.cx, y), (bus, y), (bus, target.y), (target.left, target.y))
        decoder.add_arrow(Arrow(f"memory:{target.id}", points, "memory", "memory", target.id, "memory"),
                          "cross-attention")
    first = targets[0]
    decoder.add_note(Note("memory-kv", bus + 0.2, first.y + 0.3, Label("K, V", "memory", size="small"), "left"),
                     "cross-attention")


def _index(lay: _Layout, box_id: str) -> int:
    return [b.id for b in lay.boxes].index(box_id)


def _output(decoder: _Layout, shapes, top: Box) -> None:
    """Linear layer, softmax and the output probabilities above the decoder."""
    linear = decoder.add_box(Box("linear", decoder.cx, top.top + GAP + BOX_H / 2, BOX_W, BOX_H, "projection",
                                 Label("linear"), Label("d_model \u2192 vocabulary", "muted", size="small"),
                                 *decoder.detail_x()),
                             "output", after=top)
    softmax = decoder.add_box(Box("softmax", decoder.cx, linear.top + GAP + BOX_H / 2, BOX_W, BOX_H, "projection",
                                  Label("softmax")), "output", after=linear)
    size = f" ({shapes.output[0]} positions)" if shapes is not None else ""
    y = softmax.top + GAP + 0.1
    decoder.add_arrow(Arrow("flow:softmax->probabilities", ((decoder.cx, softmax.top), (decoder.cx, y)), "flow",
                            "softmax", "probabilities"), "output")
    decoder.add_note(Note("probabilities", decoder.cx, y + 0.3, Label(f"output probabilities{size}", size="small")),
                     "output")


def _story(structure, layouts) -> Story:
    """Four steps: the encoder, the masked self-attention, cross-attention, the output."""
    enc, dec, shapes = structure.encoder, structure.decoder, structure.shapes
    source = f"{shapes.src[0]} vectors of width {shapes.src[1]}" if shapes else f"vectors of width {structure.d_model}"
    mask = f" (a {shapes.mask[0]} \u00d7 {shapes.mask[1]} causal mask)" if shapes and shapes.mask else ""
    encoder_caption = (f"The encoder reads the whole source at once: {source} pass through {enc.num_layers} "
                       f"identical layers of self-attention ({enc.nhead} heads) and a feed-forward network "
                       f"(d_ff = {enc.layer.dim_feedforward}), each wrapped in a residual connection and a layer norm.")
    masked_caption = ("The decoder reads the target shifted right; masked self-attention lets position t attend "
                      f"only to positions up to t{mask}.")
    cross_caption = ("Cross-attention: queries come from the decoder, keys and values from the encoder output; "
                     f"every one of the {dec.num_layers} decoder layers reads it.")
    output_caption = ("A linear layer maps each decoder vector to vocabulary scores and softmax turns them into "
                      "next-token probabilities.")
    captions = {"encoder": (encoder_caption, 4), "masked-self-attention": (masked_caption, 2),
                "cross-attention": (cross_caption, 1), "output": (output_caption, 0)}
    steps = []
    for name, (caption, numbers) in captions.items():
        reveal = tuple(i for lay in layouts for i, s in lay.step_of.items() if s == name)
        steps.append(Step(name, caption, reveal, numbers))
    return Story(tuple(steps))


__all__ = ["SUBLAYERS", "Arrow", "Box", "Note", "TransformerView", "transformer_view"]
