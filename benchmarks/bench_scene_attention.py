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

import tempfile
from pathlib import Path

from manim_timing import render_seconds

TARGET_S = 60.0


def render(workdir: Path, media: Path) -> float:
    """Wall seconds of one ``manim -ql`` of the attention scene run in ``workdir``."""
    return render_seconds("attention", media, cwd=workdir)[0]


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
