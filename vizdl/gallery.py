"""The figure gallery: every picture vizdl can make from a run, saved to disk with an index.

``build_gallery(runs, out)`` applies each gallery entry that fits a run (an MLP gets a
network diagram, a 2-D dataset a decision boundary, a CNN its feature maps, a
transformer its attention maps) plus the lecture's run-independent pictures
(activation functions, the computational graph, convolution and pooling diagrams,
gradient descent), saves them as PNG, SVG and/or PDF in a vizdl style sheet (``slides``
by default: large type for a projector) and writes ``index.html`` and ``index.md``.

Every file is written under a temporary name and renamed, images first and the index
last, so a killed build leaves the previous index listing complete images. Run names
become file names of safe characters, unique per run (``xor``, ``xor-2``); every path and
title is escaped in HTML and Markdown and every image URL percent-encoded.
"""
from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tqdm.auto import tqdm

from vizdl.limits import MAX_DPI, check_dpi
from vizdl.outputs import save_figure, write_text


@dataclass(frozen=True)
class Entry:
    """One gallery picture: ``make(run)`` returns a Figure or Axes; ``fits(run)`` filters runs."""

    name: str
    title: str
    code: str
    make: Callable
    fits: Callable = lambda run: True


def _figures():
    from vizdl import figures

    return figures


def _has(kind: str):
    def fits(run) -> bool:
        return bool(run.steps) and any(k.startswith(kind + "/") for k in run.keys(run.steps[0]))
    return fits


def _is_mlp(run) -> bool:
    from vizdl.ops.layers import is_mlp_chain

    return bool(run.steps) and is_mlp_chain(run)


def _input_shape(run) -> list:
    shape = (run.meta.get("dataset") or {}).get("input_shape")
    if shape is None and (run.path / "probe.safetensors").exists():
        shape = list(run.probe["inputs"].shape[1:])
    return list(shape or [])


def _is_2d(run) -> bool:
    return _input_shape(run) == [2] and run.can_rebuild and bool(run.steps)


def _is_image_model(run) -> bool:
    """Image inputs and a model ``run.model()`` can rebuild (SHAP and channels run the model)."""
    return run.can_rebuild and len(_input_shape(run)) == 3 and bool(run.steps)


def _shap_figure(run):
    """SHAP of four probe images against 32 others as background.

    DeepExplainer, or GradientExplainer for models it refuses (a module run twice, e.g.
    a ResNet block's shared ReLU, or modules it does not know).
    """
    from vizdl.explain import shap_values

    inputs, labels = run.probe["inputs"], run.probe["labels"]
    try:
        result = shap_values(run, inputs[4:36], inputs[:4])
    except ValueError as error:
        if "method='gradient'" not in str(error):
            raise
        result = shap_values(run, inputs[4:36], inputs[:4], method="gradient", nsamples=50)
    return _figures().shap_image_grid(result, labels=labels[:4])


def _channel_figure(run):
    """Channel similarity of the first feature layer, searched in the probe batch."""
    from vizdl.explain import channel_search
    from vizdl.figures.feature_maps import channel_layers

    inputs, labels = run.probe["inputs"], run.probe["labels"]
    search = channel_search(run, channel_layers(run)[0], inputs[0], inputs, k=4, labels=labels,
                            query_label=labels[0], exclude=0, channels=[0, 1, 2, 3])
    return _figures().channel_similarity_grid(search)


def _has_channels(run) -> bool:
    """A CNN run: recorded ``(N, C, H, W)`` activations and a 2-D convolution.

    A transformer's attention probabilities ``(N, heads, T, T)`` are 4-D too (its attention
    dropout records them), but they are attention maps, not feature maps.
    """
    from vizdl.ops.layers import channel_layers, first_conv

    if not run.steps or not channel_layers(run):
        return False
    try:
        first_conv(run)
    except ValueError:
        return False
    return True


def _has_conv(run) -> bool:
    from vizdl.ops.layers import first_conv

    try:
        return bool(run.steps) and first_conv(run) is not None
    except ValueError:
        return False


def _is_cnn(run) -> bool:
    return _is_image_model(run) and _has_channels(run)


