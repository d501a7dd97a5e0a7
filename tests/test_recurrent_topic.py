"""Recurrent networks: every number of the RNN / LSTM / GRU pictures against torch, painters against the views."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import vizdl
from vizdl.ops.recurrent import (
    gradient_through_time,
    recurrent_trace,
    time_index,
    trace_from_weights,
    training_gradient_norms,
)
from vizdl.styles.theme import LIGHT, fmt

CELLS = ("rnn", "lstm", "gru")


def _tiny_run(root, cell, **train):
    """A few seconds of training on 'first' over 5 tokens (4 units), recorded every 3 steps."""
    data = vizdl.data.load("sequences", task="first", seq_len=5, vocab_size=3, n=200)
    extra = {"forget_bias": 1.0} if cell == "lstm" else {}
    model = vizdl.models.build(cell, data=data, hidden=4, embed_dim=3, **extra)
    record = train.pop("record", vizdl.RecordSpec(every=3, activations=["states"], probe_size=4))
    return vizdl.train(model, data, epochs=2, lr=0.05, optimizer="adam", record=record, out=root / cell, quiet=True,
                       **train)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("recurrent")
    return {cell: _tiny_run(root, cell) for cell in CELLS}


def _model(cell, layers=1, seed=0):
    return vizdl.models.build(cell, input_shape=(6,), num_classes=3, vocab_size=5, hidden=4, embed_dim=3,
                              num_layers=layers, seed=seed).eval()


def _weights(model):
    return {k: v.detach().numpy() for k, v in model.state_dict().items()}


def _torch_steps(model, tokens):
    """Top-layer (h_t, c_t) of every prefix, from torch's own layer."""
    embedded = model.embed(torch.as_tensor(tokens)[None])
    states = []
    with torch.no_grad():
        for t in range(1, embedded.shape[1] + 1):
            _, state = model.rnn(embedded[:, :t])
            h, c = state if isinstance(state, tuple) else (state, None)
            states.append((h[-1, 0].numpy(), None if c is None else c[-1, 0].numpy()))
    return states


# -- ops: the trace against torch --------------------------------------------------------
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("layers", [1, 2])
def test_trace_states_equal_torch(cell, layers):
    model = _model(cell, layers)
    tokens = np.array([3, 0, 4, 1, 1, 2])
    trace = trace_from_weights(_weights(model), cell, tokens)
    for k, (h, c) in enumerate(_torch_steps(model, tokens)):
        np.testing.assert_allclose(trace.hidden[k], h, atol=1e-6)
        if cell == "lstm":
            np.testing.assert_allclose(trace.cell_state[k], c, atol=1e-6)
    with torch.no_grad():
        probabilities = F.softmax(model(torch.as_tensor(tokens)[None]), dim=-1)[0].numpy()
    np.testing.assert_allclose(trace.readout[-1], probabilities, atol=1e-6)
    if layers == 2:  # the lower layer's last state is torch's h_n[0]
        with torch.no_grad():
            _, state = model.rnn(model.embed(torch.as_tensor(tokens)[None]))
        h_n = (state[0] if isinstance(state, tuple) else state)[0, 0].numpy()
        np.testing.assert_allclose(trace_from_weights(_weights(model), cell, tokens, layer=0).hidden[-1], h_n,
                                   atol=1e-6)


def test_lstm_gates_rebuild_torch_states():
    """c_t = f c_{t-1} + i g and h_t = o tanh(c_t) with torch's states: a gate in the wrong place fails."""
    model = _model("lstm")
    tokens = np.array([1, 4, 0, 2, 2, 3])
    trace = trace_from_weights(_weights(model), "lstm", tokens)
    states = _torch_steps(model, tokens)
    c_prev = np.zeros(4)
    for k, (h, c) in enumerate(states):
        f, i, g, o = (trace.gates[n][k] for n in ("forget", "input", "candidate", "output"))
        np.testing.assert_allclose(f * c_prev + i * g, c, atol=1e-6)
        np.testing.assert_allclose(o * np.tanh(c), h, atol=1e-6)
        assert np.all((0 < f) & (f < 1) & (0 < i) & (i < 1) & (0 < o) & (o < 1))
        c_prev = c


