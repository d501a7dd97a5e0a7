"""Time a 7x7 convolution GIF (k3, p1, s1: 49 windows + intro/outro, 768x432) written without manim.

Target (issue 4): within 5 s wall on 2 cores. The peer is the same animation drawn the naive
way (a full matplotlib redraw per frame, frames written by Pillow's default GIF writer,
an adaptive palette per frame).
Prints one markdown table row per method: the first (cold) run, which pays the imports and
font look-ups, and the best of ``--repeat`` runs, with wall *and* process CPU time (on a
shared machine the wall time follows the load; the CPU time is what the code costs).

    .venv/bin/python benchmarks/bench_gif.py [--fast-only] [--repeat 3]
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

CASE = dict(input=7, kernel=3, padding=1)


def fast(path: Path) -> None:
    from vizdl.gif import save_conv_animation
    from vizdl.ops import ConvCase

    save_conv_animation(path, case=ConvCase(**CASE), quiet=True)


def naive(path: Path) -> None:
    import numpy as np
    from PIL import Image

    from vizdl import styles
    from vizdl.figures.conv import ConvFigure
    from vizdl.gif import _canvas
    from vizdl.ops import ConvCase
    from vizdl.views.conv import conv_view

    with styles.use("slides"):
        fig, ax = _canvas()
        drawing = ConvFigure(conv_view(ConvCase(**CASE)), ax)
        frames = []
        for step in [None, *range(drawing.step_count + 1)]:
            drawing.show_step(step)
            fig.canvas.draw()
            frames.append(np.asarray(fig.canvas.buffer_rgba())[..., :3].copy())
    images = [Image.fromarray(frame) for frame in frames]
    images[0].save(path, format="GIF", save_all=True, append_images=images[1:], duration=500, loop=0)


def _timed(func, path: Path) -> tuple:
    wall, cpu = time.perf_counter(), time.process_time()
    func(path)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, func in [("vizdl.gif (blitting, exact role palette)", fast),
                           ("naive (full redraw, Pillow default GIF)", naive)]:
            if name.startswith("naive") and "--fast-only" in sys.argv:
                continue
            path = Path(tmp) / f"{func.__name__}.gif"
            cold = _timed(func, path)
            best = min((_timed(func, path) for _ in range(max(repeat - 1, 0))), default=cold)
            rows.append(f"| 7x7 conv GIF, 51 frames | {name} | {cold[0]:.2f} s / {cold[1]:.2f} s | "
                        f"{best[0]:.2f} s / {best[1]:.2f} s | {path.stat().st_size / 1e3:.0f} KB | "
                        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f} |")
    print(f"| case | method | cold wall / CPU | best of {repeat} wall / CPU | size | machine |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
