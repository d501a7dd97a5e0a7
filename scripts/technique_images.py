"""Render the README stills of the training techniques and the CIFAR comparison (docs/images/tech_*.png).

    python scripts/technique_images.py [--cache-dir .vizdl-cache] [--out docs/images]

Every picture comes from the recipes of ``vizdl.recipes`` (trained once, cached); the
three Model 3 runs take a few minutes on a CPU the first time.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch

import vizdl
from vizdl import figures
from vizdl.ops.timing import time_passes
from vizdl.recipes import recipe_run


def pictures(cache):
    """``{file stem: callable returning an Axes or a Figure}``, in the notes' order."""
    run = lambda name: recipe_run(name, cache_dir=cache)  # noqa: E731
    data = vizdl.data.load("digits")
    inits = [run(f"digits-init-{k}") for k in ("small", "large", "xavier", "he")]
    return {
        "tech_models": lambda: figures.compare_runs_panels([run("digits-model1"), run("digits-model2"),
                                                            run("digits-model3")]),
        "tech_sgd_adam": lambda: figures.compare_runs([run("digits-model1-sgd"), run("digits-model1")]),
        "tech_model3": lambda: figures.compare_runs([run("digits-model3-plain"), run("digits-model3-no-dropout"),
                                                     run("digits-model3")]),
        "tech_architecture": lambda: figures.architecture_diagram(run("digits-model2")),
        "tech_optimizers": lambda: figures.optimizer_paths(),
        "tech_augmentation": lambda: figures.augmentation_grid(data, draws=4),
        "tech_lr_runs": lambda: figures.compare_runs([run("digits-lr-high"), run("digits-lr-good"),
                                                      run("digits-lr-low")]),
        "tech_schedules": lambda: figures.lr_schedules(run("digits-plateau")),
        "tech_early_stopping": lambda: figures.early_stopping(run("digits-early-stop")),
        "tech_clipping": lambda: figures.gradient_clipping(run("digits-clip")),
        "tech_init": lambda: figures.weight_init(inits, labels=["too small", "too large", "Xavier", "He"]),
        "tech_regularization": lambda: figures.regularization([run("digits-reg-none"), run("digits-reg-l1"),
                                                              run("digits-reg-l2")]),
        "tech_batch_norm": lambda: figures.batch_norm([run("digits-bn"), run("digits-no-bn")]),
        "tech_dropout": lambda: figures.dropout_network(run("digits-dropout")),
        "tech_dropout_curves": lambda: figures.compare_runs([run("digits-dropout"), run("digits-no-dropout")]),
        "tech_gpu": lambda: figures.device_timing(
            time_passes(run("digits-model2").model(), data.x_train[:256], data.y_train[:256]),
            source="Model 2 (CNN), batch of 256 digits"),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", default=".vizdl-cache")
    parser.add_argument("--out", default="docs/images")
    parser.add_argument("--style", default="paper")
    parser.add_argument("--dpi", type=int, default=110)
    parser.add_argument("only", nargs="*", help="file stems to render (default: all)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)  # timings and training of tiny models: one thread (stated on the GPU picture)
    with vizdl.styles.use(args.style):
        for stem, make in pictures(args.cache_dir).items():
            if args.only and stem not in args.only:
                continue
            picture = make()
            path = out / f"{stem}.png"
            getattr(picture, "figure", picture).savefig(path, dpi=args.dpi)
            _shrink(path)
            print(path)


def _shrink(path: Path) -> None:
    """A palette PNG (256 colours): a third of the size, no visible change for line art."""
    from PIL import Image

    Image.open(path).convert("RGB").quantize(256).save(path, optimize=True)


if __name__ == "__main__":
    main()
