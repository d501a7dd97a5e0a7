"""How long ``manim -ql scenes/attention.py`` takes (issue: attention maps; target < 60 s).

Three renders in a row, each a fresh ``manim`` process with its own media folder:

1. cold: empty run cache and empty LaTeX cache (trains the tiny transformer, compiles
   every MathTex);
2. warm run: the run is cached, LaTeX is not (a fresh media folder);
3. warm: run and LaTeX cached (what a lecturer sees on the second render).

The peer is (1) vs (3): the cost of training + LaTeX against drawing frames only.

Run: ``.venv/bin/python benchmarks/bench_scene_attention.py`` (prints a Markdown table).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENE = ROOT / "scenes" / "attention.py"
MANIM = Path(sys.executable).with_name("manim")
TARGET_S = 60.0


def render(workdir: Path, media: Path) -> float:
    """Seconds one ``manim -ql`` of the attention scene takes in ``workdir``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("VIZDL_RUN", None)
    start = time.perf_counter()
    subprocess.run([str(MANIM), "-ql", str(SCENE), "Attention", "--media_dir", str(media),
                    "-v", "WARNING", "--progress_bar", "none"],
                   cwd=workdir, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows = [("cold (train + LaTeX + frames)", render(tmp, tmp / "media1")),
                ("run cached (LaTeX + frames)", render(tmp, tmp / "media2")),
                ("warm (frames only)", render(tmp, tmp / "media2"))]
    print(f"| `manim -ql scenes/attention.py` | seconds | < {TARGET_S:.0f} s |")
    print("| --- | --- | --- |")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.1f} | {'yes' if seconds < TARGET_S else 'NO'} |")


if __name__ == "__main__":
    main()
