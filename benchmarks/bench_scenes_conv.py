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
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"convolution": 60.0, "pooling": 40.0, "feature_maps": None}


def render_seconds(scene: str, media_dir: str) -> tuple[float, float]:
    """Wall and CPU seconds of one ``manim -ql scenes/<scene>.py`` subprocess (raises on failure).

    CPU time (user + system of the child) does not depend on how busy the machine is.
    """
    manim = Path(sys.executable).with_name("manim")
    command = [str(manim) if manim.exists() else "manim", "-ql", "--media_dir", media_dir,
               "--progress_bar", "none", "-v", "WARNING", str(ROOT / "scenes" / f"{scene}.py")]
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "VIZDL_CONV": ""})
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


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
            cold, _ = render_seconds(scene, media_dir)
            warm, cpu = render_seconds(scene, media_dir)
        target = TARGETS[scene]
        ok = "-" if target is None else ("yes" if warm <= target else "NO")
        missed += ok == "NO"
        print(f"| `manim -ql scenes/{scene}.py` | {target or '-'} | {cold:.1f} | {warm:.1f} "
              f"| {cpu:.1f} | {ok} |", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