def test_gru_gates_rebuild_torch_states():
    """n = tanh(W_in x + b_in + r (W_hn h + b_hn)) and h_t = (1 - z) n + z h_{t-1} with torch's states."""
    model = _model("gru")
    tokens = np.array([0, 4, 4, 1, 3, 2])
    trace = trace_from_weights(_weights(model), "gru", tokens)
    w_ih, w_hh = model.rnn.weight_ih_l0.detach().numpy(), model.rnn.weight_hh_l0.detach().numpy()
    b_ih, b_hh = model.rnn.bias_ih_l0.detach().numpy(), model.rnn.bias_hh_l0.detach().numpy()
    x = model.embed.weight.detach().numpy()[tokens]
    h_prev = np.zeros(4)
    for k, (h, _) in enumerate(_torch_steps(model, tokens)):
        r, z, n = (trace.gates[name][k] for name in ("reset", "update", "candidate"))
        np.testing.assert_allclose(n, np.tanh(w_ih[8:] @ x[k] + b_ih[8:] + r * (w_hh[8:] @ h_prev + b_hh[8:])),
                                   atol=1e-6)
        np.testing.assert_allclose((1 - z) * n + z * h_prev, h, atol=1e-6)
        h_prev = h


@pytest.mark.parametrize("cell", CELLS)
def test_trace_equals_the_recorded_states(runs, cell):
    run = runs[cell]
    for step in (run.steps[0], run.steps[-1]):
        for sample in range(2):
            trace = recurrent_trace(run, step, sample=sample)
            np.testing.assert_allclose(trace.hidden, run.activations(step)["states"][sample], atol=1e-5)
            assert trace.label == run.probe["labels"][sample] and trace.step == step


def _manual_gradients(model, tokens, labels):
    """||d l_n / d h_t|| by autograd through torch's equations written out, with a zero probe added to each h_t."""
    cell = model.vizdl_spec["name"]
    w_ih, w_hh = model.rnn.weight_ih_l0, model.rnn.weight_hh_l0
    b_ih, b_hh = model.rnn.bias_ih_l0, model.rnn.bias_hh_l0
    x = model.embed(torch.as_tensor(tokens).long())
    size = w_hh.shape[1]
    h = torch.zeros(x.shape[0], size, dtype=x.dtype)
    c = torch.zeros_like(h)
    probes = []
    for t in range(x.shape[1]):
        a, b = x[:, t] @ w_ih.T + b_ih, h @ w_hh.T + b_hh
        if cell == "rnn":
            h = torch.tanh(a + b)
        elif cell == "lstm":
            i, f, g, o = (a + b).chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        else:
            (ar, az, an), (br, bz, bn) = a.chunk(3, dim=1), b.chunk(3, dim=1)
            r, z = torch.sigmoid(ar + br), torch.sigmoid(az + bz)
            h = (1 - z) * torch.tanh(an + r * bn) + z * h
        probe = torch.zeros_like(h, requires_grad=True)
        h = h + probe
        probes.append(probe)
    loss = F.cross_entropy(model.head(h), torch.as_tensor(labels).long(), reduction="sum")
    grads = torch.autograd.grad(loss, probes)
    return np.stack([g.norm(dim=1).detach().numpy() for g in grads], axis=1)


@pytest.mark.parametrize("cell", CELLS)
def test_gradient_through_time_equals_autograd_on_the_equations(runs, cell):
    run = runs[cell]
    result = gradient_through_time(run)
    assert result.step == run.steps[0] and result.norms.shape == (4, 5)
    model = run.model(run.steps[0]).double()
    expected = _manual_gradients(model, run.probe["inputs"], run.probe["labels"])
    np.testing.assert_allclose(result.norms, expected, rtol=1e-9, atol=1e-14)
    assert result.ratio == pytest.approx(expected.mean(0)[0] / expected.mean(0)[-1])


def test_training_gradient_norms_before_and_after_clipping(tmp_path):
    clipped = _tiny_run(tmp_path, "rnn", clip_grad_norm=0.05,
                        record=vizdl.RecordSpec(every=1, activations=False, probe_size=4))
    grads = training_gradient_norms(clipped)
    assert grads.clip == 0.05
    steps, logged = clipped.metric("grad_norm")
    np.testing.assert_array_equal(grads.steps, steps)
    np.testing.assert_array_equal(grads.norm, logged)
    before = dict(zip(grads.steps, grads.norm))
    for step, applied in zip(grads.applied_steps, grads.applied):
        assert applied == pytest.approx(min(before[step], 0.05), rel=1e-5)


