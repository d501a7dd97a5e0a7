"""Wall time of ``manim -ql`` for the convolution, pooling and feature-map scenes.

Each scene is rendered twice in a fresh media folder: "cold" includes compiling the
MathTex formulas with LaTeX, "warm" reuses manim's TeX cache (as a lecturer's second
render does). Targets from issue 4: convolution (all five cases) 60 s, pooling 40 s.
CPU seconds are printed too: on a shared machine wall time grows with the load,
CPU time does not. Prints a Markdown table; exits 1 when a warm wall time misses its target.

    python benchmarks/bench_scenes_conv.py [--scenes convolution pooling feature_maps]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

from manim_timing import render_seconds

TARGETS = {"convolution": 60.0, "pooling": 40.0, "feature_maps": None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", nargs="+", default=list(TARGETS), choices=list(TARGETS))
    args = parser.parse_args(argv)
    print(f"CPU cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}\n")
    print("| scene | target (s) | cold wall (s) | warm wall (s) | warm CPU (s) | within target |")
    print("| --- | --- | --- | --- | --- | --- |")
    missed = 0
    for scene in args.scenes:
        with tempfile.TemporaryDirectory() as media_dir:
            cold, _ = render_seconds(scene, media_dir, env={"VIZDL_CONV": ""})
            warm, cpu = render_seconds(scene, media_dir, env={"VIZDL_CONV": ""})
        target = TARGETS[scene]
        ok = "-" if target is None else ("yes" if warm <= target else "NO")
        missed += ok == "NO"
        print(f"| `manim -ql scenes/{scene}.py` | {target or '-'} | {cold:.1f} | {warm:.1f} "
              f"| {cpu:.1f} | {ok} |", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
