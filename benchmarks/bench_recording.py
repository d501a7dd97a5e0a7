"""Recording overhead, memory and run-reading speed (issues 11 and 10).

1. **Digits MLP** 64-128-64-10, batch 32, 1 torch thread: bare training against vizdl's
   Recorder (weights + grads + activations of a 64-sample probe) every 50 steps and every
   step (float32 and float16 storage), the previous ``vizdl-run/1`` writer (one fsynced
   file per step, reimplemented here as it was), TensorBoard ``add_histogram`` of the
   same tensors, and TorchLens capturing the probe's activations. All variants run in
   one process, same seed and batches, order rotated each repeat; median and best wall
   time, writes included (the recorder is closed inside the timing). A second table says
   where a capture's time goes (median microseconds per captured step).
2. **cifar_wide** (5.85 M parameters) on CIFAR-shaped random input, batch 32, a snapshot
   every 10 steps (all 26 leaf modules' activations on a 64-image probe: about 170 MB per
   snapshot): overhead in one process, and peak RSS of each variant in its own process.
3. **Reading** a 100,000-step run: ``Run.open`` + steps, one ``series`` and one tensor,
   for the chunked format against 100,000 per-step files (``vizdl-run/1``).

Run: ``.venv/bin/python benchmarks/bench_recording.py [mlp] [cifar] [open] [--quick]`` (all
sections by default; ``--quick`` only checks that the script runs); prints Markdown tables
and the load average before and after.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

import vizdl
from vizdl.record import Recorder, RecordSpec
from vizdl.runs import RunWriter, Storage

EPOCHS = 40
BATCH = 32
REPEATS = 5
CIFAR_STEPS = 40
CIFAR_REPEATS = 3
OPEN_STEPS = 100_000


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# -- 1. digits MLP -------------------------------------------------------------------------
def _batches(data, epochs=EPOCHS):
    g = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        order = torch.randperm(len(data.x_train), generator=g)
        for start in range(0, len(order), BATCH):
            index = order[start:start + BATCH]
            yield data.x_train[index], data.y_train[index]


def _mlp(data):
    torch.manual_seed(0)
    return vizdl.models.build("mlp", data=data, hidden=(128, 64))


def _train(model, batches, capture=None) -> int:
    """The loop every variant shares; ``capture(step)`` runs after backward."""
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    step = -1
    for step, (x, y) in enumerate(batches):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        if capture is not None:
            capture(step)
        opt.step()
        loss.item()
    return step + 1


def bare(data, tmp):
    model = _mlp(data)
    start = time.perf_counter()
    _train(model, _batches(data))
    return time.perf_counter() - start


def _vizdl(every, dtype="float32", writer=None):
    def variant(data, tmp):
        model = _mlp(data)
        start = time.perf_counter()
        with Recorder(model, tmp / f"vizdl-{time.monotonic_ns()}", RecordSpec(every=every, dtype=dtype),
                      probe=(data.x_val, data.y_val)) as rec:
            if writer is not None:
                rec.writer.write_snapshot = writer(rec.writer.path).write_snapshot
            _train(model, _batches(data), rec.capture)
            if writer is not None:
                rec.writer.write_snapshot.__self__.close()
        return time.perf_counter() - start
    return variant


class V1Writer:
    """The ``vizdl-run/1`` snapshot path as it was: NumPy copies, one fsynced file per step."""

    def __init__(self, path: Path):
        self.path = path / "v1-snapshots"
        self.path.mkdir()
        self._executor = ThreadPoolExecutor(max_workers=1)
        self._pending = []

    def write_snapshot(self, step, tensors, metadata):
        from safetensors.numpy import save

        arrays = {k: t.detach().to("cpu").float().numpy().copy() for k, t in tensors.items()}
        target = self.path / f"{step:08d}.safetensors"

        def write():
            tmp = target.with_name(target.name + ".tmp")
            with open(tmp, "wb") as handle:
                handle.write(save(arrays, metadata={k: str(v) for k, v in metadata.items()}))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        self._pending = [f for f in self._pending if not f.done()] + [self._executor.submit(write)]
        return sum(a.nbytes for a in arrays.values())

    def close(self):
        self._executor.shutdown(wait=True)


def _tensorboard(every):
    def variant(data, tmp):
        from torch.utils.tensorboard import SummaryWriter

        model = _mlp(data)
        probe = data.x_val[:64]
        start = time.perf_counter()
        writer = SummaryWriter(str(tmp / f"tb-{time.monotonic_ns()}"))

        def capture(step):
            if step % every:
                return
            for name, param in model.named_parameters():
                writer.add_histogram(f"weight/{name}", param.detach(), step)
                writer.add_histogram(f"grad/{name}", param.grad.detach(), step)
            was = model.training
            model.eval()
            with torch.no_grad():
                x = probe
                for index, layer in enumerate(model.net):
                    x = layer(x)
                    writer.add_histogram(f"act/{index}", x, step)
            model.train(was)

        _train(model, _batches(data), capture)
        writer.close()
        return time.perf_counter() - start
    return variant


def _torchlens(every):
    def variant(data, tmp):
        import torchlens

        model = _mlp(data)
        probe = data.x_val[:64]
        options = torchlens.options.CaptureOptions(unwrap_when_done=True)  # bare training stays bare
        kept = []

        def capture(step):
            if step % every:
                return
            state = {n: (p.detach().clone(), p.grad.clone()) for n, p in model.named_parameters()}
            was = model.training
            model.eval()
            trace = torchlens.trace(model, probe, capture=options)
            model.train(was)
            kept.append((state, trace))

        start = time.perf_counter()
        _train(model, _batches(data), capture)
        return time.perf_counter() - start
    return variant


def _rotated(variants: dict, repeats: int, tmp: Path, slow=()) -> dict:
    """Wall times of each variant; ``slow`` ones (far-off peers) run in the first two repeats only."""
    times = {name: [] for name in variants}
    for name, fn in variants.items():  # warm-up: imports, allocator, first files
        if name not in slow:
            fn(DATA, tmp)
    order = list(variants)
    for repeat in range(repeats):  # rotate so no variant always runs first
        shift = repeat % len(order)
        for name in order[shift:] + order[:shift]:
            if name not in slow or repeat < 2:
                times[name].append(variants[name](DATA, tmp))
    return times


def mlp_table() -> list[str]:
    variants = {"bare training (baseline)": bare,
                "vizdl every 50 steps": _vizdl(50),
                "vizdl every step": _vizdl(1),
                "vizdl every step, float16": _vizdl(1, "float16"),
                "vizdl-run/1 writer every step (previous: a file per step)": _vizdl(1, writer=V1Writer),
                "TensorBoard add_histogram every 50 steps (peer)": _tensorboard(50),
                "TensorBoard add_histogram every step (peer)": _tensorboard(1)}
    slow = ["TensorBoard add_histogram every step (peer)"]
    try:
        import torchlens  # noqa: F401
        variants["TorchLens trace every 50 steps (peer)"] = _torchlens(50)
        slow.append("TorchLens trace every 50 steps (peer)")
    except ImportError:
        print("TorchLens is not installed: `pip install torchlens` adds it as a peer\n")
    with tempfile.TemporaryDirectory() as tmp:
        times = _rotated(variants, REPEATS, Path(tmp), slow)
    steps = sum(1 for _ in _batches(DATA))
    base = statistics.median(times["bare training (baseline)"])
    rows = [f"Digits MLP 64-128-64-10, {steps} steps, batch {BATCH}, 1 torch thread "
            f"(median and best of {REPEATS} runs, order rotated, writes included; the slow peers: "
            "of 2 runs, no warm-up run):", "",
            "| variant | runs | median wall (s) | best wall (s) | median vs bare |", "| --- | --- | --- | --- | --- |"]
    for name, values in times.items():
        median = statistics.median(values)
        rows.append(f"| {name} | {len(values)} | {median:.3f} | {min(values):.3f} | {median / base:.2f}x |")
    return rows + [""] + capture_profile()


def capture_profile(steps: int = 1200) -> list[str]:
    """Median microseconds of each part of an every-step capture (and of a training step)."""
    model = _mlp(DATA)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    parts = {"training step (forward, backward, update)": [], "state tensors (weights, grads)": [],
             "probe forward with hooks (eval mode, 6 layers)": [], "write_snapshot (copy into chunk)": []}
    names = list(parts)
    with tempfile.TemporaryDirectory() as tmp, \
            Recorder(model, Path(tmp) / "r", RecordSpec(every=1), probe=(DATA.x_val, DATA.y_val)) as rec:
        for step, (x, y) in enumerate(_batches(DATA, epochs=100)):
            if step == steps:
                break
            t0 = time.perf_counter()
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            t1 = time.perf_counter()
            tensors = rec._state_tensors()
            t2 = time.perf_counter()
            tensors.update(rec._probe_tensors())
            t3 = time.perf_counter()
            rec.writer.write_snapshot(step, tensors, {"step": step})
            t4 = time.perf_counter()
            opt.step()
            loss.item()
            t5 = time.perf_counter()
            for name, value in zip(names, (t1 - t0 + t5 - t4, t2 - t1, t3 - t2, t4 - t3)):
                parts[name].append(value)
    rows = ["Where an every-step capture's time goes (digits MLP, median microseconds per step, "
            f"{steps} steps):", "", "| part | median (µs) |", "| --- | --- |"]
    rows += [f"| {name} | {statistics.median(v[100:]) * 1e6:.0f} |" for name, v in parts.items()]
    return rows


# -- 2. cifar_wide ---------------------------------------------------------------------------
def _cifar_data():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(CIFAR_STEPS * BATCH, 3, 32, 32, generator=g)
    y = torch.randint(0, 10, (len(x),), generator=g)
    probe = torch.randn(64, 3, 32, 32, generator=g), torch.randint(0, 10, (64,), generator=g)
    return x, y, probe


def _cifar_run(variant: str, tmp: Path) -> float:
    x, y, probe = _cifar_data()
    torch.manual_seed(0)
    model = vizdl.models.build("cifar_wide", input_shape=(3, 32, 32), num_classes=10)
    batches = [(x[i:i + BATCH], y[i:i + BATCH]) for i in range(0, len(x), BATCH)]
    start = time.perf_counter()
    if variant == "bare":
        _train(model, batches)
    else:
        spec = RecordSpec(every=10, dtype="float16" if variant == "float16" else "float32")
        with Recorder(model, tmp / f"cifar-{time.monotonic_ns()}", spec, probe=probe) as rec:
            _train(model, batches, rec.capture)
    return time.perf_counter() - start


def _peak_rss_mb(variant: str) -> float:
    code = ("import sys, resource, tempfile, pathlib; sys.path.insert(0, 'benchmarks'); import bench_recording as b; "
            "import torch; torch.set_num_threads(1); d = pathlib.Path(tempfile.mkdtemp()); "
            f"b._cifar_run({variant!r}, d); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def cifar_table() -> list[str]:
    names = {"bare": "bare training (baseline)", "float32": "vizdl every 10 steps",
             "float16": "vizdl every 10 steps, float16"}
    times = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:  # warm-up
            _cifar_run(name, Path(tmp))
        order = list(names)
        for repeat in range(CIFAR_REPEATS):
            shift = repeat % len(order)
            for name in order[shift:] + order[:shift]:
                times[name].append(_cifar_run(name, Path(tmp)))
    base = statistics.median(times["bare"])
    memory = Storage().memory_bytes / 2**20
    rows = [f"cifar_wide (5.85 M parameters), CIFAR-shaped random input, {CIFAR_STEPS} steps, batch {BATCH}, "
            f"1 torch thread, snapshot every 10 steps with all activations of a 64-image probe "
            f"(median of {CIFAR_REPEATS}, order rotated; peak RSS in a separate process per variant; "
            f"writer memory ceiling {memory:.0f} MiB):", "",
            "| variant | median wall (s) | median vs bare | peak RSS (MB) |", "| --- | --- | --- | --- |"]
    for name, label in names.items():
        median = statistics.median(times[name])
        rows.append(f"| {label} | {median:.2f} | {median / base:.2f}x | {_peak_rss_mb(name):.0f} |")
    return rows


# -- 3. reading a 100,000-step run ---------------------------------------------------------
def _tiny_state(step: int) -> dict:
    g = torch.Generator().manual_seed(step)
    shapes = {"net.1.weight": (8, 2), "net.1.bias": (8,), "net.3.weight": (8, 8), "net.3.bias": (8,),
              "net.5.weight": (2, 8), "net.5.bias": (2,)}
    return {f"{kind}/{name}": torch.randn(shape, generator=g) for kind in ("weight", "grad")
            for name, shape in shapes.items()}


def _write_chunked(path: Path, steps: int) -> None:
    writer = RunWriter(path, {"layers": []})
    state = _tiny_state(0)
    for step in range(steps):
        state["grad/net.3.weight"].fill_(step)  # a value the reads can check
        writer.write_snapshot(step, state, {"step": step})
    writer.write_meta(status="complete")
    writer.close()


def _write_per_step(path: Path, steps: int) -> None:
    import json

    from safetensors.numpy import save_file

    (path / "snapshots").mkdir(parents=True)
    (path / "run.json").write_text(json.dumps({"format": "vizdl-run/1", "layers": []}))
    arrays = {k: v.numpy() for k, v in _tiny_state(0).items()}
    for step in range(steps):
        arrays["grad/net.3.weight"][...] = step
        save_file(arrays, str(path / "snapshots" / f"{step:08d}.safetensors"), metadata={"step": str(step)})


def _time(fn) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def open_table() -> list[str]:
    rows = [f"Reading a run of {OPEN_STEPS:,} steps (12 tensors of a 2-8-8-2 MLP per step; cold "
            "process caches not dropped):", "",
            "| layout | Run.open + steps (s) | series of one key (s) | one tensor of one step (s) |",
            "| --- | --- | --- | --- |"]
    with tempfile.TemporaryDirectory() as tmp:
        for label, write in (("vizdl-run/2 chunks + index", _write_chunked),
                             ("vizdl-run/1 one file per step", _write_per_step)):
            path = Path(tmp) / label.split()[0].replace("/", "-")
            write(path, OPEN_STEPS)
            open_s, run = _time(lambda p=path: vizdl.Run.open(p))
            assert len(run.steps) == OPEN_STEPS
            series_s, (steps, values) = _time(lambda r=run: r.series("grad/net.3.weight"))
            assert np.array_equal(values[:, 0, 0], steps.astype(np.float32))
            one_s, value = _time(lambda r=run: r.tensor(OPEN_STEPS // 2, "grad/net.3.weight"))
            assert value[0, 0] == OPEN_STEPS // 2
            rows.append(f"| {label} | {open_s:.3f} | {series_s:.3f} | {one_s:.4f} |")
    return rows


def main(argv: list[str]) -> int:
    global EPOCHS, REPEATS, CIFAR_STEPS, CIFAR_REPEATS, OPEN_STEPS
    if "--quick" in argv:  # a smoke test of the script, not a measurement
        EPOCHS, REPEATS, CIFAR_STEPS, CIFAR_REPEATS, OPEN_STEPS = 2, 1, 20, 1, 2000
    torch.set_num_threads(1)
    sections = {"mlp": mlp_table, "cifar": cifar_table, "open": open_table}
    chosen = [s for s in argv if s in sections] or list(sections)
    print(f"load average before: {_load()} ({os.cpu_count()} CPUs)\n")
    for name in chosen:
        print("\n".join(sections[name]()) + "\n", flush=True)
    print(f"load average after: {_load()}")
    return 0


DATA = vizdl.data.load("digits")

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
