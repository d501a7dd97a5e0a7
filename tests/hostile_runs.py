"""Tampered run directories: a generator of hostile cases and a counter of outcomes.

Each case takes a fresh copy of a good run and breaks one thing (issue 10's list and
more). ``read_everything`` reads a run the way visualizers do; the expected outcome of
every case is a :class:`vizdl.runs.RunFormatError` naming the broken file.

Counting (works with any vizdl version on ``PYTHONPATH``, each case in a subprocess
with a time and memory limit so hangs and memory bombs are counted, not suffered)::

    PYTHONPATH=. .venv/bin/python tests/hostile_runs.py                          # a run recorded now
    PYTHONPATH=. .venv/bin/python tests/hostile_runs.py --good tests/data/run_v1  # an old-format run
"""
from __future__ import annotations

import inspect
import json
import os
import shutil
import struct
import sys
from pathlib import Path

SNAPSHOTS = "snapshots"
INDEX = "index.jsonl"


# -- a good run -----------------------------------------------------------------------
def make_good_run(path: Path) -> Path:
    """Record a small zoo MLP every step for 12 steps (chunks of 5 steps where chunks exist)."""
    import torch

    import vizdl
    from vizdl.record import Recorder, RecordSpec

    torch.manual_seed(0)
    model = vizdl.models.build("mlp", input_shape=(4,), num_classes=3, hidden=(6,))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    g = torch.Generator().manual_seed(1)
    probe = (torch.randn(5, 4, generator=g), torch.tensor([0, 1, 2, 0, 1]))
    extra = {}
    if "storage" in inspect.signature(Recorder).parameters:
        extra["storage"] = vizdl.runs.Storage(chunk_steps=5)
    with Recorder(model, path, RecordSpec(every=1), probe=probe, **extra) as rec:
        for step in range(12):
            x, y = torch.randn(8, 4, generator=g), torch.randint(0, 3, (8,), generator=g)
            loss = torch.nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            rec.capture(step)
            opt.step()
            rec.log(step, loss=float(loss.detach()))
    return path


def read_everything(path: Path) -> None:
    """Read every part of a run the way figures, scenes and ``vizdl info`` do."""
    import vizdl
    from vizdl.commands.info import describe

    run = vizdl.Run.open(path)
    _ = (run.layers, run.parameters, run.attention_layers, repr(run))
    for name in sorted({k for record in run.metrics for k in record} - {"step"}):
        run.metric(name)
    _ = run.probe
    for step in run.steps:
        run.weights(step), run.grads(step), run.buffers(step), run.activations(step), run.attention(step)
        run.step_metadata(step), run.keys(step)
    if hasattr(run, "series") and run.steps:
        for key in run.keys(run.steps[0]):
            run.series(key)
    if run.model_name and run.steps:
        run.model(run.steps[-1])
    describe(run)


# -- raw safetensors editing ----------------------------------------------------------
def read_raw(path: Path) -> tuple[dict, bytes]:
    """Header (dict) and data bytes of a safetensors file."""
    blob = path.read_bytes()
    (size,) = struct.unpack("<Q", blob[:8])
    return json.loads(blob[8:8 + size]), blob[8 + size:]


def write_raw(path: Path, header: dict, data: bytes) -> None:
    """Write a safetensors file from a header dict and data bytes (no checks)."""
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)


def snapshot_files(run: Path) -> list[Path]:
    """Snapshot (or chunk) files of a run, sorted."""
    return sorted(p for p in (run / SNAPSHOTS).iterdir() if p.suffix == ".safetensors")


def first_snapshot(run: Path) -> Path:
    return snapshot_files(run)[0]


def is_chunked(run: Path) -> bool:
    return (run / SNAPSHOTS / INDEX).exists()


def weight_key(header: dict) -> str:
    """A 2-D weight key of a snapshot header (a step axis in front in a chunk) that is not square."""
    ndim = 3 if "vizdl_steps" in header.get("__metadata__", {}) else 2
    for name, spec in header.items():
        shape = spec["shape"] if name != "__metadata__" else []
        if name.startswith("weight/") and len(shape) == ndim and shape[-1] != shape[-2]:
            return name
    raise LookupError("no non-square weight")


def edit_header(path: Path, change) -> None:
    """Apply ``change(header, key)`` to the header of ``path`` (data kept)."""
    header, data = read_raw(path)
    change(header, weight_key(header))
    write_raw(path, header, data)