def test_training_gradient_norms_without_clipping_are_the_recorded_gradients(runs):
    run = runs["rnn"]
    grads = training_gradient_norms(run)
    assert grads.clip is None and list(grads.steps) == [s for s in run.steps if run.grads(s)]
    norm = torch.linalg.vector_norm(torch.cat([torch.from_numpy(g).ravel() for g in run.grads(run.steps[0]).values()]))
    assert grads.norm[0] == pytest.approx(float(norm), rel=1e-6)


def test_bad_input_is_refused(runs, tmp_path):
    with pytest.raises(ValueError, match=r"t must be a time step in 1\.\.5.*got 0"):
        time_index(0, 5)
    with pytest.raises(ValueError, match=r"t must be a time step in 1\.\.5.*got 6"):
        time_index(6, 5)
    assert time_index(-1, 5) == 4 and time_index(1, 5) == 0
    with pytest.raises(ValueError, match=r"sample must be an index of the probe batch in 0\.\.3, got 9"):
        recurrent_trace(runs["rnn"], sample=9)
    with pytest.raises(ValueError, match="cell must be one of"):
        trace_from_weights(_weights(_model("rnn")), "lstmm", [1, 2])
    with pytest.raises(ValueError, match=r"tokens must be .* ids in 0\.\.4, got \[1, 7\]"):
        trace_from_weights(_weights(_model("rnn")), "rnn", [1, 7])
    with pytest.raises(ValueError, match=r"layer must be in -1\.\.0 .* got 1"):
        trace_from_weights(_weights(_model("rnn")), "rnn", [1, 2], layer=1)
    data = vizdl.data.load("xor", n=40)
    mlp = vizdl.train(vizdl.models.build("mlp", data=data), data, epochs=1, out=tmp_path / "mlp", quiet=True)
    with pytest.raises(ValueError, match="model 'mlp' is not a recurrent classifier"):
        recurrent_trace(mlp)
    with pytest.raises(vizdl.StepNotRecordedError):
        gradient_through_time(runs["gru"], step=1)


def test_forget_bias_sets_the_forget_rows_only():
    plain, biased = _model("lstm"), vizdl.models.build("lstm", input_shape=(6,), num_classes=3, vocab_size=5,
                                                       hidden=4, embed_dim=3, forget_bias=1.0)
    ih, hh = biased.rnn.bias_ih_l0.detach(), biased.rnn.bias_hh_l0.detach()
    assert torch.all(ih[4:8] == 1.0) and torch.all(hh[4:8] == 0.0)
    torch.testing.assert_close(ih[:4], plain.rnn.bias_ih_l0.detach()[:4])
    torch.testing.assert_close(biased.rnn.weight_hh_l0, plain.rnn.weight_hh_l0)
    assert biased.vizdl_spec["config"]["forget_bias"] == 1.0
    rebuilt = vizdl.models.build("lstm", **biased.vizdl_spec["config"])
    torch.testing.assert_close(rebuilt.rnn.bias_ih_l0, biased.rnn.bias_ih_l0)


