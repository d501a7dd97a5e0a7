"""Wall and CPU time of ``manim`` for the back-propagation, computational-graph and training scenes.

``backprop (cold)`` starts with an empty run cache, so it includes training the tiny xor
MLP (the issue's target: 60 s wall on 2 cores, training included); the other rows reuse
the cached run. CPU seconds (user + system of the child) are printed too: on a shared
machine wall time grows with the load, CPU time does not. ``--medium`` adds one
``manim -qm`` render of the backprop scene (720p30) for estimating the default 1080p60.

    python benchmarks/bench_scenes_mlp.py [--medium]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

from manim_timing import render_seconds

CASES = [("backprop", "-ql", True, 60.0), ("backprop", "-ql", False, 60.0),
         ("computational_graph", "-ql", False, 60.0), ("training", "-ql", False, 60.0)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--medium", action="store_true", help="also time manim -qm scenes/backprop.py")
    args = parser.parse_args(argv)
    cases = CASES + ([("backprop", "-qm", False, None)] if args.medium else [])
    print(f"CPU cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}\n")
    print("| command | run cache | target wall (s) | wall (s) | CPU (s) | within target |")
    print("| --- | --- | --- | --- | --- | --- |")
    missed = 0
    with tempfile.TemporaryDirectory() as media_dir, tempfile.TemporaryDirectory() as cache_dir:
        for scene, quality, cold, target in cases:
            wall, cpu = render_seconds(scene, media_dir, quality=quality, env={"VIZDL_CACHE": cache_dir})
            ok = "-" if target is None else ("yes" if wall <= target else "NO")
            missed += ok == "NO"
            print(f"| `manim {quality} scenes/{scene}.py` | {'empty (trains)' if cold else 'cached'} "
                  f"| {target or '-'} | {wall:.1f} | {cpu:.1f} | {ok} |", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
