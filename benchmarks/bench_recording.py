"""Recording overhead and run-opening speed (issue: training core).

1. The digits MLP trained three ways in the same process, same seed and batches:
   bare (no recording), vizdl's Recorder (weights + grads + probe activations every
   50 steps) and TensorBoard's ``add_histogram`` of the same tensors at the same cadence
   (the peer). Each is repeated and the median wall time reported.
2. Opening a run with 1,000 snapshots and listing its steps and layers; reading one
   tensor of one step.

Run: ``.venv/bin/python benchmarks/bench_recording.py`` (prints a Markdown table).
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

import vizdl
from vizdl.record import Recorder, RecordSpec

EPOCHS = 40
BATCH = 32
EVERY = 50
REPEATS = 7


def _batches(data, seed):
    g = torch.Generator().manual_seed(seed)
    for _ in range(EPOCHS):
        order = torch.randperm(len(data.x_train), generator=g)
        for start in range(0, len(order), BATCH):
            index = order[start:start + BATCH]
            yield data.x_train[index], data.y_train[index]


def _model(data):
    torch.manual_seed(0)
    return vizdl.models.build("mlp", data=data, hidden=(128, 64))


def _train(data, capture=None):
    """The loop every variant shares; ``capture(step, model)`` runs after backward."""
    model = _model(data)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    start = time.perf_counter()
    for step, (x, y) in enumerate(_batches(data, 0)):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        if capture is not None:
            capture(step, model)
        opt.step()
        loss.item()
    return time.perf_counter() - start, step + 1


def bare(data, tmp):
    return _train(data)[0]


def vizdl_recorder(data, tmp):
    model_holder = {}

    def capture(step, model):
        if "rec" not in model_holder:
            rec = Recorder(model, tmp / f"vizdl-{time.monotonic_ns()}", RecordSpec(every=EVERY),
                           probe=(data.x_val, data.y_val))
            model_holder["rec"] = rec.__enter__()
        model_holder["rec"].capture(step)

    seconds = _train(data, capture)[0]
    start = time.perf_counter()
    model_holder["rec"].__exit__(None, None, None)  # waits for the last writes
    return seconds + (time.perf_counter() - start)


def tensorboard_histograms(data, tmp):
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(str(tmp / f"tb-{time.monotonic_ns()}"))
    probe = data.x_val[:64]

    def capture(step, model):
        if step % EVERY:
            return
        for name, param in model.named_parameters():
            writer.add_histogram(f"weight/{name}", param.detach(), step)
            writer.add_histogram(f"grad/{name}", param.grad.detach(), step)
        was = model.training
        model.eval()
        with torch.no_grad():
            x = probe
            for index, layer in enumerate(model.net if hasattr(model, "net") else model):
                x = layer(x)
                writer.add_histogram(f"act/{index}", x, step)
        model.train(was)

    seconds = _train(data, capture)[0]
    start = time.perf_counter()
    writer.close()
    return seconds + (time.perf_counter() - start)


def overhead_table(data) -> list[str]:
    variants = {"bare training (baseline)": bare, "vizdl Recorder": vizdl_recorder,
                "TensorBoard add_histogram (peer)": tensorboard_histograms}
    times = {name: [] for name in variants}
    with tempfile.TemporaryDirectory() as tmp:
        for name, fn in variants.items():  # warm-up: imports, allocator
            fn(data, Path(tmp))
        order = list(variants)
        for repeat in range(REPEATS):  # rotate the order so no variant always runs first
            for name in order[repeat % 3:] + order[:repeat % 3]:
                times[name].append(variants[name](data, Path(tmp)))
    steps = _train(data)[1]
    base = statistics.median(times["bare training (baseline)"])
    rows = [f"Digits MLP 64-128-64-10, {steps} steps, batch {BATCH}, snapshot every {EVERY} steps "
            f"(median and best of {REPEATS}, order rotated):", "",
            "| variant | median wall (s) | best wall (s) | median vs bare |", "| --- | --- | --- | --- |"]
    for name in variants:
        median = statistics.median(times[name])
        rows.append(f"| {name} | {median:.3f} | {min(times[name]):.3f} | {median / base:.2f}x |")
    return rows


def opening_table(data) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "thousand"
        model = _model(data)
        with Recorder(model, path, RecordSpec(every=1), probe=(data.x_val, data.y_val)) as rec:
            for step in range(1000):
                rec.capture(step)
        start = time.perf_counter()
        run = vizdl.Run.open(path)
        steps, layers = run.steps, run.layers
        open_seconds = time.perf_counter() - start
        start = time.perf_counter()
        run.tensor(500, "weight/net.1.weight" if "weight/net.1.weight" in run.keys(500) else run.keys(500)[0])
        read_seconds = time.perf_counter() - start
    return ["", "| run with 1,000 snapshots | seconds | target |", "| --- | --- | --- |",
            f"| Run.open + steps + layers ({len(steps)} steps, {len(layers)} layers) | {open_seconds:.4f} | < 0.5 |",
            f"| read one tensor of one step | {read_seconds:.4f} | reads that tensor only |"]


def main() -> int:
    data = vizdl.data.load("digits")
    rows = overhead_table(data) + opening_table(data)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
