"""Training techniques (notes Part III): numbers from the training code and runs, checked against torch."""
import math

import numpy as np
import pytest
import torch
from matplotlib.colors import to_hex

import vizdl
from vizdl import figures
from vizdl.ops import techniques as ops
from vizdl.ops.dropout import dropout_masks
from vizdl.ops.timing import devices, time_passes
from vizdl.styles.theme import LIGHT, fmt
from vizdl.testing import assert_matches_control, figure_to_array
from vizdl.training import options
from vizdl.views import techniques as views

DIGITS = vizdl.data.load("digits")


def _train(out, *, hidden=(16,), model_kw=None, record=None, **kw):
    model = vizdl.models.build("mlp", data=DIGITS, hidden=hidden, **(model_kw or {}))
    kw = {"epochs": 2, "lr": 0.1, **kw}
    record = record or vizdl.RecordSpec(every=None, steps=(0,), grads=True, activations=True, probe_size=16)
    return vizdl.train(model, DIGITS, record=record, out=out, quiet=True, **kw)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("techniques")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models: extra threads only contend (as in vizdl.recipes)
    try:
        return _runs(root)
    finally:
        torch.set_num_threads(threads)


def _runs(root):
    return {
        "plateau": _train(root / "plateau", epochs=4, lr=0.5, schedule={"name": "plateau", "patience": 0}),
        "cosine": _train(root / "cosine", epochs=2, schedule="cosine"),
        "stop": _train(root / "stop", epochs=30, lr=0.5, early_stopping=1),
        "clip": _train(root / "clip", epochs=1, lr=0.2, clip_grad_norm=0.4,
                       record=vizdl.RecordSpec(every=5, activations=False)),
        "he": _train(root / "he", hidden=(32, 32, 32), epochs=1, init="he"),
        "xavier": _train(root / "xavier", hidden=(32, 32, 32), epochs=1, init="xavier"),
        "bn": _train(root / "bn", hidden=(16, 16), model_kw={"batch_norm": True}, epochs=1),
        "dropout": _train(root / "dropout", hidden=(16, 16), model_kw={"dropout": 0.5}, epochs=1),
        "l1": _train(root / "l1", epochs=2, l1=0.01),
    }


# -- augmentation ------------------------------------------------------------------------------------
def test_augmentations_are_the_training_loops_own(monkeypatch):
    image = DIGITS.x_train[3].numpy()
    rows = ops.augmentations(image, draws=3, seed=7)
    generator = torch.Generator().manual_seed(7)
    for row in rows:  # the same calls, in the same order, with the same generator
        expected = [options.augment(torch.as_tensor(image)[None], tuple(row.kind.split("+")), generator)[0].numpy()
                    for _ in range(3)]
        np.testing.assert_array_equal(row.images, np.stack(expected))
    calls = []
    monkeypatch.setattr(options, "augment", lambda x, kinds, gen: calls.append(kinds) or x)
    ops.augmentations(image, ("flip", "noise"), draws=2)
    assert calls == [("flip",)] * 2 + [("noise",)] * 2 + [("flip", "noise")] * 2


def test_augmentation_descriptions_match_the_images():
    image = DIGITS.x_train[5].numpy()
    flip, shift, noise, both = ops.augmentations(image, draws=6, seed=1)
    for k in range(6):
        mirrored = image[..., ::-1] if flip.flipped[k] else image
        np.testing.assert_array_equal(flip.images[k], mirrored)
        np.testing.assert_array_equal(shift.images[k], np.roll(image, tuple(shift.shifts[k]), axis=(-2, -1)))
    assert flip.flipped.any() and not flip.flipped.all()  # half of the draws, as the loop flips half a batch
    np.testing.assert_allclose(noise.noise_std, np.std(noise.images - image, axis=(1, 2, 3)), rtol=1e-5)
    assert 0.03 < noise.noise_std.mean() < 0.07  # the loop's noise has std 0.05
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        ops.augmentations(image[0])


def test_augmentation_grid_paints_the_ops_images():
    fig = figures.augmentation_grid(DIGITS, draws=2, seed=3)
    rows = ops.augmentations(DIGITS.x_train[0].numpy(), draws=2, seed=3)
    shown = {im.get_gid(): im.get_array() for ax in fig.axes for im in ax.images}
    for row in rows:
        for k in range(2):
            np.testing.assert_array_equal(shown[f"{row.kind}-{k}"], row.images[k, 0])
    captions = [ax.get_xlabel() for ax in fig.axes]
    assert "mirrored" in captions or "not mirrored" in captions
    assert any(c.startswith("noise \u03c3 ") for c in captions)


