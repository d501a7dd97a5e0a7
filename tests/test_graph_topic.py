"""The computational-graph topic: one view, painted by the figure and the scene alike."""
import pytest
import torch

from vizdl.ops.graph import chain_rule_example
from vizdl.styles.theme import LIGHT, fmt
from vizdl.views.graph import edge_id, graph_view


def _torch_example(x=1.0, y=-3.0, z=4.0):
    x, y, z = (torch.tensor(v, requires_grad=True) for v in (x, y, z))
    d = x + y
    d.retain_grad()
    f = d * z
    f.retain_grad()
    f.backward()
    return {"x": x, "y": y, "z": z, "d": d, "f": f}


@pytest.mark.parametrize("point", [(1.0, -3.0, 4.0), (0.5, 2.25, -1.5)])
def test_view_labels_equal_autograd(point):
    view = graph_view(chain_rule_example(*point))
    for name, t in _torch_example(*point).items():
        assert view.label(f"value-{name}").label.text == fmt(t.item())
        assert view.label(f"grad-{name}").label.text == fmt(t.grad.item())
        assert (view.label(f"value-{name}").label.role, view.label(f"grad-{name}").label.role) == ("value", "gradient")


def test_view_formulas_and_story():
    view = graph_view()
    assert view.formulas["chain-x"].tex.endswith("= 4") and view.formulas["chain-x"].roles()[-1] == "gradient"
    assert view.formulas["chain-z"].tex == r"\frac{\partial f}{\partial z} = d = -2"
    assert "z = 4" in view.formulas["local-f"].tex
    assert [s.name for s in view.story] == ["expression", "forward-0", "forward-1", "forward-2",
                                            "local-derivatives", "backward-2", "backward-1", "backward-0",
                                            "chain-rule"]
    assert "d = x + y = \u22122" in view.story.steps[2].caption
    revealed = {i for s in view.story for i in s.reveal}
    assert revealed == view.element_ids()  # every element appears exactly in some step


def test_the_forward_steps_reveal_no_gradient():
    view = graph_view()
    visible = view.story.visible("forward-2")
    assert {f"value-{n}" for n in "xyzdf"} <= visible and not any(i.startswith("grad-") for i in visible)


def test_figure_paints_the_view(tmp_path):
    from vizdl import figures

    view = graph_view()
    ax = figures.computational_graph()
    texts = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    for placed in view.labels:
        if placed.id.startswith(("value-", "grad-")):
            assert texts[placed.id] == placed.label.text
            colour = [t for t in ax.texts if t.get_gid() == placed.id][0].get_color()
            assert colour == LIGHT.color(placed.label.role)
    assert {p.get_gid() for p in ax.patches if p.get_gid()} >= {edge_id(e) for e in view.edges}
    early = figures.computational_graph(step="forward-2")
    assert not any((t.get_gid() or "").startswith("grad-") for t in early.texts)
    ax.figure.savefig(tmp_path / "graph.png")  # draws without error


def test_figure_follows_the_style_sheet():
    import vizdl
    from vizdl import figures

    with vizdl.styles.use("slides"):
        fig = figures.computational_graph().figure
    assert tuple(fig.get_size_inches()) == (12.8, 7.2)


manim = pytest.importorskip("manim")


def test_scene_mobjects_carry_the_view_strings():
    from vizdl.anim.graph import GraphDiagram

    view = graph_view()
    diagram = GraphDiagram(view)
    for placed in view.labels:
        mobject = diagram.elements[placed.id]
        assert mobject.text == placed.label.text
        assert mobject[0].get_fill_color().to_hex().lower() == LIGHT.color(placed.label.role).lower()
    chain = diagram.elements["chain-x"]
    assert chain.tex_strings == [p.text for p in view.formulas["chain-x"].parts]
    assert chain.submobjects[-1].get_color().to_hex().lower() == LIGHT.color("gradient").lower()


def test_scene_beats_are_the_view_steps():
    from vizdl.scenes.computational_graph import ComputationalGraph

    scene = ComputationalGraph()
    scene.setup()
    beats = list(scene.beats())
    view = graph_view()
    assert [b.name for b in beats] == [s.name for s in view.story]
    assert [b.caption for b in beats] == [s.caption for s in view.story]
    width, height, centre = scene.content_area()
    content = scene.mobjects  # only the title is added before the beats play
    assert len(content) == 1 and content[0].width <= width


@pytest.mark.slow
def test_scene_last_frame():
    from vizdl.scenes.computational_graph import ComputationalGraph
    from vizdl.testing import assert_matches_control, render_last_frame

    assert_matches_control("scene_computational_graph", render_last_frame(ComputationalGraph))


@pytest.mark.slow
def test_one_changed_input_changes_the_last_frame():
    import os

    from vizdl.scenes.computational_graph import ComputationalGraph
    from vizdl.testing import WRITE_ENV, assert_matches_control, render_last_frame

    if os.environ.get(WRITE_ENV) == "1":
        pytest.skip("writing control data: nothing to compare")

    with pytest.raises(AssertionError, match="differs from control"):
        assert_matches_control("scene_computational_graph",
                               render_last_frame(ComputationalGraph.configure(y=-2.0)))


@pytest.mark.slow
def test_render_png_and_slides(tmp_path):
    from vizdl.anim.render import render_scene, render_slides

    png = render_scene("computational_graph", tmp_path / "g.png", options={"pace": "preview"})
    from PIL import Image

    assert Image.open(png).size == (854, 480)
    html = render_slides("computational_graph", tmp_path / "deck" / "g.html", options={"pace": "preview"})
    text = html.read_text()
    assert text.count("<section") == len(graph_view().story) == text.count('class="notes"')
    assert len(list((tmp_path / "deck" / "g_assets").glob("*.mp4"))) == len(graph_view().story)
