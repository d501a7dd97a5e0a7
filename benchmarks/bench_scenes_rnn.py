"""Wall and CPU time of ``manim -ql`` for the recurrent-network scenes (target: 90 s each).

``rnn (cold)`` and ``lstm (cold)`` start with an empty run cache, so they include training
their recipe (``sequences-rnn``, ``sequences-lstm``); the other rows reuse the cached run.
CPU seconds (user + system of the child) are printed too: on a shared machine wall time
grows with the load, CPU time does not, and the load average is printed before and after.

``--text`` adds the peer of the scenes' number path, in one process: 560 numbers (the
LSTM scene's ten tables) built and drawn once with :func:`vizdl.anim.typeset.typeset` and
once with :func:`vizdl.anim.grid.label` (one Pango rendering per string, one VMobject per
glyph), CPU seconds to build them and to draw one frame of them.

    python benchmarks/bench_scenes_rnn.py [--text]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

from manim_timing import render_seconds

TARGET_S = 90.0
CASES = [("rnn", True), ("rnn", False), ("lstm", True), ("lstm", False)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", action="store_true", help="also compare typeset with Pango labels (the peer)")
    parser.add_argument("--scenes", nargs="*", default=["rnn", "lstm"], help="scenes to render (default: both)")
    args = parser.parse_args(argv)
    print(f"CPU cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}\n")
    if args.text:
        text_peer()
    print("| command | run cache | wall (s) | CPU (s) | CPU within 90 s |")
    print("| --- | --- | --- | --- | --- |")
    missed = 0
    with tempfile.TemporaryDirectory() as media_dir, tempfile.TemporaryDirectory() as cache_dir:
        for scene, cold in [c for c in CASES if c[0] in args.scenes]:
            cache = tempfile.mkdtemp(dir=cache_dir) if cold else cache_dir
            wall, cpu = render_seconds(scene, media_dir, env={"VIZDL_CACHE": cache})
            ok = "yes" if cpu <= TARGET_S else "NO"
            missed += ok == "NO"
            print(f"| `manim -ql scenes/{scene}.py` | {'empty (trains)' if cold else 'cached'} "
                  f"| {wall:.1f} | {cpu:.1f} | {ok} |", flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    return 1 if missed else 0


def text_peer(count: int = 560) -> None:
    """CPU seconds to build ``count`` different numbers and to draw them once, typeset vs Pango labels."""
    import numpy as np
    from manim import Camera, VGroup, tempconfig

    from vizdl.anim.grid import label
    from vizdl.anim.typeset import typeset
    from vizdl.styles.theme import fmt

    numbers = [fmt(v) for v in np.random.default_rng(0).uniform(-7, 7, count)]
    print(f"| {count} numbers | build CPU (s) | draw one frame CPU (s) | glyph VMobjects |")
    print("| --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as media, \
            tempconfig({"pixel_width": 854, "pixel_height": 480, "verbosity": "ERROR", "media_dir": media}):
        for name, make in (("typeset", typeset), ("grid.label (Pango)", label)):
            start = time.process_time()
            group = VGroup(*(make(text, 24) for text in numbers)).arrange_in_grid(cols=28).scale(0.5)
            built = time.process_time() - start
            camera = Camera()
            start = time.process_time()
            camera.capture_mobject(group)
            drawn = time.process_time() - start
            leaves = sum(1 for m in group.family_members_with_points())
            print(f"| {name} | {built:.2f} | {drawn:.3f} | {leaves} |", flush=True)
    print()


if __name__ == "__main__":
    sys.exit(main())