def outside_file(run: Path) -> Path:
    """A valid-looking file outside the run directory (target of hostile symlinks)."""
    target = run.parent / f"outside-{run.name}.safetensors"
    shutil.copy(first_snapshot(run), target)
    return target


def replace_with_symlink(path: Path, target) -> None:
    path.unlink()
    path.symlink_to(target)


def replace_with_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


# -- the cases ------------------------------------------------------------------------
def _deep_json(depth=100_000) -> bytes:
    return b'{"format": "vizdl-run/2", "model": ' + b"[" * depth + b"]" * depth + b"}"


def _swap_to(dtype: str, factor: int):
    def change(header, key):
        header[key]["dtype"] = dtype
        header[key]["shape"][-1] *= factor
    return change


def _transpose(header, key):
    shape = header[key]["shape"]
    shape[-1], shape[-2] = shape[-2], shape[-1]
    if shape[-1] == shape[-2]:
        raise LookupError("square weight")


def _unicode_digits(run: Path) -> None:
    source = first_snapshot(run)
    name = source.name.translate(str.maketrans("0123456789", "\u0660\u0661\u0662\u0663\u0664"
                                                              "\u0665\u0666\u0667\u0668\u0669"))
    shutil.copy(source, source.with_name(name))


def _newline_name(run: Path) -> None:
    source = first_snapshot(run)
    shutil.copy(source, source.with_name(source.name + "\n"))


def _duplicate_steps(run: Path) -> None:
    files = snapshot_files(run)
    if is_chunked(run):  # a second chunk holding a step of the first one
        from safetensors.numpy import save_file
        header, _ = read_raw(files[0])
        steps = json.loads(header["__metadata__"]["vizdl_steps"])
        from safetensors import safe_open
        with safe_open(str(files[0]), framework="numpy") as handle:
            tensors = {k: handle.get_tensor(k)[1:2] for k in handle.keys()}
            meta = dict(handle.metadata())
        meta["vizdl_steps"] = json.dumps([steps[1]])
        meta["vizdl_step_metadata"] = json.dumps([json.loads(meta["vizdl_step_metadata"])[1]])
        save_file(tensors, str(files[0].with_name(f"{steps[1]:08d}-{steps[1]:08d}.safetensors")), metadata=meta)
    else:  # the same step under a second spelling of its number
        _unicode_digits(run)


def _sparse_huge(run: Path) -> None:
    path = first_snapshot(run)
    header, _ = read_raw(path)
    key = weight_key(header)
    size = 2**30
    shape = [header[key]["shape"][0], size // header[key]["shape"][0]] if is_chunked(run) else [size]
    new = {"__metadata__": header.get("__metadata__", {}),
           key: {"dtype": "F32", "shape": shape, "data_offsets": [0, 4 * size]}}
    write_raw(path, new, b"")
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size + 4 * size)


def _header_length_huge(path: Path) -> None:
    blob = path.read_bytes()
    path.write_bytes(struct.pack("<Q", 2**60) + blob[8:])


def _offsets_past_end(header, key):
    begin, end = header[key]["data_offsets"]
    header[key]["data_offsets"] = [begin, end + 10**6]


def _metrics_lines(run: Path, lines: list[bytes]) -> None:
    with open(run / "metrics.jsonl", "rb") as handle:
        content = handle.read().splitlines(keepends=True)
    content[1:1] = lines
    (run / "metrics.jsonl").write_bytes(b"".join(content))


def _edit_index(run: Path, change) -> None:
    path = run / SNAPSHOTS / INDEX
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    change(lines)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def _edit_meta(run: Path, change) -> None:
    meta = json.loads((run / "run.json").read_text())
    change(meta)
    (run / "run.json").write_text(json.dumps(meta))


def _edit_chunk_metadata(run: Path, change) -> None:
    path = first_snapshot(run)
    header, data = read_raw(path)
    change(header["__metadata__"])
    write_raw(path, header, data)


def _device_node(path: Path) -> None:
    path.unlink()
    os.mknod(path, 0o600 | 0o020000, os.makedev(1, 5))  # a character device like /dev/zero


