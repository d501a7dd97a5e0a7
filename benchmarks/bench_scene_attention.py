"""How long ``manim -ql`` of the attention and feature-maps scenes takes at lecture pace (target ≤ 90 s).

Each render is a fresh ``manim`` process in a temporary working folder (with vizdl's
``manim.cfg``), so the first render of a scene starts from an empty run cache and an
empty LaTeX cache: it trains the scene's recipe and compiles every MathTex. The second
render of the same scene reuses both (what a lecturer sees the second time). Wall and
CPU seconds are printed with the load average (CPU time does not depend on how busy the
machine is; wall time does).

Run: ``.venv/bin/python benchmarks/bench_scene_attention.py`` (prints a Markdown table).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from manim_timing import ROOT, render_seconds

TARGET_S = 90.0
CASES = (
    ("attention", "attention (recipe sequences-attention: 4 tokens, d_k = 4)", {}),
    ("attention", "attention (recipe sequences-transformer: 8 tokens, d_k = 16)",
     {"VIZDL_OPTIONS": "recipe=sequences-transformer"}),
    ("feature_maps", "feature_maps (recipe digits-cnn: cifar_cnn on 8x8 digits)", {}),
)


def run_case(scene: str, env: dict) -> tuple:
    """``(cold wall, cold cpu, warm wall, warm cpu)`` of one scene in a fresh working folder."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copy(ROOT / "manim.cfg", tmp / "manim.cfg")
        cold = render_seconds(scene, tmp / "media1", cwd=tmp, env=env)
        warm = render_seconds(scene, tmp / "media1", cwd=tmp, env=env)
    return (*cold, *warm)


def main() -> None:
    before = os.getloadavg()
    rows = [(label, run_case(scene, env)) for scene, label, env in CASES]
    after = os.getloadavg()
    print(f"load average (1 min) before / after: {before[0]:.1f} / {after[0]:.1f}\n")
    print(f"| `manim -ql`, lecture pace | cold wall (s) | cold CPU (s) | warm wall (s) | warm CPU (s) | "
          f"cold ≤ {TARGET_S:.0f} s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, (cold, cold_cpu, warm, warm_cpu) in rows:
        print(f"| {label} | {cold:.1f} | {cold_cpu:.1f} | {warm:.1f} | {warm_cpu:.1f} | "
              f"{'yes' if cold <= TARGET_S else 'NO'} |")


if __name__ == "__main__":
    main()
