"""Timing one ``manim`` render of a scene in a subprocess (shared by the scene benchmarks)."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def render_seconds(scene: str, media_dir, *, quality: str = "-ql", cwd=ROOT,
                   env: dict | None = None, extra_args=()) -> tuple[float, float]:
    """Wall and CPU seconds of ``manim <quality> scenes/<scene>.py`` (raises on failure).

    CPU time (user + system of the child) does not depend on how busy the machine is.
    ``env`` entries are added to the environment; ``VIZDL_RUN`` is always removed so the
    scene uses its default run. ``extra_args`` go to manim before the file (``--save_sections``).
    """
    manim = Path(sys.executable).with_name("manim")
    command = [str(manim) if manim.exists() else "manim", quality, "--media_dir", str(media_dir),
               "--progress_bar", "none", "-v", "WARNING", *extra_args, str(ROOT / "scenes" / f"{scene}.py")]
    environment = {k: v for k, v in os.environ.items() if k != "VIZDL_RUN"}
    environment.update({"PYTHONPATH": str(ROOT), **(env or {})})
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=environment)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