def cases() -> dict:
    """``name -> (needs_chunks, tamper(run_path), file the error should name)``."""
    snap = first_snapshot
    pickled = b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93\x94."
    return {
        # run.json
        "run.json recursion-deep JSON": (False, lambda r: (r / "run.json").write_bytes(_deep_json()), "run.json"),
        "run.json non-UTF-8": (False, lambda r: (r / "run.json").write_bytes(b'{"format": "\xff\xfe"}'), "run.json"),
        "run.json truncated": (False, lambda r: (r / "run.json").write_bytes((r / "run.json").read_bytes()[:40]),
                               "run.json"),
        "run.json a list": (False, lambda r: (r / "run.json").write_text("[1, 2]"), "run.json"),
        "run.json 20 MB": (False, lambda r: (r / "run.json").write_bytes(
            b'{"format": "vizdl-run/2", "pad": "' + b"x" * 20_000_000 + b'"}'), "run.json"),
        "run.json symlink out": (False, lambda r: replace_with_symlink(r / "run.json", outside_json(r)), "run.json"),
        "run.json FIFO": (False, lambda r: replace_with_fifo(r / "run.json"), "run.json"),
        "run.json -> /dev/zero": (False, lambda r: replace_with_symlink(r / "run.json", "/dev/zero"), "run.json"),
        "run.json layers not a list": (False, lambda r: _edit_meta(r, lambda m: m.update(layers="net.1")),
                                       "run.json"),
        "run.json model not an object": (False, lambda r: _edit_meta(r, lambda m: m.update(model=[1])), "run.json"),
        "run.json declares weight int32": (True, lambda r: _edit_meta(r, lambda m: m["tensors"][next(
            k for k in m["tensors"] if k.startswith("weight/"))].update(dtype="int32")), "run.json"),
        "run.json declares 2**50 elements": (True, lambda r: _edit_meta(r, lambda m: m["tensors"][next(
            k for k in m["tensors"] if k.startswith("weight/"))].update(shape=[2**50])), "run.json"),
        "run.json without declarations": (True, lambda r: _edit_meta(r, lambda m: m.pop("tensors")), "run.json"),
        # metrics.jsonl
        "metrics FIFO": (False, lambda r: replace_with_fifo(r / "metrics.jsonl"), "metrics.jsonl"),
        "metrics -> /dev/zero": (False, lambda r: replace_with_symlink(r / "metrics.jsonl", "/dev/zero"),
                                 "metrics.jsonl"),
        "metrics symlink out": (False, lambda r: replace_with_symlink(r / "metrics.jsonl", outside_json(r)),
                                "metrics.jsonl"),
        "metrics non-UTF-8 line": (False, lambda r: _metrics_lines(r, [b'{"step": 1, "loss": "\xff"}\n']),
                                   "metrics.jsonl"),
        "metrics 10 MB line": (False, lambda r: _metrics_lines(r, [b'{"step": 1, "x": "' + b"a" * 10**7 + b'"}\n']),
                               "metrics.jsonl"),
        "metrics recursion-deep line": (False, lambda r: _metrics_lines(r, [b"[" * 100_000 + b"]" * 100_000 + b"\n"]),
                                        "metrics.jsonl"),
        "metrics line not an object": (False, lambda r: _metrics_lines(r, [b"[1, 2]\n"]), "metrics.jsonl"),
        "metrics step not an integer": (False, lambda r: _metrics_lines(r, [b'{"step": "7", "loss": 1}\n']),
                                        "metrics.jsonl"),
        "metrics value not a number": (False, lambda r: _metrics_lines(r, [b'{"step": 7, "loss": "high"}\n']),
                                       "metrics.jsonl"),
        "metrics sparse 300 MB": (False, lambda r: os.truncate(r / "metrics.jsonl", 300 * 2**20), "metrics.jsonl"),
        # probe.safetensors
        "probe is a pickle": (False, lambda r: (r / "probe.safetensors").write_bytes(pickled), "probe.safetensors"),
        "probe BF16": (False, lambda r: _probe_dtype(r, "BF16", 2), "probe.safetensors"),
        "probe -> /dev/zero": (False, lambda r: replace_with_symlink(r / "probe.safetensors", "/dev/zero"),
                               "probe.safetensors"),
        # snapshot / chunk files
        "snapshot BF16 weight": (False, lambda r: edit_header(snap(r), _swap_to("BF16", 2)), "safetensors"),
        "snapshot F8 weight": (False, lambda r: edit_header(snap(r), _swap_to("F8_E4M3", 4)), "safetensors"),
        "snapshot float32->int32 swap": (False, lambda r: edit_header(snap(r), _swap_to("I32", 1)), "safetensors"),
        "snapshot transposed shape": (False, lambda r: edit_header(snap(r), _transpose), "safetensors"),
        "snapshot offsets past the end": (False, lambda r: edit_header(snap(r), _offsets_past_end), "safetensors"),
        "snapshot is a pickle": (False, lambda r: snap(r).write_bytes(pickled), "safetensors"),
        "snapshot truncated": (False, lambda r: snap(r).write_bytes(snap(r).read_bytes()[:100]), "safetensors"),
        "snapshot empty": (False, lambda r: snap(r).write_bytes(b""), "safetensors"),
        "snapshot header length 2**60": (False, lambda r: _header_length_huge(snap(r)), "safetensors"),
        "snapshot header non-UTF-8": (False, lambda r: _header_bytes(snap(r), b'{"\xff": 1}'), "safetensors"),
        "snapshot sparse 4 GiB tensor": (False, _sparse_huge, "safetensors"),
        "snapshot symlink out": (False, lambda r: replace_with_symlink(snap(r), outside_file(r)), "safetensors"),
        "snapshot -> /dev/zero": (False, lambda r: replace_with_symlink(snap(r), "/dev/zero"), "safetensors"),
        "snapshot FIFO": (False, lambda r: replace_with_fifo(snap(r)), "safetensors"),
        "snapshot device node": (False, lambda r: _device_node(snap(r)), "safetensors"),
        "snapshot is a directory": (False, lambda r: _directory_as_snapshot(r), "safetensors"),
        "snapshots dir symlink out": (False, _snapshots_symlink, SNAPSHOTS),
        "step name with Unicode digits": (False, _unicode_digits, SNAPSHOTS),
        "step name with a newline": (False, _newline_name, SNAPSHOTS),
        "duplicate steps": (False, _duplicate_steps, SNAPSHOTS),
        "foreign file in snapshots": (False, lambda r: (r / SNAPSHOTS / "model.pt").write_bytes(pickled), SNAPSHOTS),
        "key without a kind": (False, lambda r: _rename_key(snap(r), "net.1.weight"), "safetensors"),
        "int weights and activations": (False, lambda r: _retype_all(snap(r), "F32", "I32"), "safetensors"),
        # chunk-only (vizdl-run/2)
        "chunk steps differ from index": (True, lambda r: _edit_chunk_metadata(
            r, lambda m: m.update(vizdl_steps=json.dumps([0, 1, 2, 3, 5]))), "safetensors"),
        "chunk step metadata malformed": (True, lambda r: _edit_chunk_metadata(
            r, lambda m: m.update(vizdl_step_metadata="{}")), "safetensors"),
        "chunk steps not increasing": (True, lambda r: _edit_chunk_metadata(
            r, lambda m: m.update(vizdl_steps=json.dumps([0, 2, 1, 3, 4]))), "safetensors"),
        "chunk leading axis wrong": (True, lambda r: edit_header(snap(r), _leading_axis), "safetensors"),
        "chunk key not declared": (True, lambda r: _rename_key(snap(r), "weight/extra"), "safetensors"),
        "index names a missing file": (True, lambda r: _edit_index(r, lambda ls: ls.append(
            {"file": "00000050-00000050.safetensors", "steps": [50]})), INDEX),
        "index steps differ from name": (True, lambda r: _edit_index(r, lambda ls: ls[0].update(steps=[0, 1, 2])),
                                         INDEX),
        "index step not an integer": (True, lambda r: _edit_index(r, lambda ls: ls[0].update(
            steps=[0, 1, 2, 3, "4"])), INDEX),
        "index 10 MB line": (True, lambda r: (r / SNAPSHOTS / INDEX).write_bytes(
            b'{"file": "' + b"a" * 10**7 + b'"}\n'), INDEX),
        "index non-UTF-8": (True, lambda r: (r / SNAPSHOTS / INDEX).write_bytes(b'{"file": "\xff"}\n'), INDEX),
        "index FIFO": (True, lambda r: replace_with_fifo(r / SNAPSHOTS / INDEX), INDEX),
        "index lists a file twice": (True, lambda r: _edit_index(r, lambda ls: ls.append(
            {"file": ls[0]["file"], "steps": ls[0]["steps"][:1] + ls[0]["steps"][-1:]})), INDEX),
    }


