"""SHAP attributions of a classifier (shap's DeepExplainer or GradientExplainer) as plain arrays.

The notes: "With an interpretation tool such as SHAP" — which pixels push an image towards
each class. ``shap`` is imported on first use (its import takes seconds).

Layout: attributions have the model's input layout with the classes last,
``(N, *input_shape, classes)``, e.g. ``(N, 1, 8, 8, 10)`` for channel-first digit images.

Efficiency (local accuracy): for every sample and class, the attributions sum to
``f(x) - E[f(background)]``. DeepExplainer's rescale rule holds it to rounding error when
every non-linearity is an ``nn.Module`` it knows; :attr:`ShapResult.gap` reports how far
each sample/class is from it (GradientExplainer estimates expected gradients by sampling,
so its gap shrinks with ``nsamples`` but is not zero).

Pitfalls handled here: the model is deep-copied (yours is left as it is, in its mode) and
in-place activations are switched off in the copy (shap's backward hooks fail on them); a
module instance used at two places in ``forward`` and modules DeepExplainer does not know
are refused for ``method="deep"`` with a message; inputs laid out channel-last when the model
expects channel-first are refused with the permutation to apply.
"""
from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass

import numpy as np

from vizdl.extras import require

METHODS = ("deep", "gradient")
EFFICIENCY_WARNING = 1e-3
_PAIR_ELEMENTS = 1 << 23  # input values per batched DeepLIFT pass (x and reference halves)


@dataclass
class ShapResult:
    """SHAP attributions and the numbers needed to check them.

    Attributes
    ----------
    values : ndarray (N, *input_shape, classes)
        Attribution of each input value to each class output (logit).
    expected_value : ndarray (classes,)
        ``E[f(background)]``, the mean model output on the background set.
    outputs : ndarray (N, classes)
        ``f(x)``, the model output on the explained inputs.
    gap : ndarray (N, classes)
        ``|sum(values) - (f(x) - E[f(background)])|``, the efficiency gap.
    inputs : ndarray (N, *input_shape)
    method : str
        ``"deep"`` or ``"gradient"``.
    step : int or None
        Run step whose weights were explained (None for a live model).
    source : str or None
        What was explained, for titles (``"cifar_cnn trained on digits (1×8×8 images)"``
        for a run; None for a live model).
    """

    values: np.ndarray
    expected_value: np.ndarray
    outputs: np.ndarray
    gap: np.ndarray
    inputs: np.ndarray
    method: str
    step: int | None = None
    source: str | None = None

    @property
    def max_gap(self) -> float:
        """Largest efficiency gap over samples and classes."""
        return float(self.gap.max()) if self.gap.size else 0.0

    @property
    def predicted(self) -> np.ndarray:
        """Predicted class of each input, ``argmax f(x)``, shape (N,)."""
        return self.outputs.argmax(axis=1)

    @property
    def totals(self) -> np.ndarray:
        """Sum of the attributions over the input, ``(N, classes)``."""
        return self.values.reshape(len(self.values), -1, self.values.shape[-1]).sum(axis=1)


