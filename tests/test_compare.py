"""The CIFAR section (notes Part II §1.3): runs compared, the architecture drawn from the model, optimizer paths."""
import json

import numpy as np
import pytest
import torch
from matplotlib.colors import to_hex
from torch import nn

import vizdl
from vizdl import figures
from vizdl.figures.descent import descent_path, loss_2d
from vizdl.ops.architecture import architecture_blocks, blocks_from_rows
from vizdl.ops.compare import differing_settings, epoch_curves, settings
from vizdl.ops.optimizers import loss_surface, optimizer_path
from vizdl.styles.theme import LIGHT, fmt
from vizdl.testing import assert_matches_control, figure_to_array
from vizdl.views.compare import compare_view, run_labels

DIGITS = vizdl.data.load("digits")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        out = {}
        for name, model, kw in (("fc-sgd", "mlp", {"optimizer": "sgd", "lr": 0.1}),
                                ("fc-adam", "mlp", {"optimizer": "adam", "lr": 0.003}),
                                ("cnn", "cifar_cnn", {"optimizer": "adam", "lr": 0.003})):
            net = vizdl.models.build(model, data=DIGITS, **({"hidden": (32,)} if model == "mlp" else {}))
            out[name] = vizdl.train(net, DIGITS, epochs=3, record=vizdl.RecordSpec(every=None, steps=(0,)),
                                    out=root / name, quiet=True, **kw)
        return out
    finally:
        torch.set_num_threads(threads)


# -- compare_runs --------------------------------------------------------------------------------------------
def test_epoch_curves_are_the_metrics_per_epoch(runs):
    run = runs["fc-sgd"]
    lines = [json.loads(line) for line in (run.path / "metrics.jsonl").read_text().splitlines()]
    steps_per_epoch = {}
    for line in lines:
        if "loss" in line:
            steps_per_epoch.setdefault(line["epoch"], []).append(line["loss"])
    curves = epoch_curves(run, "loss")
    np.testing.assert_array_equal(curves.epochs, [1, 2, 3])
    np.testing.assert_allclose(curves.train, [np.mean(steps_per_epoch[e]) for e in range(3)])
    np.testing.assert_array_equal(curves.val, [line["val_loss"] for line in lines if "val_loss" in line])
    acc = epoch_curves(run, "acc")
    assert (acc.val <= 1).all() and acc.gap.shape == (3,)
    with pytest.raises(ValueError, match="metric"):
        epoch_curves(run, "perplexity")


def test_labels_say_what_tells_the_runs_apart(runs):
    assert run_labels([runs["fc-sgd"], runs["fc-adam"]]) == ["SGD, \u03bb = 0.1", "Adam, \u03bb = 0.003"]
    assert run_labels([runs["fc-adam"], runs["cnn"]]) == ["mlp", "Model 2 (CNN)"]  # not the models' own options
    a, b = settings(runs["fc-adam"]), settings(runs["cnn"])
    assert "hidden" in a and "padding" in b and differing_settings([a, b]) == ["model"]


def test_compare_runs_draws_each_run_in_its_colour_and_each_split_in_its_style(runs):
    chosen = [runs["fc-sgd"], runs["fc-adam"], runs["cnn"]]
    ax = figures.compare_runs(chosen, "loss")
    lines = {line.get_gid(): line for line in ax.lines if line.get_gid()}
    for k, run in enumerate(chosen):
        curves = epoch_curves(run, "loss")
        np.testing.assert_array_equal(lines[f"train-{k}"].get_ydata(), curves.train)
        np.testing.assert_array_equal(lines[f"val-{k}"].get_ydata(), curves.val)
        assert to_hex(lines[f"train-{k}"].get_color()) == to_hex(lines[f"val-{k}"].get_color()) == \
            LIGHT.color(f"run {k}")
        assert (lines[f"train-{k}"].get_linestyle(), lines[f"val-{k}"].get_linestyle()) == ("-", "--")
    colours = {LIGHT.color(f"run {k}") for k in range(3)}
    assert not colours & {LIGHT.color("positive"), LIGHT.color("negative")}
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == run_labels(chosen) + ["training", "validation"]
    gaps = [c for c in ax.collections if (c.get_gid() or "").startswith("gap-")]
    assert len(gaps) == 3


