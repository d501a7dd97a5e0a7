"""The encoder–decoder transformer diagram: structure read from torch, view labels, painter, control image."""
import warnings

import pytest
import torch
from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from torch import nn

from vizdl import figures
from vizdl.ops.seq2seq import small_transformer, traced_shapes, transformer_structure
from vizdl.styles.theme import LIGHT
from vizdl.testing import assert_matches_control, figure_to_array
from vizdl.views.seq2seq import transformer_view

CONFIGS = {
    "2+2-post": {"d_model": 32, "nhead": 4, "num_encoder_layers": 2, "num_decoder_layers": 2,
                 "dim_feedforward": 64, "dropout": 0.1, "batch_first": True},
    "1+3-pre": {"d_model": 48, "nhead": 6, "num_encoder_layers": 1, "num_decoder_layers": 3,
                "dim_feedforward": 96, "dropout": 0.25, "activation": "gelu", "norm_first": True,
                "batch_first": False},
}


def _build(name: str) -> nn.Transformer:
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch: enable_nested_tensor is off with norm_first
        return nn.Transformer(**CONFIGS[name])


@pytest.fixture(params=sorted(CONFIGS))
def model(request):
    return _build(request.param)


# -- ops: the structure is torch's ----------------------------------------------------------------
def test_structure_equals_the_modules_attributes(model):
    s = transformer_structure(model)
    for stack, spec in ((model.encoder, s.encoder), (model.decoder, s.decoder)):
        layer = stack.layers[0]
        assert spec.num_layers == len(stack.layers)
        assert spec.layer.d_model == layer.self_attn.embed_dim == model.d_model
        assert spec.nhead == layer.self_attn.num_heads == model.nhead
        assert spec.d_k == layer.self_attn.head_dim == model.d_model // model.nhead
        assert spec.layer.dim_feedforward == layer.linear1.out_features
        assert spec.layer.norm_first is layer.norm_first
        assert spec.layer.dropout == layer.dropout.p
        assert spec.layer.activation == layer.activation.__name__
        assert spec.final_norm is (stack.norm is not None)


def test_the_two_configs_read_differently():
    a, b = (transformer_structure(_build(k)) for k in sorted(CONFIGS))
    assert (a.encoder.num_layers, a.decoder.num_layers, a.encoder.nhead, a.encoder.layer.norm_first) == (1, 3, 6, True)
    assert (b.encoder.num_layers, b.decoder.num_layers, b.encoder.nhead, b.encoder.layer.norm_first) == (2, 2, 4, False)
    assert (a.encoder.layer.activation, b.encoder.layer.activation) == ("gelu", "relu")


def test_traced_shapes_are_the_tensors_that_flowed(model):
    shapes = traced_shapes(model, src_len=7, tgt_len=4)
    src = torch.randn(1, 7, model.d_model) if model.batch_first else torch.randn(7, 1, model.d_model)
    tgt = torch.randn(1, 4, model.d_model) if model.batch_first else torch.randn(4, 1, model.d_model)
    model.eval()
    with torch.no_grad():
        memory = model.encoder(src)
        out = model(src, tgt, tgt_mask=nn.Transformer.generate_square_subsequent_mask(4))
    drop = (lambda t: tuple(t.shape[1:])) if model.batch_first else (lambda t: (t.shape[0],) + tuple(t.shape[2:]))
    assert shapes.src == drop(src) and shapes.tgt == drop(tgt)
    assert shapes.memory == drop(memory) and shapes.output == drop(out) and shapes.mask == (4, 4)


def test_tracing_leaves_no_hook_mode_or_rng_change(model):
    model.train()
    state = torch.random.get_rng_state()
    traced_shapes(model)
    assert model.training and all(m.training for m in model.modules())
    assert torch.equal(state, torch.random.get_rng_state())
    hooks = [m for m in model.modules() if m._forward_hooks or m._forward_pre_hooks]
    assert not hooks


