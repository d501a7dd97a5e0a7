"""Every packaged scene under ``manim -ql`` at lecture pace: wall and CPU seconds against issue 8's 90 s.

Each scene renders with plain ``manim -ql scenes/<name>.py`` (a subprocess) from one fresh
working folder, with an empty run cache (``VIZDL_CACHE`` points into that folder): the first
scene that needs a recipe trains it (the row says "trains"), later scenes reuse it, as on a
lecturer's machine. Manim's LaTeX cache is fresh per scene. Beside the times the table
gives the video's length and its number of sections (slides). CPU seconds (user + system
of manim and its children) do not grow with the machine's load; wall seconds do, so the
load average is printed before and after.

    python benchmarks/bench_scenes.py [--scenes backprop lstm ...]
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


def video_facts(media_dir: Path) -> tuple[float, int]:
    """``(seconds, sections)`` of the one video manim wrote under ``media_dir``."""
    import json

    import av

    videos = [p for p in Path(media_dir).rglob("*.mp4") if not {"partial_movie_files", "sections"} & set(p.parts)]
    if len(videos) != 1:
        raise RuntimeError(f"expected one video under {media_dir}, found {len(videos)}")
    with av.open(str(videos[0])) as container:
        seconds = float(container.duration / 1e6)
    sections = sum(len(json.loads(p.read_text())) for p in Path(media_dir).rglob("sections/*.json"))
    return seconds, sections


def main(argv=None) -> int:
    sys.path.insert(0, str(ROOT))
    from vizdl.scenes import SCENES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", nargs="+", default=sorted(SCENES), choices=sorted(SCENES))
    args = parser.parse_args(argv)
    print(f"CPU cores: {os.cpu_count()}, load average (1, 5, 15 min): "
          f"{', '.join(f'{v:.1f}' for v in os.getloadavg())}\n")
    print("| `manim -ql scenes/X.py` (lecture pace) | video (s) | wall (s) | CPU (s) | within 90 s |")
    print("| --- | --- | --- | --- | --- |")
    missed = 0
    with tempfile.TemporaryDirectory() as work:
        shutil.copyfile((ROOT / "manim.cfg").resolve(), Path(work) / "manim.cfg")  # white pages, as in the repo
        for scene in args.scenes:
            cache = Path(work, "vizdl-cache")
            before = set(cache.rglob("*.json")) if cache.exists() else set()
            with tempfile.TemporaryDirectory() as media_dir:
                wall, cpu = render_seconds(scene, media_dir, cwd=work, env={"VIZDL_CACHE": str(cache)},
                                           extra_args=("--save_sections",))
                seconds, sections = video_facts(Path(media_dir))
            trained = " (trains)" if cache.exists() and set(cache.rglob("*.json")) - before else ""
            ok = "yes" if wall <= TARGET else "NO"
            missed += ok == "NO"
            print(f"| {scene}{trained} | {seconds:.1f} ({sections} sections) | {wall:.1f} | {cpu:.1f} | {ok} |",
                  flush=True)
    print(f"\nload average after: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
