"""Wall and CPU time of ``manim -ql`` for the convolution, padding-mode, pooling and feature-map scenes.

Each scene renders once at lecture pace in a fresh media folder, so every MathTex formula
is compiled with LaTeX ("cold", as on a clean clone). Target (issue 8): each within 90 s
on this machine. CPU seconds (the child's user + system, LaTeX included) are printed too:
on a shared machine the wall time grows with the load, the CPU time much less; the load
average is printed before and after. Prints a Markdown table; exits 1 when a wall time
misses its target.

    python benchmarks/bench_scenes_conv.py [--scenes convolution padding_modes pooling feature_maps]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

from manim_timing import render_seconds

TARGETS = {"convolution": 90.0, "padding_modes": 90.0, "pooling": 90.0, "feature_maps": None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", nargs="+", default=list(TARGETS), choices=list(TARGETS))
    args = parser.parse_args(argv)
    print(f"CPU cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.1f}\n")
    print("| scene (lecture pace, cold) | target (s) | wall (s) | CPU (s) | within target |")
    print("| --- | --- | --- | --- | --- |")
    missed = 0
    for scene in args.scenes:
        with tempfile.TemporaryDirectory() as media_dir:
            wall, cpu = render_seconds(scene, media_dir, env={"VIZDL_PACE": "lecture"})
        target = TARGETS[scene]
        ok = "-" if target is None else ("yes" if wall <= target else "NO")
        missed += ok == "NO"
        print(f"| `manim -ql scenes/{scene}.py` | {target or '-'} | {wall:.1f} | {cpu:.1f} | {ok} |", flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