# -- views ----------------------------------------------------------------------------------
def test_unrolled_view_writes_torch_hidden_states(runs):
    from vizdl.views.recurrent import unrolled_view

    run = runs["rnn"]
    classes = run.meta["dataset"]["classes"]
    view = unrolled_view(recurrent_trace(run, sample=1), classes=classes)
    model = run.model(run.steps[-1])
    tokens = run.probe["inputs"][1]
    for t, (h, _) in enumerate(_torch_steps(model, tokens), start=1):
        grid = view.grid(f"h-{t}")
        assert grid.grid.texts.ravel().tolist() == [fmt(v) for v in h]
        assert grid.grid.scale.kind == "diverging" and view.node(f"x-{t}").label.text == str(tokens[t - 1])
    names = [s.name for s in view.story]
    assert names == ["rolled", "unrolled"] + [f"step-{t}" for t in range(1, 6)] + ["readout"]
    revealed = [i for s in view.story for i in s.reveal]
    assert sorted(revealed) == sorted(view.element_ids())  # every element exactly once
    with torch.no_grad():
        p = F.softmax(model(torch.as_tensor(tokens)[None]), dim=-1)[0]
    assert f"(p = {fmt(p.max().item())})" in view.story.steps[-1].caption
    assert classes[int(p.argmax())] in view.label("prediction").label.text


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_view_tables_write_torch_numbers(runs, cell):
    from vizdl.views.gated import COLUMNS, gated_view

    run = runs[cell]
    trace = recurrent_trace(run)
    view = gated_view(trace)
    states = _torch_steps(run.model(run.steps[-1]), run.probe["inputs"][0])
    for t, (h, c) in enumerate(states, start=1):
        table = view.table(t)
        assert [col.id for col in table.columns] == [col[0] for col in COLUMNS[cell]]
        assert table.column("h").grid.texts.ravel().tolist() == [fmt(v) for v in h]
        if cell == "lstm":
            assert table.column("c").grid.texts.ravel().tolist() == [fmt(v) for v in c]
        for gate in ("forget", "input", "output") if cell == "lstm" else ("reset", "update"):
            column = table.column(gate)
            assert column.grid.texts.ravel().tolist() == [fmt(v) for v in trace.gates[gate][t - 1]]
            assert column.grid.scale.kind == "sequential" and (column.grid.scale.vmin, column.grid.scale.vmax) == (0, 1)
            mean = next(m for m in table.means if m.id == f"mean-{gate}")
            assert mean.label.text == fmt(trace.gates[gate][t - 1].mean())
            if not (gate == "forget" and t == 1):  # c_0 = 0: nothing to forget, the caption says so
                assert f" {fmt(trace.gates[gate][t - 1].mean())} of " in view.story.steps[t + 1].caption
    assert [s.name for s in view.story] == ["cell", "equations"] + [f"t-{t}" for t in range(1, 6)] + ["readout"]
    assert sorted(i for s in view.story for i in s.reveal) == sorted(view.element_ids())
    assert view.shown_table(view.story.visible("t-3")).t == 3


def test_gated_view_refuses_an_rnn(runs):
    from vizdl.views.gated import gated_view

    with pytest.raises(ValueError, match="trace.cell must be 'lstm' or 'gru'.*got 'rnn'"):
        gated_view(recurrent_trace(runs["rnn"]))


# -- figures --------------------------------------------------------------------------------
def _texts(ax) -> dict:
    return {t.get_gid(): t for t in ax.texts if t.get_gid()}


def test_rnn_figure_paints_the_view(runs):
    from vizdl import figures
    from vizdl.views.recurrent import unrolled_view

    run = runs["rnn"]
    view = unrolled_view(recurrent_trace(run), classes=run.meta["dataset"]["classes"])
    ax = figures.rnn_unrolled(run)
    texts = _texts(ax)
    cells = {p.get_gid(): p for p in ax.patches if (p.get_gid() or "").startswith("h-")}
    for grid in view.grids:
        colors = LIGHT.scale_colors(grid.grid.scale, grid.grid.values.ravel())
        for row in range(grid.grid.shape[0]):
            text = texts[f"{grid.id}-text-{row}-0"]
            assert text.get_text() == grid.grid.texts[row, 0]
            assert text.get_color() == LIGHT.color(grid.grid.inks[row, 0])
            face = cells[f"{grid.id}-cell-{row}-0"].get_facecolor()
            assert np.allclose(face[:3], np.array(tuple(int(colors[row][k:k + 2], 16) for k in (1, 3, 5))) / 255)
    assert texts["prediction"].get_text() == view.label("prediction").label.text
    early = figures.rnn_unrolled(run, t=2)
    assert "h-2-text-0-0" in _texts(early) and "h-3-text-0-0" not in _texts(early)
    assert "prediction" not in _texts(early)
    assert "RNN (4 units)" in ax.get_title() and "'first' (5 tokens)" in ax.get_title()


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_cell_figures_paint_the_table_of_step_t(runs, cell):
    from vizdl import figures
    from vizdl.views.gated import gated_view

    run = runs[cell]
    view = gated_view(recurrent_trace(run))
    ax = (figures.lstm_cell if cell == "lstm" else figures.gru_cell)(run, t=3, caption=True)
    texts = _texts(ax)
    for column in view.table(3).columns:
        for row in range(column.grid.shape[0]):
            assert texts[f"{column.id}-text-{row}-0"].get_text() == column.grid.texts[row, 0]
        assert texts[f"{column.id}-title"].get_text() == column.title.text
    assert texts["table-3"].get_text() == view.table(3).header.text
    assert ax.get_xlabel() == view.story.steps[view.story.index("t-3")].caption
    assert {k for k in texts if k.startswith("eq-")} == set(view.formulas)
    wrong = figures.gru_cell if cell == "lstm" else figures.lstm_cell
    with pytest.raises(ValueError, match=f"model {cell!r} is not an"):
        wrong(run)
    with pytest.raises(ValueError, match=r"t must be a time step in 1\.\.5"):
        figures.lstm_cell(runs["lstm"], t=6)


