"""The picture contract: theme (roles, one number formatter), views, scene base, recipes, render."""
import numpy as np
import pytest

from vizdl.styles.theme import CLASS_COLORS, DARK, LIGHT, NEGATIVE, POSITIVE, fmt, fmt_all, for_background
from vizdl.views import Formula, Grid, Label, Scale, Step, Story, reading_time


# -- theme --------------------------------------------------------------------------------
@pytest.mark.parametrize("value, text", [
    (-0.004, "\u22120.004"), (0.004, "0.004"), (-0.0, "0"), (1.0, "1"), (-0.25, "\u22120.25"),
    (0.1 + 0.2, "0.3"), (3.14159, "3.14"), (2.5e-05, "2.5e\u22125"), (float("inf"), ""), (1e6, "1000000"),
])
def test_fmt_writes_each_number_one_way(value, text):
    assert fmt(value) == text


def test_fmt_never_writes_a_signed_or_dangling_zero():
    for value in np.linspace(-0.01, 0.01, 2001):
        text = fmt(value, 2)
        assert text not in ("-0", "\u22120", "-0.", "0.", "") and not text.endswith(".")
        assert float(text.replace("\u2212", "-").replace("e", "e")) == pytest.approx(value, abs=0.0051)


def test_fmt_tex_uses_latex_minus_and_powers():
    assert fmt(-1.5, tex=True) == "-1.5"
    assert fmt(-4e-05, tex=True) == r"-4 \cdot 10^{-5}"
    assert fmt_all([[1.0, -0.5]]).tolist() == [["1", "\u22120.5"]]


def test_class_colours_never_reuse_the_sign_or_gradient_colours():
    forbidden = {POSITIVE, NEGATIVE, LIGHT.color("gradient"), LIGHT.color("window")}
    assert not forbidden & set(CLASS_COLORS)
    assert LIGHT.color("class 11") == CLASS_COLORS[1]


def test_theme_follows_the_background_and_names_unknown_roles():
    assert for_background("#ffffff") is LIGHT and for_background("black") is DARK
    assert DARK.color("ink") != LIGHT.color("ink") and DARK.color("positive") == LIGHT.color("positive")
    with pytest.raises(KeyError, match="known roles"):
        LIGHT.color("sparkly")


# -- views ----------------------------------------------------------------------------------
def test_scale_positions_and_ticks():
    scale = Scale.symmetric([-0.5, 2.0], "weight")
    assert (scale.vmin, scale.vmax) == (-2.0, 2.0)
    assert scale.ticks()[1] == ("\u22122", "0", "2")
    assert Scale.symmetric([0, 0]).vmax == 1.0 and Scale.spanning([3, 3]).vmin == 2.5
    with pytest.raises(ValueError, match="vmin < vmax"):
        Scale("sequential", 1.0, 1.0)
    with pytest.raises(ValueError, match="kind"):
        Scale("rainbow", 0, 1)


def test_grid_texts_come_from_the_formatter_and_roles_are_checked():
    grid = Grid.of([[1.0, -0.004], [np.nan, 2.0]], roles=[["cell", "padding"], ["empty", "cell"]])
    assert grid.texts.tolist() == [["1", "\u22120.004"], ["", "2"]]
    assert grid.roles[0, 1] == "padding"
    with pytest.raises(ValueError, match="shape"):
        Grid.of([[1.0, 2.0]], roles=[["cell"]])
    with pytest.raises(ValueError, match="scale"):
        Grid.of([[1.0]], roles=None)


def test_story_reveals_accumulate_and_names_are_checked():
    story = Story((Step("a", "first", ("x",)), Step("b", "second", ("y",))))
    assert story.visible(0) == {"x"} and story.visible(-1) == {"x", "y"} and story.visible("b") == {"x", "y"}
    with pytest.raises(ValueError, match="unique"):
        Story((Step("a", "1"), Step("a", "2")))
    with pytest.raises(ValueError, match="slug"):
        Step("Not a slug", "x")
    with pytest.raises(KeyError, match="steps: a, b"):
        story.index("c")


def test_reading_time_grows_with_words_and_numbers():
    short, long = reading_time("Forward pass."), reading_time(" ".join(["word"] * 20), numbers=4)
    assert short == 2.0 and long == pytest.approx(20 / 2.5 + 2.0)
    assert reading_time("x " * 200) == 12.0
    assert reading_time(" ".join(["word"] * 20), pace="preview") == pytest.approx(8 / 4)
    with pytest.raises(ValueError, match="pace"):
        reading_time("x", pace="fast")