def shap_values(model, background, inputs, method: str = "deep", *, step: int | None = None,
                nsamples: int = 200, seed: int = 0, batched: bool = True) -> ShapResult:
    """Explain ``model``'s class outputs on ``inputs`` against a ``background`` set.

    Parameters
    ----------
    model : nn.Module or vizdl.Run
        A classifier returning ``(N, classes)`` logits, or a run (its model at ``step``,
        the last recorded step by default).
    background : array or tensor (B, *input_shape)
        Reference inputs, e.g. 100 training images; E[f(background)] is the base value.
    inputs : array or tensor (N, *input_shape)
        Inputs to explain, in the model's layout (channel-first images ``(N, C, H, W)``).
    method : {"deep", "gradient"}
        ``"deep"`` (default): shap's DeepExplainer (DeepLIFT rescale rule averaged over the
        background; exact efficiency, fast). ``"gradient"``: shap's GradientExplainer
        (expected gradients, sampled; works with any differentiable model).
    nsamples, seed : int
        GradientExplainer's samples per input and random seed.
    batched : bool
        DeepExplainer only: run shap's DeepLIFT hooks on all (input, reference) pairs of
        a chunk at once instead of shap's per-sample loop (same numbers, ~10x faster).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    source = run_source(model)
    net, step = _prepare_model(model, step)
    background, inputs = _as_inputs(net, background, inputs)
    if method == "deep":
        _check_deep_supported(net, background[:1])
        values, expected = _deep(net, background, inputs, batched)
    else:
        values, expected = _gradient(net, background, inputs, nsamples, seed)
    result = _result(net, values, expected, inputs, method, step)
    result.source = source
    return result


def run_source(model) -> str | None:
    """``"<model> trained on <data> (...)"`` for a vizdl Run, None for a live model."""
    if not (hasattr(model, "meta") and hasattr(model, "require_step")):
        return None
    from vizdl.views.runs import run_context

    return run_context(model).source()


def _prepare_model(model, step):
    """A deep copy of the model in eval mode with in-place activations switched off."""
    from torch import nn

    if hasattr(model, "model") and hasattr(model, "require_step"):
        step = model.require_step(step) if step is not None else model.steps[-1]
        model = model.model(step)
    elif not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch nn.Module or a vizdl Run, got {type(model).__name__}")
    net = copy.deepcopy(model).cpu().eval()  # shap runs on the CPU here, like vizdl.Run.model
    for module in net.modules():
        if getattr(module, "inplace", False) is True:
            module.inplace = False
    return net, step


def _as_inputs(net, background, inputs):
    """Floating tensors (in the model's dtype) with equal sample shapes that the model accepts.

    Integer inputs (token ids) are never cast to float: they are refused with what to do.
    """
    import torch

    background, inputs = (_tensor(v, "background") for v in (background, inputs))
    _refuse_integer(inputs)
    dtype = next((p.dtype for p in net.parameters() if p.is_floating_point()), torch.float32)
    background, inputs = background.to(dtype), inputs.to(dtype)
    if background.ndim < 2 or len(background) == 0 or len(inputs) == 0:
        raise ValueError(f"background and inputs must be batches (N, *input_shape) with N >= 1, "
                         f"got shapes {tuple(background.shape)} and {tuple(inputs.shape)}")
    if background.shape[1:] != inputs.shape[1:]:
        raise ValueError(f"inputs must have the background's sample shape {tuple(background.shape[1:])}, "
                         f"got {tuple(inputs.shape[1:])}")
    _check_forward(net, inputs[:2])
    return background, inputs


def _tensor(value, name: str):
    import torch

    value = torch.as_tensor(np.asarray(value) if not torch.is_tensor(value) else value).detach().cpu()
    if value.is_complex() or value.dtype == torch.bool:
        raise ValueError(f"{name} must hold real numbers, got dtype {value.dtype}")
    return value


def _refuse_integer(inputs) -> None:
    if not inputs.is_floating_point():
        raise ValueError(f"inputs are integers (dtype {inputs.dtype}, e.g. token ids): vizdl keeps them integer, "
                         "and SHAP's explainers need inputs the model output can be differentiated by -- token ids "
                         "have no gradient. Explain the embedded sequence instead: split the model after its "
                         "nn.Embedding and pass the embeddings (float) as inputs")


def _check_forward(net, sample) -> None:
    """Refuse inputs the model cannot take, pointing at a channel-last layout when it is one."""
    import torch

    try:
        with torch.no_grad():
            out = net(sample)
    except RuntimeError as error:
        hint = ""
        if sample.ndim == 4 and sample.shape[-1] in (1, 3) and sample.shape[1] not in (1, 3):
            hint = (" The inputs look channel-last (N, H, W, C); vizdl keeps the model's layout, "
                    "channel-first (N, C, H, W): pass x.permute(0, 3, 1, 2).")
        raise ValueError(f"the model cannot take inputs of shape {tuple(sample.shape[1:])}: {error}.{hint}") \
            from error
    if out.ndim != 2:
        raise ValueError(f"the model must return (N, classes) outputs, got shape {tuple(out.shape)}")


def _leaves(net):
    return [(name, m) for name, m in net.named_modules() if not list(m.children())]


def _check_deep_supported(net, sample) -> None:
    """Refuse models whose DeepLIFT attributions shap's hooks would get wrong."""
    import torch

    require("shap", "explain", "SHAP attributions")
    from shap.explainers._deep.deep_pytorch import op_handler

    leaves = _leaves(net)
    unknown = sorted({type(m).__name__ for _, m in leaves if type(m).__name__ not in op_handler})
    if unknown:
        raise ValueError(f"method='deep' does not support the modules {unknown} (shap's DeepExplainer "
                         f"knows {sorted(op_handler)}); use method='gradient'")
    calls: dict[str, int] = {}
    handles = [m.register_forward_hook(lambda *_a, n=name: calls.__setitem__(n, calls.get(n, 0) + 1))
               for name, m in leaves]
    try:
        with torch.no_grad():
            net(sample)
    finally:
        for handle in handles:
            handle.remove()
    reused = sorted(name for name, count in calls.items() if count > 1)
    if reused:
        raise ValueError(f"method='deep' needs one module instance per use, but {reused} run more than "
                         "once per forward pass (DeepLIFT stores one input per module); give each use "
                         "its own module, or use method='gradient'")


def _deep(net, background, inputs, batched: bool):
    shap = require("shap", "explain", "SHAP attributions")

    explainer = shap.DeepExplainer(net, background)
    expected = np.atleast_1d(np.asarray(explainer.expected_value, dtype=np.float64))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*full_backward_hook.*")
        if batched:
            values = _deep_batched(explainer.explainer, background, inputs)
        else:
            values = explainer.shap_values(inputs, check_additivity=False)
    return np.asarray(values).reshape(*inputs.shape, -1), expected


def _deep_batched(deep, background, inputs) -> np.ndarray:
    """shap's DeepLIFT hooks on every (input, reference) pair at once; ``(N, *shape, classes)``.

    shap pairs the first half of a batch with the second half (``x`` with its reference);
    its own loop builds one such batch per input and per class. Here a chunk of inputs is
    tiled against the whole background in one batch, and each class is one backward pass.
    """
    from shap.explainers._deep.deep_pytorch import add_interim_values, deeplift_grad

    n_bg, per_pair = len(background), int(np.prod(inputs.shape[1:])) * 2
    chunk = max(1, _PAIR_ELEMENTS // (n_bg * per_pair))
    handles = deep.add_handles(deep.model, add_interim_values, deeplift_grad)
    try:
        return np.concatenate([_deep_chunk(deep.model, inputs[s:s + chunk], background)
                               for s in range(0, len(inputs), chunk)])
    finally:
        for handle in handles:
            handle.remove()
        deep.remove_attributes(deep.model)


def _deep_chunk(model, x, background) -> np.ndarray:
    import torch

    n, n_bg = len(x), len(background)
    tiled = x.repeat_interleave(n_bg, dim=0)                      # (n * B, *shape): x_j, x_j, ...
    refs = background.repeat(n, *([1] * (background.ndim - 1)))   # (n * B, *shape): bg_0, bg_1, ...
    joint = torch.cat([tiled, refs]).requires_grad_()
    out = model(joint)                                            # (2 n B, classes)
    delta = (tiled - refs).numpy().astype(np.float64)
    values = np.empty((n, *x.shape[1:], out.shape[1]))
    for c in range(out.shape[1]):
        grad = torch.autograd.grad(out[:, c].sum(), joint, retain_graph=c + 1 < out.shape[1])[0]
        multipliers = grad[len(tiled):].numpy().astype(np.float64)  # shap reads the reference half
        values[..., c] = (multipliers * delta).reshape(n, n_bg, *x.shape[1:]).mean(axis=1)
    return values


def _gradient(net, background, inputs, nsamples: int, seed: int):
    shap = require("shap", "explain", "SHAP attributions")
    import torch

    if isinstance(nsamples, bool) or not isinstance(nsamples, int) or nsamples < 1:
        raise ValueError(f"nsamples must be a positive integer, got {nsamples!r}")
    explainer = shap.GradientExplainer(net, background, batch_size=nsamples)
    values = explainer.shap_values(inputs, nsamples=nsamples, rseed=seed)
    with torch.no_grad():
        expected = net(background).double().mean(0).numpy()
    return np.asarray(values).reshape(*inputs.shape, -1), expected


def _result(net, values, expected, inputs, method, step) -> ShapResult:
    import torch

    with torch.no_grad():
        outputs = net(inputs).double().numpy()
    totals = values.reshape(len(values), -1, values.shape[-1]).sum(axis=1)
    gap = np.abs(totals - (outputs - expected[None, :]))
    result = ShapResult(values, expected, outputs, gap, inputs.numpy(), method, step)
    if method == "deep" and result.max_gap > EFFICIENCY_WARNING:
        warnings.warn(f"DeepExplainer attributions miss f(x) - E[f(background)] by up to "
                      f"{result.max_gap:.3g}: "
                      "the model probably applies a non-linearity outside an nn.Module (torch.relu, "
                      "F.relu in forward), which shap's hooks cannot see", stacklevel=3)
    return result