def test_compare_view_story_and_checks(runs):
    view = compare_view([runs["fc-sgd"], runs["fc-adam"]], "acc", labels=["a", "b"])
    assert [s.name for s in view.story] == ["run-0", "run-1", "gap"]
    last = epoch_curves(runs["fc-adam"], "acc")
    assert view.story.steps[1].caption == (f"b: after 3 epochs the training accuracy is {fmt(last.train[-1])} "
                                           f"and the validation accuracy {fmt(last.val[-1])}.")
    with pytest.raises(ValueError, match="one per run"):
        compare_view([runs["fc-sgd"]], labels=["a", "b"])
    early = figures.compare_runs([runs["fc-sgd"], runs["fc-adam"]], step="run-0")
    assert {line.get_gid() for line in early.lines if line.get_gid()} == {"train-0", "val-0"}


def test_compare_runs_panels_and_style(runs):
    with vizdl.styles.use("slides"):
        fig = figures.compare_runs_panels([runs["fc-sgd"], runs["cnn"]])
    assert tuple(fig.get_size_inches()) == (12.8, 7.2)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    assert fig.axes[0].get_legend() is not None and fig.axes[1].get_legend() is None


# -- architecture ----------------------------------------------------------------------------------------------
def test_blocks_follow_the_recorded_forward_order_and_shapes(runs):
    run = runs["cnn"]
    blocks = architecture_blocks(run)
    assert [b.kind for b in blocks] == ["input", "conv", "pool", "conv", "pool", "flatten", "dense", "dense", "dense"]
    model = run.model()
    shapes, hooks = {}, []
    for name, module in model.named_modules():
        if not list(module.children()):
            hooks.append(module.register_forward_hook(
                lambda m, i, o, n=name: shapes.__setitem__(n, tuple(o.shape[1:]))))
    with torch.no_grad():
        model.eval()(torch.zeros(1, 1, 8, 8))
    for hook in hooks:
        hook.remove()
    last_of_block = ["features.1", "features.2", "features.4", "features.5", "flatten", "classifier.1",
                     "classifier.3", "classifier.4"]
    assert [b.shape for b in blocks[1:]] == [shapes[n] for n in last_of_block]
    assert sum(b.params for b in blocks) == sum(p.numel() for p in model.parameters())
    assert [b.shape for b in architecture_blocks(model)] == [b.shape for b in blocks]


class _Backwards(nn.Module):
    """Modules defined (and named) in the reverse of the order forward calls them."""

    def __init__(self):
        super().__init__()
        self.a_head = nn.Linear(24, 10)
        self.b_pool = nn.MaxPool2d(2)
        self.c_conv = nn.Conv2d(1, 6, 3, padding=1)

    def forward(self, x):
        return self.a_head(self.b_pool(self.c_conv(x)).flatten(1))


def test_blocks_of_any_model_are_in_forward_order_never_by_name():
    blocks = architecture_blocks(_Backwards(), (1, 4, 4))
    assert [(b.kind, b.name, b.shape) for b in blocks] == [
        ("input", "", (1, 4, 4)), ("conv", "c_conv", (6, 4, 4)), ("pool", "b_pool", (6, 2, 2)),
        ("dense", "a_head", (10,))]
    with pytest.raises(ValueError, match="input_shape"):
        architecture_blocks(_Backwards())


def test_blocks_take_the_recorders_layer_order_when_it_has_one(runs):
    run = runs["cnn"]
    rows = (run.meta["model"]["summary"])["rows"]
    reversed_rows = [dict(r) for r in reversed(rows)]
    assert blocks_from_rows(reversed_rows, (1, 8, 8))[1].name == "classifier.4"

    class _Ordered:
        meta = {"model": {"summary": {"rows": reversed_rows, "input_shape": [1, 8, 8]}}}
        layer_order = [r["name"] for r in rows]
        path = run.path
    from vizdl.ops.architecture import summary_rows

    assert [r["name"] for r in summary_rows(_Ordered())] == [r["name"] for r in rows]