def test_formula_parts_keep_their_roles():
    formula = Formula.of("x", "=", ("4", "gradient"))
    assert formula.tex == "x = 4" and formula.roles() == ("ink", "ink", "gradient")
    with pytest.raises(ValueError, match="size"):
        Label("x", size="huge")


# -- scene contract (no rendering) ------------------------------------------------------------------
manim = pytest.importorskip("manim")


def test_options_configure_subclasses_with_typed_values():
    from vizdl.scenes.computational_graph import ComputationalGraph

    variant = ComputationalGraph.configure(x="2.5", pace="preview")
    assert variant.x == 2.5 and variant.pace == "preview" and variant.__name__ == "ComputationalGraph"
    assert ComputationalGraph.x == 1.0  # the base is untouched
    with pytest.raises(ValueError, match="unknown option.*options: pace, x, y, z"):
        ComputationalGraph.configure(colour="red")
    with pytest.raises(ValueError, match="not a float"):
        ComputationalGraph.configure(x="two")
    with pytest.raises(ValueError, match="pace"):
        ComputationalGraph.configure(pace="fast")


def test_environment_is_read_in_one_adapter_for_declared_options_only():
    from vizdl.anim.scene import options_from_environment
    from vizdl.scenes.computational_graph import ComputationalGraph

    env = {"VIZDL_PACE": "preview", "VIZDL_OPTIONS": "x=3, y=-1", "VIZDL_RUN": "runs/ignored"}
    assert options_from_environment(ComputationalGraph, env) == {"pace": "preview", "x": 3.0, "y": -1.0}
    with pytest.raises(ValueError, match="no option.*layer"):
        options_from_environment(ComputationalGraph, {"VIZDL_OPTIONS": "layer=a"})
    with pytest.raises(ValueError, match="key=value"):
        options_from_environment(ComputationalGraph, {"VIZDL_OPTIONS": "x"})


def test_beat_names_and_holds():
    from vizdl.anim.scene import Beat, slug

    beat = Beat.of("Forward pass: x_1 = 0.5", numbers=1)
    assert beat.name == "forward-pass-x_1-0-5" and slug("!!!") == "beat"
    assert beat.hold_seconds("lecture") == reading_time(beat.caption, 1)
    assert Beat.of("x", hold=4.0).hold_seconds("preview") == 1.0


def test_wrapped_caption_fits_the_frame():
    from vizdl.anim.scene import wrapped_text

    text = "Gradient arriving at each operation times its local derivative: " * 3
    caption = wrapped_text(text.strip(), 13.6)
    assert caption.width <= 13.6 + 1e-6 and len(caption) <= 2 and caption.text == text.strip()


def test_scenes_are_looked_up_by_name():
    from vizdl.scenes import scene_class

    assert scene_class("computational-graph").__name__ == "ComputationalGraph"
    with pytest.raises(KeyError, match="scenes: .*computational_graph"):
        scene_class("nope")


def test_no_global_manim_config_change_at_import():
    import importlib

    from manim import config

    before = (config.background_color, config.disable_caching, config.pixel_height)
    for name in ("vizdl.scenes.computational_graph", "vizdl.anim.scene", "vizdl.anim.render"):
        importlib.reload(importlib.import_module(name))
    assert (config.background_color, config.disable_caching, config.pixel_height) == before


# -- recipes ----------------------------------------------------------------------------------------
def test_recipe_keys_change_with_the_recipe_and_unknown_names_are_listed():
    from dataclasses import replace

    from vizdl import recipes

    recipe = recipes.get("xor-mlp")
    assert replace(recipe, seed=1).key() != recipe.key()
    assert recipes.cache_path("xor-mlp", "/c").name == f"xor-mlp-{recipe.key()}"
    with pytest.raises(KeyError, match="known recipes"):
        recipes.get("mnist-resnet")


def test_recipe_run_trains_once_then_reopens(tmp_path):
    from vizdl import recipes

    run = recipes.recipe_run("xor-mlp", cache_dir=tmp_path)
    assert run.meta["status"] == "complete" and run.steps
    again = recipes.recipe_run("xor-mlp", cache_dir=tmp_path)
    assert again.path == run.path and again.steps == run.steps
    assert [p.name for p in tmp_path.iterdir()] == [run.path.name]  # no staging folder left behind
