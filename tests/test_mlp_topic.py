"""The MLP topics (network diagram, back-propagation, training): views against torch once, painters structurally.

Every number a view writes is compared with an independent torch computation (the
notes' notation: ``x_L = softmax(z_L)``, ``l = -log x_L[y]``); the figure and the scenes are
then checked to show the view's strings in the theme's role colours.
"""
import numpy as np
import pytest
import torch

import vizdl
from vizdl.styles.theme import LIGHT, NEGATIVE, POSITIVE, fmt
from vizdl.views.backprop import backprop_view
from vizdl.views.training import training_view


@pytest.fixture(scope="module")
def xor_run(tmp_path_factory):
    data = vizdl.data.load("xor")
    model = vizdl.models.build("mlp", data=data, hidden=(4, 4), activation="tanh", seed=0)
    return vizdl.train(model, data, epochs=3, batch_size=16, lr=0.2, seed=0, record=vizdl.RecordSpec(every=20),
                       out=tmp_path_factory.mktemp("xor") / "run", quiet=True)


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    data = vizdl.data.load("digits")
    model = vizdl.models.build("mlp", data=data, hidden=(12,), seed=0)
    return vizdl.train(model, data, epochs=1, batch_size=64, lr=0.1, seed=0,
                       record=vizdl.RecordSpec(every=10, probe_size=8), out=tmp_path_factory.mktemp("dg") / "run",
                       quiet=True)


def torch_step(run, step, sample, weights=None):
    """``(values [x_0..x_L], dl/dx_i, linears, loss)`` by torch autograd, the notes' way."""
    model = run.model(step).double()
    if weights is not None:
        with torch.no_grad():
            for lin, A in zip([m for m in model.net if isinstance(m, torch.nn.Linear)], weights):
                lin.weight.copy_(torch.as_tensor(A[0]))
                lin.bias.copy_(torch.as_tensor(A[1]))
    h = torch.tensor(run.probe["inputs"][sample:sample + 1], dtype=torch.float64, requires_grad=True)
    values = []
    for module in model.net:
        h = module(h)
        if isinstance(module, (torch.nn.Flatten, torch.nn.Tanh, torch.nn.ReLU)):
            h.retain_grad()
            values.append(h)
    p = torch.softmax(h, 1)
    p.retain_grad()
    values.append(p)
    loss = -torch.log(p[0, int(run.probe["labels"][sample])])
    loss.backward()
    linears = [m for m in model.net if isinstance(m, torch.nn.Linear)]
    return [v[0].detach().numpy() for v in values], [v.grad[0].numpy() for v in values], linears, loss.item()


def texts(placed):
    return [p.label.text for p in placed]


def shown_values(layout, layer, vector):
    return [fmt(vector[j]) for j in layout.columns[layer].shown]


# -- views against torch ---------------------------------------------------------------------
def test_backprop_view_numbers_equal_torch(xor_run):
    view = backprop_view(xor_run, sample=1, replay=3)
    step = xor_run.steps[0]
    values, grads, linears, loss = torch_step(xor_run, step, 1)
    layout = view.layout
    for i, x in enumerate(values):
        assert texts(view.value_sets[f"x-{i}"].labels) == shown_values(layout, i, x)
    for i in range(1, 4):
        assert texts(view.grad_sets[f"g-{i}"]) == shown_values(layout, i, grads[i])
        assert {p.label.role for p in view.grad_sets[f"g-{i}"]} == {"gradient"}
        A, dA = linears[i - 1].weight.detach().numpy(), linears[i - 1].weight.grad.numpy()
        for key, matrix in ((f"w-{i}", A), (f"g-{i}", dA), (f"new-{i}", A - 0.2 * dA)):
            style = view.edge_styles[key]
            expected = [matrix[int(e.target.split(".")[1]), int(e.source.split(".")[1])] for e in style.edges]
            np.testing.assert_allclose(style.values, expected, atol=1e-7)
            assert [e.role for e in style.edges] == ["positive" if v > 0 else "negative" for v in expected]
    assert fmt(loss, 3, tex=True) in view.formulas["loss"].tex and fmt(loss, 3) in view.story.steps[5].caption
    updated = [(l.weight.detach().numpy() - 0.2 * l.weight.grad.numpy(), l.bias.detach().numpy() - 0.2 *
                l.bias.grad.numpy()) for l in linears]
    after, _, _, after_loss = torch_step(xor_run, step, 1, weights=updated)
    for i, x in enumerate(after):
        assert texts(view.value_sets[f"new-{i}"].labels) == shown_values(layout, i, x)
    assert fmt(after_loss, 3, tex=True) in view.formulas["after"].tex
    for s in [r[0] for r in view.numbers["replayed"]]:
        replayed, _, _, _ = torch_step(xor_run, s, 1)
        assert texts(view.value_sets[f"s{s}-3"].labels) == shown_values(layout, 3, replayed[3])


