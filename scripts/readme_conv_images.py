"""Re-render the README images of the convolution and pooling topic (GIFs, figures, scene stills).

    python scripts/readme_conv_images.py [--out docs/images] [--no-scenes]

GIFs are the slides figure at 48 dpi (614 x 346), figures PNGs at 60 dpi, scene stills the
last frame of a low-quality render; every one from the notes' cases (``vizdl.ops.NOTES_CASES``).
"""
from __future__ import annotations

import argparse
from pathlib import Path

GIF_DPI, PNG_DPI = 48, 60


def figures_and_gifs(out: Path) -> list:
    from vizdl import figures, ops, styles
    from vizdl.gif import save_conv_animation

    written = []
    for case in ops.NOTES_CASES:
        written.append(save_conv_animation(out / f"conv_{case.name}.gif", case=case, dpi=GIF_DPI, quiet=True))
    with styles.use("slides"):
        pictures = {
            "conv_k3p1s3.png": lambda: figures.conv_diagram(case=ops.NOTES_CASES[4], step=1).figure,
            "conv_padding_modes.png": lambda: figures.padding_modes_diagram(),
            "pool_max.png": lambda: figures.pool_diagram(kind="max", step=5).figure,
            "pool_avg.png": lambda: figures.pool_diagram(kind="avg", step=1).figure,
            "pool_squeeze.png": lambda: figures.squeeze_diagram(step=5).figure,
        }
        for name, draw in pictures.items():
            draw().savefig(out / name, dpi=PNG_DPI)
            written.append(out / name)
    return written


def scene_stills(out: Path) -> list:
    from vizdl.anim.render import render_scene

    stills = {"scene_convolution.png": ("convolution", {"cases": "k3p1s3", "padding_modes": "false"}),
              "scene_padding_modes.png": ("padding_modes", {}),
              "scene_pool_max.png": ("pooling", {"kinds": "max"})}
    for name, (scene, options) in stills.items():
        render_scene(scene, out / name, options={"pace": "preview", **options})
    return [out / name for name in stills]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/images")
    parser.add_argument("--no-scenes", action="store_true")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = figures_and_gifs(out) + ([] if args.no_scenes else scene_stills(out))
    for path in written:
        print(f"{path} {path.stat().st_size / 1e3:.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