def test_gradient_figures_draw_the_measured_norms(runs, tmp_path):
    from vizdl import figures

    ax = figures.gradient_through_time(runs)
    lines = {line.get_gid(): line for line in ax.lines}
    for k, cell in enumerate(CELLS):
        expected = gradient_through_time(runs[cell]).mean
        np.testing.assert_allclose(lines[f"run-{k}"].get_ydata(), expected)
        assert lines[f"run-{k}"].get_color() == LIGHT.color(f"run {k}")
    assert ax.get_yscale() == "log" and "training step 0" in ax.get_title()
    clipped = _tiny_run(tmp_path, "rnn", clip_grad_norm=0.05,
                        record=vizdl.RecordSpec(every=1, activations=False, probe_size=4))
    fig = figures.clipping_comparison({"no clipping": runs["rnn"], "clipped": clipped})
    norms, losses = fig.axes[:2]
    norm_lines = {line.get_gid(): line for line in norms.lines}
    np.testing.assert_allclose(norm_lines["norm-1-raw"].get_ydata(), clipped.metric("grad_norm")[1])
    assert norm_lines["threshold-1"].get_ydata()[0] == 0.05
    assert norms.get_yscale() == "log" and "clipping threshold 0.05" in {t.get_text() for t in norms.texts}
    np.testing.assert_allclose({line.get_gid(): line for line in losses.lines}["loss-0-raw"].get_ydata(),
                               runs["rnn"].metric("loss")[1])


def test_figures_follow_the_style_sheet(runs):
    from vizdl import figures

    with vizdl.styles.use("slides"):
        fig = figures.lstm_cell(runs["lstm"]).figure
    assert tuple(fig.get_size_inches()) == (12.8, 7.2)
    with vizdl.styles.use("paper"):
        fig = figures.rnn_unrolled(runs["rnn"]).figure
    assert tuple(fig.get_size_inches()) == (6.4, 4.0)


# -- manim painters and scenes ----------------------------------------------------------------
manim = pytest.importorskip("manim")


def test_typeset_places_glyphs_like_pango():
    from vizdl.anim.grid import label
    from vizdl.anim.typeset import typeset

    for text in ("−0.97", "6.85", "2.5e−5", "0.1"):
        ours, pango = typeset(text, 24, "#d62728"), label(text, 24, "#d62728")
        assert ours.text == text and ours.width == pytest.approx(pango.width, abs=1e-6)
        np.testing.assert_allclose(ours.get_corner(manim.UL), pango.get_corner(manim.UL), atol=1e-6)
        assert ours[0].get_fill_color().to_hex().lower() == "#d62728"


def test_unrolled_diagram_carries_the_view(runs):
    from vizdl.anim.recurrent import UnrolledDiagram
    from vizdl.views.recurrent import unrolled_view

    view = unrolled_view(recurrent_trace(runs["rnn"]))
    diagram = UnrolledDiagram(view)
    assert set(diagram.elements) == view.element_ids()
    for grid in view.grids:
        mobject = diagram.elements[grid.id]
        assert [t.text for t in mobject.texts] == list(grid.grid.texts.ravel())
        colors = LIGHT.scale_colors(grid.grid.scale, grid.grid.values.ravel())
        assert [c.get_fill_color().to_hex().lower() for c in mobject.cells] == colors