RUN_ENTRIES = (
    Entry("curves", "Loss, accuracy and learning rate", "figures.training_curves(run)",
          lambda run: _figures().training_curves(run)),
    Entry("gradient_flow", "Gradient norm per layer over training", "figures.gradient_flow(run)",
          lambda run: _figures().gradient_flow(run), _has("grad")),
    Entry("weight_histograms", "Weight histograms over training", "figures.weight_histograms(run)",
          lambda run: _figures().weight_histograms(run), _has("weight")),
    Entry("grad_histograms", "Gradient histograms over training",
          'figures.weight_histograms(run, kind="grad")',
          lambda run: _figures().weight_histograms(run, kind="grad"), _has("grad")),
    Entry("network", "The network on one probe input", "figures.network_diagram(run)",
          lambda run: _figures().network_diagram(run), _is_mlp),
    Entry("representations", "PCA of each layer's activations", "figures.layer_representations(run)",
          lambda run: _figures().layer_representations(run), lambda run: _is_mlp(run) and _has("act")(run)),
    Entry("boundary", "Decision boundary over training", "figures.decision_boundary_grid(run)",
          lambda run: _figures().decision_boundary_grid(run), _is_2d),
    Entry("feature_maps", "Feature maps of a probe image", "figures.feature_maps(run)",
          lambda run: _figures().feature_maps(run), _has_channels),
    Entry("kernels", "First-layer kernels", "figures.first_layer_kernels(run)",
          lambda run: _figures().first_layer_kernels(run), _has_conv),
    Entry("shap", "SHAP attributions of probe images", "figures.shap_image_grid(explain.shap_values(run, bg, x))",
          _shap_figure, _is_image_model),
    Entry("channels", "Channel similarity (probe batch)", "figures.channel_similarity_grid(explain.channel_search(...))",
          _channel_figure, _is_cnn),
    Entry("attention", "Attention maps (layer x head)", "figures.attention_grid(run)",
          lambda run: _figures().attention_grid(run), _has("attn")),
)

LECTURE_ENTRIES = (
    Entry("activations", "Activation functions and their derivatives", "figures.activation_grid()",
          lambda _: _figures().activation_grid()),
    Entry("graph", "Computational graph of (x+y)*z", "figures.computational_graph()",
          lambda _: _figures().computational_graph()),
    Entry("descent", "Gradient descent for several learning rates", "figures.descent_2d()",
          lambda _: _figures().descent_2d()),
    Entry("conv", "Convolution k3 p1 s2, reflect padding",
          'figures.conv_diagram(stride=2, padding=1, mode="reflect", step=4)',
          lambda _: _figures().conv_diagram(stride=2, padding=1, mode="reflect", step=4)),
    Entry("conv_padding_modes", "Padding modes: where each padded value comes from", "figures.padding_modes_diagram()",
          lambda _: _figures().padding_modes_diagram()),
    Entry("conv_multichannel", "Multi-channel convolution", "figures.multichannel_conv_diagram()",
          lambda _: _figures().multichannel_conv_diagram()),
    Entry("pool_max", "Max pooling on the notes' 8x8 example", 'figures.pool_diagram(kind="max", step=5)',
          lambda _: _figures().pool_diagram(kind="max", step=5)),
    Entry("pool_squeeze", "Squeeze (invertible pooling)", "figures.squeeze_diagram()",
          lambda _: _figures().squeeze_diagram()),
    Entry("transformer", "Encoder-decoder transformer (nn.Transformer)", "figures.transformer_diagram()",
          lambda _: _figures().transformer_diagram()),
)


FORMATS = ("png", "svg", "pdf")


def check_formats(formats) -> tuple[str, ...]:
    """``formats`` (a list or ``"png,svg"``) as distinct lower-case suffixes; ``ValueError`` for unknown ones."""
    if isinstance(formats, str):
        formats = formats.split(",")
    checked = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in formats if f.strip()))
    unknown = [f for f in checked if f not in FORMATS]
    if unknown or not checked:
        raise ValueError(f"formats={list(formats)!r}: each must be one of {', '.join(FORMATS)}")
    return checked


def build_gallery(runs, out, *, lecture: bool = True, dpi: float = 150, quiet: bool = False,
                  max_dpi: float | None = MAX_DPI, style: str | None = "slides",
                  formats=("png",)) -> list[Path]:
    """Save every fitting picture of ``runs`` (Run objects or paths) under ``out``.

    Parameters
    ----------
    runs : list of Run or path
        The runs to draw; each gets the pictures that fit it (an MLP its network, a CNN its
        feature maps...).
    out : path
        Folder of the pictures and of ``index.html`` / ``index.md``.
    lecture : bool
        Add the run-independent pictures of the lecture (activations, convolution...).
    dpi : float
        Resolution of raster files (PNG; also the rasterised parts of SVG/PDF); above
        ``max_dpi`` it is refused (``max_dpi=None`` lifts the bound).
    style : str or None
        The vizdl style sheet the figures are drawn in (``"slides"``, ``"paper"``;
        ``None``: matplotlib's current style).
    formats : sequence of str or str
        Any of ``"png"``, ``"svg"``, ``"pdf"`` (case-insensitive; ``"png,pdf"`` works).

    Returns
    -------
    list of Path
        The written files. Runs sharing a folder name get distinct file names
        (``xor-curves.png``, ``xor-2-curves.png``).
    """
    from vizdl.runs import Run
    from vizdl.styles import sheets

    check_dpi(dpi, max_dpi)
    formats = check_formats(formats)
    style_context = (lambda: sheets.use(style)) if style is not None else contextlib.nullcontext
    if style is not None:
        sheets.path(style)   # unknown style: ValueError before any work
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    runs = [Run.open(run) if not isinstance(run, Run) else run for run in runs]
    prefixes = unique_prefixes([run.path.name for run in runs], reserved={"lecture"})
    jobs = [(run, prefix, entry) for run, prefix in zip(runs, prefixes) for entry in RUN_ENTRIES if entry.fits(run)]
    jobs += [(None, "lecture", entry) for entry in LECTURE_ENTRIES] if lecture else []
    written = []
    for run, prefix, entry in tqdm(jobs, desc="gallery", unit="figure", disable=quiet):
        paths = [out / f"{prefix}-{entry.name}.{suffix}" for suffix in formats]
        with style_context():
            _save(entry.make(run), paths, dpi)
        written.append((run, entry, paths))
    _write_index(out, [(run, entry, paths) for run, entry, paths in written if all(map(_is_complete, paths))])
    return [path for _, _, paths in written for path in paths]