def test_architecture_diagram_writes_the_blocks(runs):
    from vizdl.views.architecture import architecture_view, layer_text, shape_text

    ax = figures.architecture_diagram(runs["cnn"])
    blocks = architecture_blocks(runs["cnn"])
    texts = {t.get_gid(): t.get_text() for t in ax.texts}
    for k, block in enumerate(blocks):
        assert texts[f"block-{k}-shape"] == shape_text(block.shape)
        assert texts[f"block-{k}-layers"] == layer_text(block.layers, "\n+ ")
    view = architecture_view(blocks)
    fronts = {p.get_gid(): p for p in ax.patches}
    for volume in view.volumes:
        assert to_hex(fronts[f"{volume.id}-front"].get_facecolor()) == LIGHT.color(volume.role)
    assert texts["block-1-shape"] == "6\u00d78\u00d78" and ax.get_title().startswith("Model 2 (CNN) on digits")


def test_architecture_of_the_notes_model_2_on_cifar():
    model = vizdl.models.build("cifar_cnn")
    shapes = [b.shape for b in architecture_blocks(model)]
    assert shapes == [(3, 32, 32), (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5), (400,), (120,), (84,), (10,)]


@pytest.mark.slow
def test_architecture_control():
    with vizdl.styles.use("paper"):
        fig = figures.architecture_diagram(vizdl.models.build("cifar_cnn"), input_shape=(3, 32, 32)).figure
    assert_matches_control("architecture_cifar_cnn", figure_to_array(fig))


# -- optimizers ----------------------------------------------------------------------------------------------------
def test_sgd_path_is_plain_gradient_descent():
    np.testing.assert_allclose(optimizer_path(loss_2d, [-2.5, 1.5], optimizer="sgd", lr=0.1, steps=15),
                               descent_path(loss_2d, [-2.5, 1.5], lr=0.1, steps=15), atol=1e-12)


def test_adam_and_momentum_paths_follow_the_notes_formulas():
    start, lr, steps = np.array([-2.5, 1.5]), 0.3, 12
    grad = lambda t: np.array([t[0], 10 * t[1]])  # noqa: E731  gradient of loss_2d
    theta, m, v, path = start.copy(), np.zeros(2), np.zeros(2), [start.copy()]
    for t in range(1, steps + 1):  # Adam with torch's defaults: beta1 0.9, beta2 0.999, eps 1e-8
        g = grad(theta)
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g ** 2
        theta = theta - lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        path.append(theta.copy())
    np.testing.assert_allclose(optimizer_path(loss_2d, start, optimizer="adam", lr=lr, steps=steps), path)
    theta, velocity, path = start.copy(), np.zeros(2), [start.copy()]
    for _ in range(steps):  # SGD with momentum 0.9, torch's form: v <- 0.9 v + g, theta <- theta - lr v
        velocity = 0.9 * velocity + grad(theta)
        theta = theta - 0.05 * velocity
        path.append(theta.copy())
    np.testing.assert_allclose(optimizer_path(loss_2d, start, optimizer="momentum", lr=0.05, steps=steps), path)


def test_loss_surface_is_the_loss_at_each_point():
    X, Y, Z = loss_surface(loss_2d, (-1, 1), (-2, 2), n=5)
    assert Z[0, 0] == pytest.approx(0.5 * (1 + 10 * 4)) and Z[2, 2] == 0
    X2, Y2, Z2 = loss_surface(lambda t: (t ** 2).sum(), (-1, 1), (-2, 2), n=5)  # a loss that reduces: point by point
    np.testing.assert_allclose(Z2, X2 ** 2 + Y2 ** 2)


def test_optimizer_paths_figure():
    ax = figures.optimizer_paths(optimizers={"sgd": 0.1, "adam": 0.3}, steps=10)
    lines = {line.get_gid(): line for line in ax.lines if line.get_gid()}
    np.testing.assert_allclose(lines["path-adam"].get_xydata(),
                               optimizer_path(loss_2d, (-2.5, 1.5), optimizer="adam", lr=0.3, steps=10))
    assert to_hex(lines["path-sgd"].get_color()) == LIGHT.color("run 0")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["SGD, \u03bb = 0.1", "Adam, \u03bb = 0.3"]


@pytest.mark.slow
def test_compare_runs_control(runs):
    with vizdl.styles.use("paper"):
        fig = figures.compare_runs([runs["fc-sgd"], runs["fc-adam"], runs["cnn"]]).figure
    assert_matches_control("compare_runs", figure_to_array(fig))


@pytest.mark.slow
def test_optimizer_paths_control():
    with vizdl.styles.use("paper"):
        fig = figures.optimizer_paths().figure
    assert_matches_control("optimizer_paths", figure_to_array(fig))
