"""The structure of an encoder–decoder transformer, read from the ``torch.nn`` modules themselves.

:func:`transformer_structure` walks ``model.encoder.layers`` and ``model.decoder.layers``
of a ``torch.nn.Transformer`` (or of an ``nn.TransformerEncoder`` + ``nn.TransformerDecoder``
pair, or of a module holding exactly one of either) and reads each layer's d_model,
heads, head width, feed-forward width, activation, dropout and ``norm_first`` from its
sub-modules (``self_attn.num_heads``, ``linear1.out_features``...). Optionally
:func:`traced_shapes` runs one tiny forward with hooks and keeps the shapes of the
tensors that really flowed: the source and target as the first layers received them, the
encoder output (the memory every cross-attention reads), the causal mask and the output.

>>> model = small_transformer()
>>> s = transformer_structure(model)
>>> (s.encoder.num_layers, s.decoder.num_layers, s.d_model, s.encoder.nhead, s.encoder.d_k)
(2, 2, 32, 4, 8)
>>> traced_shapes(model, src_len=6, tgt_len=5).mask
(5, 5)
"""
from __future__ import annotations

from dataclasses import dataclass

#: What :func:`transformer_structure` accepts, for error messages.
ACCEPTED = ("a torch.nn.Transformer, a pair (nn.TransformerEncoder, nn.TransformerDecoder), or a module "
            "holding exactly one of either")


@dataclass(frozen=True)
class LayerSpec:
    """The hyper-parameters of one encoder or decoder layer, as its modules hold them.

    Attributes
    ----------
    d_model : int
        ``self_attn.embed_dim``.
    nhead, d_k : int
        ``self_attn.num_heads`` and ``self_attn.head_dim`` (= d_model / nhead).
    dim_feedforward : int
        ``linear1.out_features``.
    activation : str
        ``"relu"``, ``"gelu"`` or the name of a custom callable.
    dropout : float
        ``dropout.p`` (the feed-forward dropout; torch gives every dropout of a layer the same p).
    norm_first : bool
        Pre-LN (``norm -> sublayer -> add``) when True, post-LN (``sublayer -> add & norm``) otherwise.
    """

    d_model: int
    nhead: int
    d_k: int
    dim_feedforward: int
    activation: str
    dropout: float
    norm_first: bool


@dataclass(frozen=True)
class StackSpec:
    """One stack (encoder or decoder): its identical layers and whether a final LayerNorm follows.

    Attributes
    ----------
    kind : {"encoder", "decoder"}
    num_layers : int
        ``len(stack.layers)``.
    layer : LayerSpec
        What every layer of the stack holds (they are checked to agree).
    final_norm : bool
        ``stack.norm`` is not None.
    """

    kind: str
    num_layers: int
    layer: LayerSpec
    final_norm: bool

    @property
    def nhead(self) -> int:
        """Heads of every attention of the stack."""
        return self.layer.nhead

    @property
    def d_k(self) -> int:
        """Width of one head."""
        return self.layer.d_k


@dataclass(frozen=True)
class Shapes:
    """Shapes of one sample's tensors in a traced forward (batch dimension dropped).

    Attributes
    ----------
    src, tgt : tuple of int
        ``(S, d_model)`` and ``(T, d_model)`` as the first encoder / decoder layer received them.
    memory : tuple of int
        ``(S, d_model)``: the encoder output the decoder layers read.
    mask : tuple of int or None
        ``(T, T)``: the causal mask the first decoder layer received.
    output : tuple of int
        ``(T, d_model)``: the decoder output.
    """

    src: tuple
    tgt: tuple
    memory: tuple
    mask: tuple | None
    output: tuple


@dataclass(frozen=True)
class TransformerStructure:
    """An encoder–decoder transformer: its two stacks and, when traced, its tensor shapes."""

    encoder: StackSpec
    decoder: StackSpec
    shapes: Shapes | None = None

    @property
    def d_model(self) -> int:
        """Width of every vector between the layers."""
        return self.encoder.layer.d_model


def small_transformer(seed: int = 0):
    """The default model of the pictures: ``nn.Transformer`` d_model=32, 4 heads, 2+2 layers, d_ff=64.

    Built under a forked RNG seeded with ``seed``, so the global RNG is left as it was.
    """
    import torch
    from torch import nn

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Transformer(d_model=32, nhead=4, num_encoder_layers=2, num_decoder_layers=2,
                              dim_feedforward=64, dropout=0.1, batch_first=True)


def stacks_of(model) -> tuple:
    """``(encoder, decoder)`` modules of ``model`` (see :data:`ACCEPTED`); TypeError or ValueError otherwise."""
    from torch import nn

    if isinstance(model, (tuple, list)) and len(model) == 2:
        encoder, decoder = model
    elif isinstance(model, nn.Transformer):
        encoder, decoder = model.encoder, model.decoder
    elif isinstance(model, nn.Module):
        encoder, decoder = _find_stacks(model)
    else:
        raise TypeError(f"expected {ACCEPTED}; got {type(model).__name__}")
    if not (isinstance(encoder, nn.TransformerEncoder) and isinstance(decoder, nn.TransformerDecoder)):
        raise TypeError(f"expected {ACCEPTED}; got ({type(encoder).__name__}, {type(decoder).__name__})")
    return encoder, decoder


def _find_stacks(model) -> tuple:
    """The one nn.Transformer inside ``model``, or its one encoder and one decoder."""
    from torch import nn

    inner = [m for m in model.modules() if isinstance(m, nn.Transformer)]
    if len(inner) == 1:
        return inner[0].encoder, inner[0].decoder
    encoders = [m for m in model.modules() if isinstance(m, nn.TransformerEncoder)]
    decoders = [m for m in model.modules() if isinstance(m, nn.TransformerDecoder)]
    if len(inner) > 1 or len(encoders) != 1 or len(decoders) != 1:
        raise ValueError(f"expected {ACCEPTED}; {type(model).__name__} holds {len(inner)} nn.Transformer, "
                         f"{len(encoders)} nn.TransformerEncoder and {len(decoders)} nn.TransformerDecoder")
    return encoders[0], decoders[0]