def safe_name(name: str) -> str:
    """``name`` reduced to letters, digits, ``.``, ``_`` and ``-`` (``"run"`` when nothing is left)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-") or "run"


def unique_prefixes(names: list[str], reserved=frozenset()) -> list[str]:
    """Safe, distinct file-name prefixes for ``names``: the second ``xor`` becomes ``xor-2``."""
    used, prefixes = set(reserved), []
    for name in names:
        base = safe_name(name)
        prefix, count = base, 1
        while prefix in used:
            count += 1
            prefix = f"{base}-{count}"
        used.add(prefix)
        prefixes.append(prefix)
    return prefixes


def _is_complete(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


def _save(figure_or_axes, paths: list[Path], dpi: float) -> None:
    import matplotlib.pyplot as plt

    figure = getattr(figure_or_axes, "figure", figure_or_axes)
    if hasattr(figure_or_axes, "get_figure") and figure_or_axes.get_figure() is not None:
        figure = figure_or_axes.get_figure()
    try:
        for path in paths:
            save_figure(figure, path, dpi=dpi)
    finally:
        plt.close(figure)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~&$:/])")


def _printable(text: str) -> str:
    """``text`` on one line: newlines and other control characters shown as ``\\uXXXX``."""
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in str(text))


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown: the punctuation Markdown (or HTML) could read backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _printable(text))


def markdown_code(text: str) -> str:
    """``text`` as a Markdown code span (literal: no HTML, no emphasis), whatever backticks it holds."""
    text = _printable(text)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def image_url(path: Path) -> str:
    """The relative URL of an image beside the index, percent-encoded (``#``, ``?``, ``%``...)."""
    return quote(path.name, safe="")


def _source_md(run) -> str:
    return "no run needed" if run is None else f"run {markdown_code(str(run.path))}"


def _source_html(run) -> str:
    return "no run needed" if run is None else f"run <code>{html.escape(_printable(run.path))}</code>"


def _shown(paths: list[Path]) -> tuple[Path, list[Path]]:
    """The file an index shows inline (PNG, else SVG, else the first) and the others it links to."""
    shown = next((p for p in paths if p.suffix in (".png", ".svg")), paths[0])
    return shown, [p for p in paths if p != shown]


def _write_index(out: Path, written) -> None:
    """``index.md`` and ``index.html`` listing ``written`` (each written atomically, after the images)."""
    md = ["# vizdl gallery", ""]
    cards = []
    for run, entry, paths in written:
        path, others = _shown(paths)
        links = " ".join(f"[{p.suffix[1:].upper()}]({image_url(p)})" for p in others)
        html_links = " ".join(f"<a href='{html.escape(image_url(p))}'>{p.suffix[1:].upper()}</a>" for p in others)
        md += [f"## {markdown_text(entry.title)}", "",
               f"{markdown_code('vizdl.' + entry.code)} ({_source_md(run)})", "",
               f"![{markdown_text(entry.title)}]({image_url(path)}) {links}".rstrip(), ""]
        cards.append(f"<figure><img src='{html.escape(image_url(path))}' alt='{html.escape(entry.title)}'>"
                     f"<figcaption><b>{html.escape(entry.title)}</b><br><code>vizdl.{html.escape(entry.code)}"
                     f"</code><br><small>{_source_html(run)} {html_links}</small></figcaption></figure>")
    write_text(out / "index.md", "\n".join(md))
    page = ("<!doctype html><meta charset='utf-8'><title>vizdl gallery</title>"
            "<style>body{font-family:sans-serif;margin:2em}figure{display:inline-block;width:46%;"
            "margin:1%;vertical-align:top}img{width:100%;border:1px solid #ddd}</style>"
            "<h1>vizdl gallery</h1>" + "\n".join(cards))
    write_text(out / "index.html", page)