def test_an_encoder_decoder_pair_and_a_wrapper_are_accepted():
    torch.manual_seed(0)
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 2, 24, batch_first=True), 3)
    decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(16, 2, 24, batch_first=True), 1)
    s = transformer_structure((encoder, decoder), trace=True)
    assert (s.encoder.num_layers, s.decoder.num_layers, s.encoder.final_norm, s.shapes.memory) == (3, 1, False, (6, 16))

    class Seq2Seq(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(10, 32)
            self.core = small_transformer()
            self.head = nn.Linear(32, 10)

    assert transformer_structure(Seq2Seq()).decoder.num_layers == 2


@pytest.mark.parametrize("bad, error, match", [
    (nn.Linear(4, 2), ValueError, "Linear holds 0 nn.Transformer"),
    ("transformer", TypeError, "got str"),
    ((nn.Linear(4, 2), nn.Linear(2, 4)), TypeError, r"got \(Linear, Linear\)"),
])
def test_bad_input_says_what_is_accepted(bad, error, match):
    with pytest.raises(error, match=match) as info:
        transformer_structure(bad)
    assert "torch.nn.Transformer" in str(info.value)


# -- view: every label is a model value -------------------------------------------------------------
def test_every_label_is_a_model_value(model):
    s = transformer_structure(model, trace=True)
    view = transformer_view(s)
    enc, dec = model.encoder.layers[0], model.decoder.layers[0]
    def heads(attention):
        return f"{attention.num_heads} heads, d_k = {attention.head_dim}"

    assert view.box("enc-0-attn").detail.text == heads(enc.self_attn)
    assert view.box("dec-0-masked-attn").detail.text == heads(dec.self_attn)
    assert view.box("dec-0-cross-attn").detail.text == heads(dec.multihead_attn)
    ff = f"d_ff = {enc.linear1.out_features}, {enc.activation.__name__}"
    assert view.box("enc-0-ff").detail.text == ff
    assert view.box("dec-0-ff").detail.text == f"d_ff = {dec.linear1.out_features}, {dec.activation.__name__}"
    notes = {n.id: n.label.text for n in view.notes}
    assert notes["enc-count"] == f"\u00d7{len(model.encoder.layers)}"
    assert notes["dec-count"] == f"\u00d7{len(model.decoder.layers)}"
    assert notes["memory-note"].endswith(f"{s.shapes.memory[0]} \u00d7 {model.d_model}")
    assert view.box("enc-embedding").detail.text == f"S \u00d7 d_model = 6 \u00d7 {model.d_model}"
    assert view.box("dec-embedding").detail.text == f"T \u00d7 d_model = 5 \u00d7 {model.d_model}"
    dropout = [b.detail.text for b in view.boxes if b.detail and b.detail.text.startswith("dropout")]
    assert dropout == [f"dropout p = {enc.dropout.p:g}"] * 2
    norm = "pre-LN" if enc.norm_first else "post-LN"
    assert view.box("enc-0").label.text == f"encoder layer 1 \u00b7 {norm}"
    assert f"d_model = {model.d_model}, {len(model.encoder.layers)} + {len(model.decoder.layers)}" in view.title.text


def test_the_sublayers_follow_norm_first(model):
    view = transformer_view(transformer_structure(model))
    inside = [b.label.text for b in view.boxes if b.id.startswith("dec-0-")]
    if model.decoder.layers[0].norm_first:
        assert inside[:3] == ["layer norm", "masked self-attention", "add (residual)"] and len(inside) == 9
    else:
        assert inside == ["masked self-attention", "add & norm", "cross-attention", "add & norm", "feed-forward",
                          "add & norm"]
    bars = [b.id for b in view.boxes if b.role == "panel"]
    assert bars == [f"enc-{k}" for k in range(1, len(model.encoder.layers))] + [
        f"dec-{k}" for k in range(1, len(model.decoder.layers))]


def test_one_memory_arrow_into_each_decoder_layer(model):
    view = transformer_view(transformer_structure(model))
    arrows = view.memory_arrows()
    assert [a.target for a in arrows] == ["dec-0-cross-attn"] + [f"dec-{k}" for k in range(1, len(model.decoder.layers))]
    assert {a.source for a in arrows} == {"memory"} and {a.role for a in arrows} == {"memory"}
    top = view.box("enc-final-norm")
    for arrow in arrows:
        target = view.box(arrow.target)
        assert arrow.points[0] == (top.x, top.top) and arrow.points[-1] == (target.left, target.y)


def test_every_sublayer_group_has_a_residual(model):
    view = transformer_view(transformer_structure(model))
    adds = [b.id for b in view.boxes if b.id.split("-0-")[-1].startswith(("add-norm", "add-"))]
    residuals = [a.target for a in view.arrows if a.kind == "residual"]
    assert residuals == adds and len(adds) == 2 + 3


def test_the_story_reveals_everything_once():
    view = transformer_view(transformer_structure(small_transformer(), trace=True))
    assert [s.name for s in view.story] == ["encoder", "masked-self-attention", "cross-attention", "output"]
    ids = [i for s in view.story for i in s.reveal]
    every = {b.id for b in view.frames + view.boxes} | {a.id for a in view.arrows} | {n.id for n in view.notes}
    assert sorted(ids) == sorted(every)
    assert "memory:dec-0-cross-attn" in view.story.steps[2].reveal and "softmax" in view.story.steps[3].reveal
    assert "5 \u00d7 5 causal mask" in view.story.steps[1].caption


# -- figure: paints the view ----------------------------------------------------------------------
def test_the_figure_paints_the_view():
    ax = figures.transformer_diagram()
    view = transformer_view(transformer_structure(small_transformer(), trace=True))
    assert sorted(t.get_text() for t in ax.texts) == sorted(lab.text for lab in view.labels()[1:])
    assert ax.get_title() == view.title.text
    patches = {p.get_gid(): p for p in ax.patches if isinstance(p, FancyBboxPatch)}
    for box in view.frames + view.boxes:
        assert to_hex(patches[box.id].get_facecolor()) == LIGHT.color(box.role)
    arrows = {p.get_gid(): p for p in ax.patches if isinstance(p, FancyArrowPatch)}
    assert set(arrows) == {a.id for a in view.arrows}
    assert all(to_hex(arrows[a.id].get_edgecolor()) == LIGHT.color(a.role) for a in view.arrows)


def test_a_step_draws_only_what_it_revealed():
    ax = figures.transformer_diagram(step="encoder")
    gids = {p.get_gid() for p in ax.patches}
    assert "enc-0-attn" in gids and "dec-0-masked-attn" not in gids and "memory:dec-0-cross-attn" not in gids


def test_no_text_overlaps_or_leaves_the_figure_in_the_slides_style():
    import vizdl
    from vizdl.figures.paint import _renderer

    torch.manual_seed(0)
    big = nn.Transformer(d_model=64, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=256,
                         batch_first=True)
    with vizdl.styles.use("slides"):
        ax = figures.transformer_diagram(big)
    renderer = _renderer(ax.figure)
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    page = ax.figure.bbox
    assert all(page.x0 <= b.x0 and b.x1 <= page.x1 and page.y0 <= b.y0 and b.y1 <= page.y1 for b in boxes)
    assert not any(boxes[i].overlaps(boxes[j]) for i in range(len(boxes)) for j in range(i + 1, len(boxes)))
    assert min(t.get_fontsize() for t in ax.texts) >= 12  # readable on a projector


@pytest.mark.slow
def test_control_transformer_diagram():
    ax = figures.transformer_diagram()
    assert_matches_control("fig_transformer_diagram", figure_to_array(ax.figure, dpi=30))