def test_backprop_story_says_every_change_of_meaning(xor_run):
    view = backprop_view(xor_run, sample=1, replay=3)
    names = [s.name for s in view.story]
    assert names[:6] == ["network", "forward-0", "forward-1", "forward-2", "forward-3", "loss"]
    assert names[6:12] == ["backward-3", "gradient-3", "backward-2", "gradient-2", "backward-1", "gradient-1"]
    assert names[12:15] == ["update", "after", "mini-batch"] and all(n.startswith("replay-") for n in names[15:])
    for step, state in zip(view.story, view.states):
        assert all(k in view.edge_styles for k in state.edges.values() if k)
        assert all(k in view.value_sets for k in state.values.values() if k)
        assert all(k in view.formulas for k in state.formulas) and state.legend in view.legends
        meanings = {view.edge_styles[k].meaning for k in state.edges.values() if k}
        assert state.legend == {frozenset({"gradients"}): "gradients", frozenset({"gradients", "weights"}): "mixed"}.get(
            frozenset(meanings), state.legend)  # the legend says what every coloured layer shows
        if "gradients" not in meanings:
            assert state.legend in ("weights", "replay")
        if step.name.startswith("gradient-"):  # the edges switch meaning: the caption says so too
            assert "decrease" in step.caption and "∂l/∂A" in step.caption
    assert "softmax's Jacobian" in view.story.steps[7].caption
    assert "batches of 16" in view.story.steps[14].caption and "mini-batch SGD" in view.story.steps[14].caption
    update = view.formulas["update-3"]  # the factor producing dl/dx_3 in the gradient colour, x_2^T like x_2's ring
    assert update.roles() == ("ink", "gradient", "ink", "value") and view.states[7].ring == 2
    assert view.states[12].weights_role == "focus" and view.states[12].example is not None


def test_backprop_view_of_image_data(digits_run):
    view = backprop_view(digits_run, sample=2, max_neurons=6, max_outputs=5, replay=2)
    layout, y = view.layout, int(digits_run.probe["labels"][2])
    image = layout.image
    np.testing.assert_allclose(image.grid.values, digits_run.probe["inputs"][2, 0])
    assert {j for _, _, j in image.marked} == set(layout.columns[0].shown)
    assert all(image.grid.values[r, c] == digits_run.probe["inputs"][2, 0].ravel()[j] for r, c, j in image.marked)
    assert all(len(c.slots) <= 6 for c in layout.columns[:-1]) and len(layout.columns[-1].slots) == 5
    assert y in layout.columns[-1].shown and layout.label(f"class-{y}").label.text.endswith("← y")
    assert layout.label(f"class-{y}").label.role == f"class {y}"
    values, grads, _, _ = torch_step(digits_run, digits_run.steps[0], 2)
    assert texts(view.value_sets["x-2"].labels) == shown_values(layout, 2, values[2])
    assert texts(view.grad_sets["g-1"]) == shown_values(layout, 1, grads[1])


def test_training_view_keeps_one_colour_scale(xor_run):
    view = training_view(xor_run, snapshots=4, sample=0)
    steps = view.numbers["steps"]
    assert steps[0] == xor_run.steps[0] and steps[-1] == xor_run.steps[-1] and len(steps) == 4
    scales = {(s.scale.vmin, s.scale.vmax) for s in view.edge_styles.values()}
    limit = max(np.abs(s.values).max() for s in view.edge_styles.values())
    assert scales == {(-limit, limit)}  # the same limits at every step: growth shows as colour
    assert view.scales["weights"][0].vmax == limit
    for s in steps:
        values, _, _, _ = torch_step(xor_run, s, 0)
        assert texts(view.value_sets[f"s{s}-3"].labels) == shown_values(view.layout, 3, values[3])
    logged_steps, losses = xor_run.metric("loss")
    from vizdl.ops.curves import centred_mean

    np.testing.assert_allclose(view.curve.smooth, centred_mean(losses, view.curve.window))
    assert f"loss {fmt(view.curve.at(steps[1]), 3)}" in view.story.steps[1].caption


# -- the figure paints the view ---------------------------------------------------------------
def test_network_figure_paints_the_view(xor_run):
    from matplotlib.colors import to_hex, to_rgba

    from vizdl import figures
    from vizdl.views.network import network_view_at_step

    step = xor_run.steps[1]
    view = network_view_at_step(xor_run, step, sample=1)
    ax = figures.network_diagram(xor_run, step, sample=1)
    shown = {t.get_gid(): t for t in ax.texts if t.get_gid()}
    values, _, linears, _ = torch_step(xor_run, step, 1)
    for i, v in enumerate(view.values):
        assert [shown[p.id].get_text() for p in v.labels] == texts(v.labels) == shown_values(view.layout, i, values[i])
    for style in view.edges:
        (collection,) = [c for c in ax.collections if c.get_gid() == f"edges-{style.layer}"]
        expected = [to_rgba(c, e.opacity) for c, e in zip(LIGHT.scale_colors(style.scale, style.values), style.edges)]
        np.testing.assert_allclose(collection.get_colors(), expected, atol=1e-6)
    for j in view.layout.columns[-1].shown:
        assert to_hex(shown[f"class-{j}"].get_color()) == LIGHT.color(f"class {j}")
    assert ax.get_title().startswith("2-4-4-2 tanh MLP on xor") and f"step {step}" in ax.get_title()


