"""Re-render the README images of the MLP topics (network, back-propagation, training) into docs/images/.

    python scripts/readme_mlp.py [--only scene_backprop_backward fig_network ...]

Figures use the slides style at 60 dpi (768x432 for a 16:9 figure); scene stills are the
frame after a named beat at 854x480. Runs come from vizdl's recipes (cached under
``.vizdl-cache/``), so the images follow the code, not a hand-made run.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images"


def _figures(xor, digits):
    import vizdl
    from vizdl import figures

    model = vizdl.models.build("mlp", input_shape=(1, 28, 28), num_classes=10, hidden=(128, 64), seed=0)
    state = {k: v.numpy() for k, v in model.state_dict().items()}
    x784 = np.random.default_rng(0).random(784)
    return {
        "fig_network": lambda: figures.network_diagram(xor, sample=3),
        "fig_network_784": lambda: figures.network_diagram(digits, sample=2),
        "fig_network_784_random": lambda: figures.network_diagram(state, x=x784, title="784-128-64-10 ReLU MLP "
                                                                                        "(random weights and input)"),
        "fig_activations": lambda: figures.activation_grid(),
        "fig_boundary_grid": lambda: figures.decision_boundary_grid(xor),
        "fig_perceptron": lambda: figures.perceptron_updates(),
        "fig_perceptron_xor": lambda: figures.perceptron_xor(),
        "fig_curves": lambda: figures.training_curves(digits),
        "fig_gradient_flow": lambda: figures.gradient_flow(digits),
        "fig_weight_histograms": lambda: figures.weight_histograms(digits, kind="grad"),
        "fig_representations": lambda: figures.layer_representations(digits),
        "fig_descent": lambda: figures.descent_2d(),
    }


def _still(scene_name: str, beat: str, out: Path, **options) -> None:
    """The frame after beat ``beat`` of a packaged scene (the scene stops there)."""
    from vizdl.anim.render import render_scene
    from vizdl.scenes import scene_class

    base = scene_class(scene_name).configure(**options) if options else scene_class(scene_name)

    def beats(self):
        for item in base.beats(self):
            yield item
            if item.name == beat:
                return

    cls = type(base.__name__, (base,), {"beats": beats, "__module__": base.__module__})
    render_scene(cls, out, quality="l", fmt="png", options={"pace": "preview"})


STILLS = {
    "scene_backprop_backward": ("backprop", "gradient-2", {}),
    "scene_backprop": ("backprop", "update", {}),
    "scene_backprop_digits": ("backprop", "gradient-3", {"recipe": "digits-mlp"}),
    "scene_training": ("training", "summary", {}),
}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="image names (without .png)")
    args = parser.parse_args(argv)
    import vizdl
    from vizdl.recipes import recipe_run

    xor, digits = recipe_run("xor-mlp"), recipe_run("digits-mlp")
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make in _figures(xor, digits).items():
        if args.only and name not in args.only:
            continue
        with vizdl.styles.use("slides"):
            out = make()
            getattr(out, "figure", out).savefig(OUT / f"{name}.png", dpi=60)
        print("wrote", name)
    for name, (scene, beat, options) in STILLS.items():
        if args.only and name not in args.only:
            continue
        _still(scene, beat, OUT / f"{name}.png", **options)
        print("wrote", name)


if __name__ == "__main__":
    main()