# -- learning-rate schedules ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["plateau", "cosine"])
def test_replayed_schedule_is_the_logged_lr(runs, name):
    run = runs[name]
    _, logged = run.metric("lr")
    np.testing.assert_array_equal(ops.run_schedule_lrs(run, name), logged)


def test_schedule_shapes_equal_torch_formulas():
    lr, epochs, per = 0.2, 3, 10
    total = epochs * per
    t = np.arange(total)
    cosine = ops.schedule_lrs("cosine", lr=lr, epochs=epochs, steps_per_epoch=per)
    np.testing.assert_allclose(cosine, lr * (1 + np.cos(np.pi * t / total)) / 2, atol=1e-12)
    step = ops.schedule_lrs({"name": "step", "step_size": 7, "gamma": 0.5}, lr=lr, epochs=epochs, steps_per_epoch=per)
    np.testing.assert_allclose(step, lr * 0.5 ** (t // 7))
    exponential = ops.schedule_lrs({"name": "exponential", "gamma": 0.9}, lr=lr, epochs=epochs, steps_per_epoch=per)
    np.testing.assert_allclose(exponential, lr * 0.9 ** t)
    warmup = ops.schedule_lrs({"name": "warmup", "warmup_steps": 4}, lr=lr, epochs=epochs, steps_per_epoch=per)
    np.testing.assert_allclose(warmup, lr * np.minimum(1, (t + 1) / 4))
    plateau = ops.schedule_lrs({"name": "plateau", "patience": 0, "factor": 0.5}, lr=lr, epochs=epochs,
                               steps_per_epoch=per, val_losses=[1.0, 2.0, 3.0])
    np.testing.assert_allclose(plateau, np.repeat([lr, lr, lr / 2], per))  # the second epoch did not improve
    with pytest.raises(ValueError, match="val_losses"):
        ops.schedule_lrs("plateau", lr=lr, epochs=epochs, steps_per_epoch=per)


def test_lr_schedules_figure_draws_the_replayed_lrs(runs):
    ax = figures.lr_schedules(runs["plateau"])
    lines = {line.get_gid(): line for line in ax.lines}
    assert set(lines) == {f"lr-{n}" for n in figures.techniques.SCHEDULES}
    _, logged = runs["plateau"].metric("lr")
    np.testing.assert_array_equal(lines["lr-plateau"].get_ydata(), logged)
    assert [to_hex(lines[f"lr-{n}"].get_color()) for n in ("step", "cosine")] == [LIGHT.color("run 0"),
                                                                                   LIGHT.color("run 2")]


# -- early stopping ----------------------------------------------------------------------------------------
def test_early_stopping_replay_agrees_with_the_run(runs):
    run = runs["stop"]
    trace = ops.early_stopping_trace(run)
    _, val = run.metric("val_loss")
    assert run.meta["status"] == "stopped_early" and trace.stop_epoch == len(val) < 30
    assert trace.best_epoch == int(np.argmin(val)) + 1 and trace.best_loss == val.min()
    assert trace.stop_epoch - trace.best_epoch == trace.patience == 1
    with pytest.raises(ValueError, match="without early_stopping"):
        ops.early_stopping_trace(runs["cosine"])


def test_early_stopping_figure(runs):
    run = runs["stop"]
    trace = ops.early_stopping_trace(run)
    ax = figures.early_stopping(run)
    lines = {line.get_gid(): line for line in ax.lines}
    assert lines["best"].get_xydata().tolist() == [[trace.best_epoch, trace.best_loss]]
    assert lines["stop"].get_xdata()[0] == trace.stop_epoch
    np.testing.assert_array_equal(lines["val"].get_ydata(), run.metric("val_loss")[1])
    texts = {t.get_gid(): t.get_text() for t in ax.texts}
    assert texts["best-label"] == f"best: epoch {trace.best_epoch}, {fmt(trace.best_loss, 3)}"
    assert to_hex(lines["best"].get_color()) == LIGHT.color("focus")
    assert [s.name for s in views.early_stopping_view(trace).story] == ["curves", "best", "patience", "stop"]


# -- gradient clipping ---------------------------------------------------------------------------------------
def test_clipped_norm_is_torchs():
    grads = [torch.randn(5, 3) * 3, torch.randn(7)]
    params = [torch.zeros_like(g, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    before = float(torch.nn.utils.clip_grad_norm_(params, 1.5))
    after = float(torch.sqrt(sum((p.grad ** 2).sum() for p in params)))
    assert ops.clipped_norm(before, 1.5) == pytest.approx(after, rel=1e-6)
    assert ops.clipped_norm(0.5, 1.5) == 0.5


def test_clipping_trace_equals_the_recorded_gradients(runs):
    run = runs["clip"]
    trace = ops.clipping_trace(run)
    assert trace.threshold == 0.4 and trace.clipped.any()
    recorded = [s for s in run.steps if run.grads(s)]
    for step in recorded:  # the recorded gradients are the ones the optimizer used: after clipping
        k = int(np.flatnonzero(trace.steps == step)[0])
        assert ops.recorded_grad_norm(run, step) == pytest.approx(trace.after[k], rel=1e-5)
    with pytest.raises(ValueError, match="without clip_grad_norm"):
        ops.clipping_trace(runs["cosine"])


def test_gradient_clipping_figure(runs):
    trace = ops.clipping_trace(runs["clip"])
    ax = figures.gradient_clipping(runs["clip"])
    lines = {line.get_gid(): line for line in ax.lines}
    np.testing.assert_array_equal(lines["before"].get_ydata(), trace.before)
    np.testing.assert_array_equal(lines["after"].get_ydata(), trace.after)
    assert lines["threshold"].get_ydata()[0] == 0.4
    assert to_hex(lines["after"].get_color()) == LIGHT.color("gradient")


# -- initialisation ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("init", ["he", "xavier"])
def test_initial_weights_have_the_notes_variance(runs, init):
    for name, w in ops.layer_values(runs[init], 0, "weight"):
        n_out, n_in = w.shape
        expected = math.sqrt(2 / n_in) if init == "he" else math.sqrt(2 / (n_in + n_out))
        assert np.std(w) == pytest.approx(expected, rel=0.15), name


def test_layer_values_are_torchs_forward_and_the_recorded_grads(runs):
    run = runs["he"]
    model = run.model(0).eval()
    outputs = {}
    hooks = [m.register_forward_hook(lambda m, i, o, n=n: outputs.__setitem__(n, o.detach().numpy()))
             for n, m in model.named_modules() if isinstance(m, torch.nn.ReLU)]
    with torch.no_grad():
        model(torch.as_tensor(run.probe["inputs"]))
    for hook in hooks:
        hook.remove()
    acts = ops.layer_values(run, 0, "act")
    assert [n for n, _ in acts] == ["net.2", "net.4", "net.6"]
    for name, values in acts:
        np.testing.assert_allclose(values, outputs[name], rtol=1e-5, atol=1e-6)
    grads = ops.layer_values(run, 0, "grad")
    assert [n for n, _ in grads] == ["net.1.weight", "net.3.weight", "net.5.weight", "net.7.weight"]
    np.testing.assert_array_equal(grads[0][1], run.grads(0)["net.1.weight"])


def test_weight_init_figure(runs):
    fig = figures.weight_init([runs["xavier"], runs["he"]], labels=["Xavier", "He"])
    top = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title().split("\n")[0] for ax in top] == ["Xavier", "He"]
    w1 = ops.layer_values(runs["he"], 0, "weight")[0][1]
    assert top[1].get_title().split("\n")[1] == f"\u03c3(W\u2081) = {fmt(np.std(w1), 3)}"
    violins = [c for ax in fig.axes for c in ax.collections if (c.get_gid() or "").startswith("dist-")]
    assert len(violins) == 2 * (3 + 4)  # 3 activations, 4 weight gradients per run
    assert to_hex(violins[0].get_facecolor()[0]) == LIGHT.color("run 0")


# -- batch normalisation ----------------------------------------------------------------------------------------
def test_batch_norm_preactivations_are_the_batchnorm_outputs(runs):
    run = runs["bn"]
    pre = ops.layer_values(run, run.steps[-1], "preact")
    assert [n for n, _ in pre] == ["net.2", "net.5"]  # Linear, BatchNorm1d, ReLU per hidden layer
    model = run.model(run.steps[-1]).eval()
    with torch.no_grad():
        x = torch.as_tensor(run.probe["inputs"])
        expected = model.net[2](model.net[1](model.net[0](x)))
    np.testing.assert_allclose(pre[0][1], expected.numpy(), rtol=1e-5, atol=1e-6)
    fig = figures.batch_norm([run, runs["he"]], labels=["BatchNorm", "plain"])
    assert fig.axes[1].get_legend().get_texts()[0].get_text() == "BatchNorm"


# -- dropout ------------------------------------------------------------------------------------------------------
def test_dropout_masks_are_the_masks_of_a_real_forward(runs):
    run = runs["dropout"]
    model = run.model().eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.as_tensor(run.probe["inputs"])
    passes = dropout_masks(model, x, seed=5)
    assert [p.layer for p in passes] == ["net.3", "net.6"] and not model.training
    seen = {}
    copy = run.model().train()
    hooks = [m.register_forward_hook(lambda m, i, o, n=n: seen.__setitem__(n, (i[0].numpy(), o.numpy())))
             for n, m in copy.named_modules() if isinstance(m, torch.nn.Dropout)]
    with torch.random.fork_rng(), torch.no_grad():
        torch.manual_seed(5)
        copy(x)
    for hook in hooks:
        hook.remove()
    for p in passes:
        inputs, outputs = seen[p.layer]
        np.testing.assert_array_equal(p.outputs, outputs)
        np.testing.assert_allclose(outputs, np.where(p.kept, inputs * 2.0, 0.0), rtol=1e-6)
        assert 0.3 < p.dropped_fraction < 0.7
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    with pytest.raises(ValueError, match="no nn.Dropout"):
        dropout_masks(runs["he"].model(), x)


def test_dropout_figure_drops_the_masked_units(runs):
    run = runs["dropout"]
    passes = dropout_masks(run.model(), run.probe["inputs"], seed=0)
    fig = figures.dropout_network(run, sample=2, max_units=8)
    train_ax, eval_ax = fig.axes
    dropped_color = LIGHT.color("dropped")
    for layer, p in enumerate(passes, start=1):
        for unit in range(8):
            patch = next(a for a in train_ax.patches if a.get_gid() == f"node-u-{layer}-{unit}")
            assert (to_hex(patch.get_facecolor()) == dropped_color) == (not p.kept[2, unit])
    assert not any(to_hex(a.get_facecolor()) == dropped_color for a in eval_ax.patches if
                   (a.get_gid() or "").startswith("node-"))
    texts = {t.get_gid(): t.get_text() for t in train_ax.texts}
    assert texts["size-1"] == f"hidden 1\n{int((~passes[0].kept[2]).sum())} of 16 off"
    kept_edges = [a for a in train_ax.patches if (a.get_gid() or "").startswith("edge-u-1-")]
    assert len(kept_edges) == int(p.kept[2, :8].sum() * passes[0].kept[2, :8].sum())


# -- L1 / L2 ---------------------------------------------------------------------------------------------------
def test_penalties_and_sparsity_equal_torch():
    theta = torch.linspace(-2, 2, 9, dtype=torch.float64)
    values = ops.penalties(theta.numpy())
    np.testing.assert_array_equal(values["L1"], theta.abs().numpy())
    np.testing.assert_array_equal(values["L2"], theta.pow(2).numpy())
    w = torch.tensor([0.0, 0.005, -0.02, 0.3])
    assert ops.sparsity(w.numpy(), 0.01) == float((w.abs() < 0.01).float().mean())


def test_regularization_figure(runs):
    fig = figures.regularization([runs["cosine"], runs["l1"]])
    left, right = fig.axes
    assert [t.get_text() for t in right.get_legend().get_texts()][1].startswith("L1 = 0.01: ")
    values = ops.weight_matrix_values(runs["l1"])
    share = ops.sparsity(values, 1e-2)
    assert right.get_legend().get_texts()[1].get_text() == f"L1 = 0.01: {fmt(100 * share, 1)}% \u2248 0"
    assert values.size == sum(w.size for k, w in runs["l1"].weights().items() if k.endswith("weight"))
    assert {line.get_gid() for line in left.lines} == {"penalty-l1", "penalty-l2"}


# -- GPU acceleration ----------------------------------------------------------------------------------------------
def test_time_passes_measures_each_device():
    model = vizdl.models.build("mlp", data=DIGITS, hidden=(8,))
    timings = time_passes(model, DIGITS.x_train[:32], DIGITS.y_train[:32], repeats=2, warmup=1)
    assert [t.device for t in timings] == devices()
    assert all(t.forward_ms > 0 and t.backward_ms > 0 and t.batch_size == 32 for t in timings)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="torch sees no GPU"):
            time_passes(model, DIGITS.x_train[:4], DIGITS.y_train[:4], devices_=["cuda"])
    ax = figures.device_timing(timings)
    for kind in ("forward", "backward"):
        widths = [p.get_width() for p in ax.patches if p.get_gid() == kind]
        assert widths == [getattr(t, f"{kind}_ms") for t in timings]
    assert to_hex(next(p for p in ax.patches if p.get_gid() == "backward").get_facecolor()) == LIGHT.color("gradient")
    labels = [t.get_text() for t in ax.texts if t.get_text().endswith(" ms")]
    assert labels == [f"{fmt(t.forward_ms, 1)} ms" for t in timings] + [f"{fmt(t.backward_ms, 1)} ms" for t in timings]
    note = [t.get_text() for t in ax.texts if t.get_gid() == "note"]
    assert bool(note) == (not torch.cuda.is_available())


# -- models, theme, recipes --------------------------------------------------------------------------------------------
def test_mlp_batch_norm_and_dropout_options():
    model = vizdl.models.build("mlp", data=DIGITS, hidden=(8, 8), batch_norm=True, dropout=0.25)
    types = [type(m).__name__ for m in model.net]
    assert types == ["Flatten", "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "BatchNorm1d", "ReLU",
                     "Dropout", "Linear"]
    again = vizdl.models.build("mlp", **model.vizdl_spec["config"])
    assert [type(m).__name__ for m in again.net] == types
    plain = vizdl.models.build("mlp", data=DIGITS, hidden=(8, 8))
    assert [type(m).__name__ for m in plain.net] == ["Flatten", "Linear", "ReLU", "Linear", "ReLU", "Linear"]
    with pytest.raises(ValueError, match="dropout must be a number in"):
        vizdl.models.build("mlp", data=DIGITS, dropout=1.0)
    with pytest.raises(ValueError, match="batch_norm must be True or False"):
        vizdl.models.build("mlp", data=DIGITS, batch_norm="yes")


def test_run_role_is_the_class_palette():
    assert LIGHT.color("run 3") == LIGHT.color("class 3")
    assert LIGHT.color("dropped") != LIGHT.color("panel")


def test_recipe_init_std_and_stable_keys():
    from dataclasses import replace

    from vizdl.recipes import RECIPES, _normal_init

    plain = RECIPES["xor-mlp"]
    assert replace(plain, init_std=None).key() == plain.key() != replace(plain, init_std=0.3).key()
    model = vizdl.models.build("mlp", data=DIGITS, hidden=(256,))
    _normal_init(model, 0.3, seed=0)
    assert np.std(model.net[1].weight.detach().numpy()) == pytest.approx(0.3, rel=0.02)
    assert not model.net[1].bias.detach().any()
    assert RECIPES["digits-init-large"].init_std == 0.3


# -- controls (low resolution, paper style) ------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("name", ["early_stopping", "dropout_network", "augmentation_grid", "weight_init"])
def test_technique_controls(runs, name):
    calls = {"early_stopping": lambda: figures.early_stopping(runs["stop"]),
             "dropout_network": lambda: figures.dropout_network(runs["dropout"]),
             "augmentation_grid": lambda: figures.augmentation_grid(DIGITS),
             "weight_init": lambda: figures.weight_init([runs["xavier"], runs["he"]])}
    with vizdl.styles.use("paper"):
        picture = calls[name]()
    assert_matches_control(f"technique_{name}", figure_to_array(getattr(picture, "figure", picture)))


def test_every_chart_element_appears_in_a_step(runs):
    trace = ops.early_stopping_trace(runs["stop"])
    charts = [views.early_stopping_view(trace, np.ones_like(trace.val_loss)),
              views.clipping_view(ops.clipping_trace(runs["clip"])),
              views.schedules_view({"cosine": np.linspace(1, 0, 10)}, lr=1.0, steps_per_epoch=5),
              views.penalties_view()]
    for chart in charts:
        assert {i for step in chart.story for i in step.reveal} == chart.element_ids(), chart.title