def test_boundary_figure_uses_the_class_roles(xor_run):
    from matplotlib.colors import to_hex

    from vizdl import figures
    from vizdl.views.boundary import model_regions, run_frame

    ax = figures.decision_boundary(xor_run, resolution=20)
    frame = run_frame(xor_run)
    regions = model_regions(frame, xor_run.model(xor_run.steps[-1]), resolution=20, levels=None)
    (image,) = ax.images
    np.testing.assert_allclose(image.get_array()[..., :3], LIGHT.class_tints(regions.winner, regions.confidence))
    colours = {to_hex(c.get_facecolor()[0]) for c in ax.collections if (c.get_gid() or "").startswith("points")}
    assert colours == {LIGHT.color("class 0"), LIGHT.color("class 1")} and not colours & {POSITIVE, NEGATIVE}


# -- the scenes paint the view ----------------------------------------------------------------
manim = pytest.importorskip("manim")


def _finish(play):
    for animation in play.animations:
        animation.begin()
        animation.finish()


def test_story_picture_paints_every_state(xor_run):
    from vizdl.anim.network_story import StoryPicture

    view = backprop_view(xor_run, sample=1, replay=2)
    picture = StoryPicture(view, LIGHT)
    d = picture.diagram
    for key, values in view.value_sets.items():
        assert d.values[key].texts == texts(values.labels)
    for key in view.grad_sets:
        assert {g.get_fill_color().to_hex().lower() for m in d.grads[key] for g in m} == {LIGHT.color("gradient")}
    for k, state in enumerate(view.states):
        _finish(picture.play(k))
        for layer in range(1, 4):
            key = state.edges.get(layer)
            lines = d.layer_lines(layer)
            if key is None:
                assert {line.get_stroke_color().to_hex().lower() for line in lines} == {LIGHT.color("muted")}
                continue
            expected = LIGHT.scale_colors(view.edge_styles[key].scale, view.edge_styles[key].values)
            assert [line.get_stroke_color().to_hex().lower() for line in lines] == expected
        for key in state.values.values():
            if key is not None:
                fills = [d.nodes[n].get_fill_color().to_hex().lower() for n in view.value_sets[key].node_ids()]
                assert fills == LIGHT.scale_colors(view.value_sets[key].scale, view.value_sets[key].values)
    formula = picture.formulas["update-3"]
    assert formula.tex_strings == [p.text for p in view.formulas["update-3"].parts]
    assert formula.submobjects[1].get_color().to_hex().lower() == LIGHT.color("gradient")
    dots = picture.panel.dots
    assert {d.get_fill_color().to_hex().lower() for d in dots} == {LIGHT.color("class 0"), LIGHT.color("class 1")}


@pytest.mark.parametrize("scene_name, run_name", [("backprop", "xor_run"), ("training", "xor_run"),
                                                  ("backprop", "digits_run")])
def test_scene_beats_are_the_view_steps_and_fit(scene_name, run_name, request):
    from vizdl.scenes import scene_class

    run = request.getfixturevalue(run_name)
    scene = scene_class(scene_name).configure(run=str(run.path))()
    scene.setup()
    beats = list(scene.beats())
    view = scene.view
    assert [b.name for b in beats] == [s.name for s in view.story]
    assert [b.caption for b in beats] == [s.caption for s in view.story]
    width, height, centre = scene.content_area()
    top, bottom = centre[1] + height / 2, centre[1] - height / 2
    picture = scene.picture
    parts = [picture.diagram, *picture.focus.values(), picture.side, *picture.formulas.values()]
    for part in parts:
        assert part.get_top()[1] <= top + 0.02 and part.get_bottom()[1] >= bottom - 0.02
        assert part.get_left()[0] >= centre[0] - width / 2 - 0.02 and part.get_right()[0] <= centre[0] + width / 2 + 0.02
    assert picture.diagram.get_right()[0] <= picture.side.get_left()[0]  # the network never runs under the panels
    title = scene.title_mobject  # composed from glyphs: centred and inside the frame like Text
    assert title.text == view.title.text and abs(title.get_center()[0]) < 0.01
    assert title.width <= scene.camera.frame_width - 0.5 and title.get_top()[1] <= scene.camera.frame_height / 2


# The scenes' last-frame controls: tests/test_anim_backprop.py