def test_gated_diagram_tables_carry_the_view(runs):
    from vizdl.anim.recurrent import GatedCellDiagram
    from vizdl.views.gated import gated_view

    view = gated_view(recurrent_trace(runs["lstm"]))
    diagram = GatedCellDiagram(view)
    table = diagram.table(2)
    for mobject, column in zip(table.columns, view.table(2).columns):
        assert [t.text for t in mobject.texts] == list(column.grid.texts.ravel())
    assert table.header.text == view.table(2).header.text
    assert diagram.elements["eq-state"].tex_strings == [p.text for p in view.formulas["eq-state"].parts]
    np.testing.assert_allclose(table.get_center(), diagram.slot.get_center(), atol=1e-6)


@pytest.mark.parametrize("name, cell", [("rnn", "rnn"), ("lstm", "lstm")])
def test_scene_beats_are_the_view_steps(runs, name, cell):
    from vizdl.scenes import scene_class
    from vizdl.views.gated import gated_view
    from vizdl.views.recurrent import unrolled_view

    run = runs[cell]
    scene = scene_class(name).configure(run=str(run.path), sample=1)()
    scene.setup()
    beats = list(scene.beats())
    trace = recurrent_trace(run, sample=1)
    classes = run.meta["dataset"]["classes"]
    view = unrolled_view(trace, classes=classes) if cell == "rnn" else gated_view(trace, classes=classes)
    assert [b.name for b in beats] == [s.name for s in view.story]
    assert [b.caption for b in beats] == [s.caption for s in view.story]
    width, _, _ = scene.content_area()
    assert all(m.width <= width + 1e-6 for m in scene.mobjects)


def test_lstm_scene_refuses_a_gru_run(runs):
    from vizdl.scenes.lstm import LSTM

    scene = LSTM.configure(run=str(runs["gru"].path))()
    scene.setup()
    with pytest.raises(ValueError, match="is a 'gru' run; this scene needs an 'lstm' run"):
        list(scene.beats())


@pytest.mark.slow
@pytest.mark.parametrize("name, cell", [("rnn", "rnn"), ("lstm", "lstm")])
def test_scene_last_frame(runs, name, cell):
    from vizdl.scenes import scene_class
    from vizdl.testing import assert_matches_control, render_last_frame

    frame = render_last_frame(scene_class(name).configure(run=str(runs[cell].path), pace="preview"))
    assert_matches_control(f"scene_{name}", frame)


@pytest.mark.slow
def test_another_sample_changes_the_last_frame(runs):
    import os

    from vizdl.scenes.rnn import RNN
    from vizdl.testing import WRITE_ENV, assert_matches_control, render_last_frame

    if os.environ.get(WRITE_ENV) == "1":
        pytest.skip("writing control data: nothing to compare")
    with pytest.raises(AssertionError, match="differs from control"):
        assert_matches_control("scene_rnn", render_last_frame(RNN.configure(run=str(runs["rnn"].path), sample=2,
                                                                            pace="preview")))


@pytest.mark.slow
@pytest.mark.parametrize("picture", ["rnn_unrolled", "lstm_cell", "gru_cell"])
def test_figure_controls(runs, picture):
    from vizdl import figures
    from vizdl.testing import assert_matches_control, figure_to_array

    run = runs[{"rnn_unrolled": "rnn", "lstm_cell": "lstm", "gru_cell": "gru"}[picture]]
    with vizdl.styles.use("slides"):
        ax = getattr(figures, picture)(run, **({} if picture == "rnn_unrolled" else {"t": 2}))
        assert_matches_control(f"fig_{picture}", figure_to_array(ax.figure, dpi=20))


@pytest.mark.slow
def test_scene_renders_one_section_per_beat(runs, tmp_path):
    from manim import tempconfig

    from vizdl.scenes.rnn import RNN
    from vizdl.testing import LOW_RES
    from vizdl.views.recurrent import unrolled_view

    settings = {**LOW_RES, "media_dir": str(tmp_path), "save_sections": True, "disable_caching": True,
                "verbosity": "ERROR", "progress_bar": "none"}
    with tempconfig(settings):
        scene = RNN.configure(run=str(runs["rnn"].path), pace="preview")()
        scene.render()
        names = [s.name for s in scene.renderer.file_writer.sections if s.partial_movie_files]
    assert names == [s.name for s in unrolled_view(recurrent_trace(runs["rnn"])).story]
    assert len(list(tmp_path.rglob("sections/*.mp4"))) == len(names)