def outside_json(run: Path) -> Path:
    target = run.parent / f"outside-{run.name}.json"
    target.write_text('{"format": "vizdl-run/1", "secret": 1}\n')
    return target


def _probe_dtype(run: Path, dtype: str, factor: int) -> None:
    path = run / "probe.safetensors"
    header, data = read_raw(path)
    header["inputs"]["dtype"] = dtype
    header["inputs"]["shape"][-1] *= factor
    write_raw(path, header, data)


def _header_bytes(path: Path, text: bytes) -> None:
    _, data = read_raw(path)
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)


def _directory_as_snapshot(run: Path) -> None:
    path = first_snapshot(run)
    path.unlink()
    path.mkdir()


def _snapshots_symlink(run: Path) -> None:
    outside = run.parent / f"outside-{run.name}-snapshots"
    shutil.copytree(run / SNAPSHOTS, outside)
    shutil.rmtree(run / SNAPSHOTS)
    (run / SNAPSHOTS).symlink_to(outside)


def _rename_key(path: Path, new: str) -> None:
    header, data = read_raw(path)
    key = weight_key(header)
    header[new] = header.pop(key)
    write_raw(path, header, data)


def _retype_all(path: Path, old: str, new: str) -> None:
    header, data = read_raw(path)
    for name, spec in header.items():
        if name != "__metadata__" and spec["dtype"] == old:
            spec["dtype"] = new
    write_raw(path, header, data)