def layer_spec(layer) -> LayerSpec:
    """The :class:`LayerSpec` of one ``nn.TransformerEncoderLayer`` or ``nn.TransformerDecoderLayer``."""
    attention = layer.self_attn
    return LayerSpec(int(attention.embed_dim), int(attention.num_heads), int(attention.head_dim),
                     int(layer.linear1.out_features), activation_name(layer.activation),
                     float(layer.dropout.p), bool(layer.norm_first))


def activation_name(activation) -> str:
    """``F.relu`` -> ``"relu"``, ``nn.GELU()`` -> ``"gelu"``, a custom callable -> its name."""
    name = getattr(activation, "__name__", None) or type(activation).__name__
    return name.lower()


def stack_spec(stack, kind: str) -> StackSpec:
    """The :class:`StackSpec` of an encoder or decoder; ValueError when its layers differ."""
    specs = [layer_spec(layer) for layer in stack.layers]
    if not specs:
        raise ValueError(f"the {kind} has no layers")
    for k, spec in enumerate(specs[1:], start=1):
        if spec != specs[0]:
            raise ValueError(f"{kind} layer {k} differs from layer 0 ({spec} vs {specs[0]}); "
                             "the diagram draws one repeated layer")
    return StackSpec(kind, len(specs), specs[0], stack.norm is not None)


def transformer_structure(model, *, trace: bool = False, src_len: int = 6, tgt_len: int = 5) -> TransformerStructure:
    """Read the encoder and decoder stacks of ``model`` (see :data:`ACCEPTED`).

    Parameters
    ----------
    model : nn.Transformer, (nn.TransformerEncoder, nn.TransformerDecoder) or nn.Module
    trace : bool
        Also run :func:`traced_shapes` (one forward of random vectors, no gradients).
    src_len, tgt_len : int
        Source and target lengths of the traced forward.

    Returns
    -------
    TransformerStructure
    """
    encoder, decoder = stacks_of(model)
    structure = TransformerStructure(stack_spec(encoder, "encoder"), stack_spec(decoder, "decoder"))
    if structure.decoder.layer.d_model != structure.d_model:
        raise ValueError(f"encoder d_model={structure.d_model} but decoder d_model={structure.decoder.layer.d_model}")
    if trace:
        shapes = traced_shapes((encoder, decoder), src_len=src_len, tgt_len=tgt_len)
        structure = TransformerStructure(structure.encoder, structure.decoder, shapes)
    return structure


def traced_shapes(model, *, src_len: int = 6, tgt_len: int = 5) -> Shapes:
    """Shapes of one sample's tensors in a forward of ``src_len`` source and ``tgt_len`` target vectors.

    The stacks run in eval mode under ``no_grad`` on random inputs from a private generator
    (the global RNG and the modules' train/eval modes are restored); hooks on the first
    layers and on the stacks record what they receive and return, and are removed in
    ``finally``.
    """
    import torch

    encoder, decoder = stacks_of(model)
    first = encoder.layers[0].self_attn
    batch_first = bool(first.batch_first)
    param = next(encoder.parameters())
    generator = torch.Generator().manual_seed(0)

    def vectors(length):
        shape = (1, length, first.embed_dim) if batch_first else (length, 1, first.embed_dim)
        return torch.randn(shape, generator=generator).to(param.device, param.dtype)

    seen, handles = {}, []
    modes = [(m, m.training) for m in (encoder, decoder)]
    try:
        handles += _recorders(encoder, decoder, seen, batch_first)
        with torch.no_grad():
            for m, _ in modes:
                m.eval()
            memory = encoder(vectors(src_len))
            mask = torch.nn.Transformer.generate_square_subsequent_mask(tgt_len, device=param.device, dtype=param.dtype)
            decoder(vectors(tgt_len), memory, tgt_mask=mask, tgt_is_causal=True)
    finally:
        for handle in handles:
            handle.remove()
        for m, training in modes:
            m.train(training)
    return Shapes(seen["src"], seen["tgt"], seen["memory"], seen.get("mask"), seen["output"])


def _recorders(encoder, decoder, seen: dict, batch_first: bool) -> list:
    """Forward hooks writing the per-sample shapes of what the stacks receive and return into ``seen``."""
    def sample(tensor) -> tuple:
        shape = tuple(int(s) for s in tensor.shape)
        return shape[1:] if batch_first else (shape[0],) + shape[2:]

    def layer_input(name):
        def hook(module, args, kwargs):
            seen[name] = sample(args[0] if args else kwargs["src" if name == "src" else "tgt"])
            mask = kwargs.get("tgt_mask", args[2] if len(args) > 2 else None) if name == "tgt" else None
            if mask is not None:
                seen["mask"] = tuple(int(s) for s in mask.shape)
        return hook

    def stack_output(name):
        def hook(module, args, output):
            seen[name] = sample(output)
        return hook

    return [encoder.layers[0].register_forward_pre_hook(layer_input("src"), with_kwargs=True),
            decoder.layers[0].register_forward_pre_hook(layer_input("tgt"), with_kwargs=True),
            encoder.register_forward_hook(stack_output("memory")),
            decoder.register_forward_hook(stack_output("output"))]


__all__ = ["ACCEPTED", "LayerSpec", "Shapes", "StackSpec", "TransformerStructure", "activation_name", "layer_spec",
           "small_transformer", "stack_spec", "stacks_of", "traced_shapes", "transformer_structure"]
