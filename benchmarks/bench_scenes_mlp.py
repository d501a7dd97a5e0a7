"""Wall and CPU time of ``manim -ql`` for the back-propagation, training and computational-graph scenes.

Every scene renders at lecture pace (each beat held long enough to read it aloud) from a
fresh working folder, so the run cache (``.vizdl-cache/``) starts empty: the first scene
that needs the ``xor-mlp`` recipe trains it (``backprop``, "cold"), later rows reuse it.
Manim's LaTeX cache is empty too (a fresh media folder per row). CPU seconds (user +
system of manim and its children: LaTeX, ffmpeg) are printed as well: on a shared machine
wall time grows with the load, CPU time does not. The target of issue 8 is 90 s wall per
scene. ``--medium`` adds one ``manim -qm`` render of the backprop scene (720p30).

    python benchmarks/bench_scenes_mlp.py [--medium] [--scenes backprop training]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from manim_timing import ROOT, render_seconds

TARGET = 90.0
CASES = [("backprop", "-ql"), ("training", "-ql"), ("computational_graph", "-ql")]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--medium", action="store_true", help="also time manim -qm scenes/backprop.py")
    parser.add_argument("--scenes", nargs="+", default=[c[0] for c in CASES])
    args = parser.parse_args(argv)
    cases = [c for c in CASES if c[0] in args.scenes] + ([("backprop", "-qm")] if args.medium else [])
    print(f"CPU cores: {os.cpu_count()}, load average (1, 5, 15 min): "
          f"{', '.join(f'{v:.1f}' for v in os.getloadavg())}\n")
    print("| command (lecture pace) | run cache | target wall (s) | wall (s) | CPU (s) | within target |")
    print("| --- | --- | --- | --- | --- | --- |")
    missed, trained = 0, False
    with tempfile.TemporaryDirectory() as work:
        shutil.copyfile((ROOT / "manim.cfg").resolve(), Path(work) / "manim.cfg")  # white pages, as in the repo
        for scene, quality in cases:
            cold = scene in ("backprop", "training") and not trained
            trained = trained or cold
            with tempfile.TemporaryDirectory() as media_dir:
                wall, cpu = render_seconds(scene, media_dir, quality=quality, cwd=work)
            target = TARGET if quality == "-ql" else None
            ok = "-" if target is None else ("yes" if wall <= target else "NO")
            missed += ok == "NO"
            print(f"| `manim {quality} scenes/{scene}.py` | {'empty (trains)' if cold else 'cached'} "
                  f"| {target or '-'} | {wall:.1f} | {cpu:.1f} | {ok} |", flush=True)
    print(f"\nload average after: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