def _leading_axis(header, key):
    header[key]["shape"] = [1, header[key]["shape"][0] * header[key]["shape"][1], *header[key]["shape"][2:]]


# -- counting -------------------------------------------------------------------------
def run_case(name: str, good: Path, workdir: Path) -> tuple[str, str]:
    """Apply case ``name`` to a copy of ``good`` and read it: ``(outcome, message)``.

    Outcomes: ``clear`` (RunFormatError naming the file), ``unnamed`` (RunFormatError
    not naming it), ``silent`` (read without error), ``other:<Type>``, ``n/a``.
    """
    import vizdl

    needs_chunks, tamper, names = cases()[name]
    target = workdir / "run"
    shutil.copytree(good, target, symlinks=True)
    if needs_chunks and not is_chunked(target):
        return "n/a", "the run format has no such file"
    try:
        tamper(target)
    except (LookupError, PermissionError) as error:
        return "n/a", f"cannot build the case here: {error}"
    try:
        read_everything(target)
    except vizdl.RunFormatError as error:
        message = str(error)
        return ("clear" if names in message else "unnamed"), message[:200]
    except Exception as error:  # noqa: BLE001 - counted
        return f"other:{type(error).__name__}", str(error)[:200]
    return "silent", ""


def _child(name: str, good: str, workdir: str) -> None:
    import resource

    limit = 3 * 2**30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    outcome, message = run_case(name, Path(good), Path(workdir))
    print(json.dumps({"outcome": outcome, "message": message}))


def count(good_run: Path | None = None, timeout: float = 120.0) -> dict:
    """Run every case in a subprocess (time and memory limited); print and return the outcomes.

    ``good_run`` is the run to tamper with (default: one recorded now by the vizdl on the path).
    """
    import subprocess
    import tempfile

    outcomes = {}
    with tempfile.TemporaryDirectory() as tmp:
        if good_run is None:
            good = make_good_run(Path(tmp) / "good")
        else:
            good = Path(tmp) / "good"
            shutil.copytree(good_run, good)
        for index, name in enumerate(cases()):
            workdir = Path(tmp) / f"case{index}"
            workdir.mkdir()
            try:
                done = subprocess.run([sys.executable, __file__, "--child", name, str(good), str(workdir)],
                                      capture_output=True, text=True, timeout=timeout)
                lines = done.stdout.strip().splitlines()
                result = json.loads(lines[-1]) if done.returncode == 0 and lines else \
                    {"outcome": f"crash:rc={done.returncode}", "message": done.stderr.strip()[-200:]}
            except subprocess.TimeoutExpired:
                result = {"outcome": "hang", "message": f"no answer in {timeout} s"}
            outcomes[name] = result
            print(f"{result['outcome']:>22}  {name}  {result['message'][:110]!r}", flush=True)
    tally = {}
    for result in outcomes.values():
        kind = result["outcome"].split(":")[0]
        tally[kind] = tally.get(kind, 0) + 1
    print("tally:", json.dumps(tally, sort_keys=True))
    return outcomes


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(*sys.argv[2:5])
    elif len(sys.argv) > 2 and sys.argv[1] == "--good":
        count(Path(sys.argv[2]))
    else:
        count()
