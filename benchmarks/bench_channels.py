"""Time channel similarity on 10,000 images x 64 channels (issue 5 target: within 10 s on 2 cores).

Feature maps are random float32 ``(10000, 64, H, W)`` (8x8 by default, the size of a digits
CNN's first maps; ``--size 16`` for 16x16). Rows: :func:`vizdl.ops.channel_similarity` (query
against every image, both metrics), :func:`vizdl.ops.top_k` on its output and
:func:`vizdl.ops.channel_similarity_matrix` (64 x 64 over the dataset). The peer is the
brute-force loop over (image, channel) pairs that the tests compare with, timed on 100
images and scaled to 10,000. Wall and process CPU time are printed: on a shared machine the
wall time follows the load, the CPU time is what the code costs.

    .venv/bin/python benchmarks/bench_channels.py [--size 8] [--images 10000]
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np


def _timed(func, *args, repeat: int = 3):
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        func(*args)
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best


def brute_force(query, maps):
    out = np.zeros(maps.shape[:2])
    for n in range(maps.shape[0]):
        for c in range(maps.shape[1]):
            a, b = query[c].ravel().astype(float), maps[n, c].ravel().astype(float)
            na, nb = np.linalg.norm(a), np.linalg.norm(b)
            out[n, c] = 0.0 if na == 0 or nb == 0 else a @ b / (na * nb)
    return out


def main() -> int:
    from vizdl.ops import channel_similarity, channel_similarity_matrix, top_k

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=64)
    parser.add_argument("--size", type=int, default=8)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    maps = np.maximum(rng.normal(size=(args.images, args.channels, args.size, args.size)), 0).astype(np.float32)
    query = maps[0]
    sims = channel_similarity(query, maps)
    rows = [
        ("channel_similarity (cosine)", _timed(channel_similarity, query, maps)),
        ("channel_similarity (correlation)", _timed(channel_similarity, query, maps, "correlation")),
        ("top_k (k=5, all channels)", _timed(top_k, sims, 5)),
        ("channel_similarity_matrix (cosine)", _timed(channel_similarity_matrix, maps)),
    ]
    wall, cpu = _timed(brute_force, query, maps[:100], repeat=1)
    scale = args.images / 100
    rows.append((f"peer: brute-force loop (100 images, x{scale:g})", (wall * scale, cpu * scale)))
    print(f"{args.images} images x {args.channels} channels x {args.size}x{args.size}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| operation | wall (s) | CPU (s) | target |\n| --- | ---: | ---: | --- |")
    for name, (wall, cpu) in rows:
        target = "" if name.startswith(("peer", "top_k")) else ("< 10 s " + ("ok" if wall < 10 else "MISSED"))
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {target} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
