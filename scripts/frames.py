"""Extract frames spread across a video into PNGs and a contact sheet (for reviewing scenes).

    python scripts/frames.py media/videos/backprop/480p15/Backprop.mp4 out/frames --count 16

Writes ``frame_<k>_<seconds>s.png`` and ``sheet.png`` (frames in a grid, each stamped with
its time) into the output folder; prints the video's duration.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw


def frames_at(video: Path, count: int) -> list:
    """``[(seconds, PIL image)]`` of ``count`` frames evenly spread over the video (last included)."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        decoded = [(float(f.pts * stream.time_base), f.to_image()) for f in container.decode(stream)]
    picks = np.unique(np.linspace(0, len(decoded) - 1, count).round().astype(int))
    return [decoded[k] for k in picks]


def contact_sheet(frames, columns: int = 4, width: int = 480) -> Image.Image:
    """The frames in a grid, each scaled to ``width`` pixels and stamped with its time."""
    scaled = [(t, im.resize((width, round(im.height * width / im.width)))) for t, im in frames]
    height = scaled[0][1].height
    rows = -(-len(scaled) // columns)
    sheet = Image.new("RGB", (columns * width, rows * height), "white")
    for k, (t, im) in enumerate(scaled):
        x, y = (k % columns) * width, (k // columns) * height
        sheet.paste(im, (x, y))
        ImageDraw.Draw(sheet).text((x + 4, y + 2), f"{t:.1f}s", fill="magenta")
    return sheet


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=16)
    parser.add_argument("--columns", type=int, default=4)
    parser.add_argument("--width", type=int, default=480, help="width of each frame in the sheet")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    frames = frames_at(args.video, args.count)
    for k, (t, im) in enumerate(frames):
        im.save(args.out / f"frame_{k:02d}_{t:05.1f}s.png")
    contact_sheet(frames, args.columns, args.width).save(args.out / "sheet.png")
    print(f"{args.video}: {frames[-1][0]:.1f} s, {len(frames)} frames -> {args.out}/sheet.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
