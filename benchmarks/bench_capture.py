"""Cost of one capture for users' models, against the plain forward it wraps (same process).

For three models -- the digits MLP 64-128-64-10, a small ResNet-style CNN and a torch
``nn.TransformerEncoder`` classifier -- it times, on a probe batch of 64:

- the peer: a plain ``model(probe)`` under ``torch.no_grad`` in eval mode (what any
  activation logger must run at least);
- the probe forward vizdl runs at every capture (hooks on every layer, attention sources,
  eval mode restored per module, compiled code forced eager, fused fast path off);
- a whole ``Recorder.capture`` (weights, grads, activations, attention, host copies,
  writer queue) and a training step without it, for scale.

Medians of ``REPEATS`` runs after a warm-up; prints a Markdown table with the load average.
Run: ``.venv/bin/python benchmarks/bench_capture.py``.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "own_models"))
from _models import ResNetish, TokenTransformer  # noqa: E402

import vizdl  # noqa: E402
from vizdl.record.attention import attention_sources  # noqa: E402
from vizdl.record.hooks import select_layers  # noqa: E402
from vizdl.record.probe import probe_forward  # noqa: E402

REPEATS = 30


def _models():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    mlp = vizdl.models.build("mlp", input_shape=(1, 8, 8), num_classes=10, hidden=(128, 64))
    yield "digits MLP 64-128-64-10", mlp, torch.randn(64, 1, 8, 8, generator=g), torch.randint(0, 10, (64,))
    yield "ResNet-style CNN (stem + 2 blocks)", ResNetish(channels=16), torch.randn(64, 1, 16, 16, generator=g), \
        torch.randint(0, 3, (64,))
    yield "nn.TransformerEncoder (2 layers, d=32)", TokenTransformer(vocab=50, d_model=32, heads=4, length=16), \
        torch.randint(0, 50, (64, 16), generator=g), torch.randint(0, 3, (64,))


def _median(fn) -> float:
    fn()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _plain(model, x):
    def run():
        model.eval()
        with torch.no_grad():
            model(x)
        model.train()
    return run


def _step(model, x, y, opt):
    def run():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
    return run


def row(name, model, x, y) -> str:
    layers, sources = select_layers(model, True), attention_sources(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    plain = _median(_plain(model, x))
    probe = _median(lambda: probe_forward(model, x, layers, sources))
    step = _median(_step(model, x, y, opt))
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with vizdl.Recorder(model, Path(tmp) / "run", vizdl.RecordSpec(every=1), probe=(x, y)) as rec:
            _step(model, x, y, opt)()
            counter = iter(range(10**6))
            capture = _median(lambda: rec.capture(next(counter)))
    return (f"| {name} | {len(layers)} | {plain * 1e3:.2f} | {probe * 1e3:.2f} | {probe / plain:.2f}x | "
            f"{capture * 1e3:.2f} | {step * 1e3:.2f} |")


def main() -> int:
    torch.set_num_threads(1)
    rows = [f"Probe batch 64, median of {REPEATS}, 1 torch thread, load average "
            f"{' '.join(f'{v:.1f}' for v in os.getloadavg())} at start:", "",
            "| model | hooked layers | plain no-grad forward (ms) | vizdl probe forward (ms) | vs plain | "
            "whole capture (ms) | training step without it (ms) |", "| --- | --- | --- | --- | --- | --- | --- |"]
    rows += [row(*case) for case in _models()]
    rows.append(f"\nload average at the end: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
