"""Run storage (vizdl-run/2): chunks, index, lazy reads, series, crash safety, lock, disk full.

Every stored number is compared with the torch tensor it came from; failures of the
disk are simulated by fakes that raise the errors a full disk raises.
"""
import errno
import json
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors import safe_open
from torch import nn

from vizdl.record import Recorder, RecordSpec
from vizdl.runs import Run, RunExistsError, RunInUseError, RunWriter, Storage

V1_RUN = Path(__file__).parent / "data" / "run_v1"


def _mlp(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def _record(path, steps=10, storage=None, spec=None, model=None, capture_steps=None, **kw):
    """Train a tiny MLP, capturing every step; returns ``(run, {step: {key: tensor}})``."""
    model = model or _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    g = torch.Generator().manual_seed(1)
    probe = (torch.randn(5, 3, generator=g), torch.zeros(5))
    expected = {}
    with Recorder(model, path, spec or RecordSpec(every=1), probe=probe, storage=storage, **kw) as rec:
        for step in capture_steps or range(steps):
            x = torch.randn(4, 3, generator=g)
            opt.zero_grad()
            model(x).square().sum().backward()
            if rec.capture(step):
                expected[step] = {**{f"weight/{n}": p.detach().clone() for n, p in model.named_parameters()},
                                  **{f"grad/{n}": p.grad.clone() for n, p in model.named_parameters()}}
            opt.step()
            rec.log(step, loss=float(step))
    return Run.open(path), expected


def _chunk_files(run):
    return sorted(p.name for p in (run.path / "snapshots").glob("*.safetensors"))


def _index(run):
    return [json.loads(line) for line in (run.path / "snapshots" / "index.jsonl").read_text().splitlines()]


# -- the format ---------------------------------------------------------------------------
def test_chunks_hold_stacked_steps_with_their_index_and_declarations(tmp_path):
    run, expected = _record(tmp_path / "run", steps=10, storage=Storage(chunk_steps=4))
    assert run.format == "vizdl-run/2" and run.meta["storage"]["chunk_steps"] == 4
    assert _chunk_files(run) == ["00000000-00000003.safetensors", "00000004-00000007.safetensors",
                                 "00000008-00000009.safetensors"]
    assert _index(run) == [{"file": "00000000-00000003.safetensors", "steps": [0, 1, 2, 3]},
                           {"file": "00000004-00000007.safetensors", "steps": [4, 5, 6, 7]},
                           {"file": "00000008-00000009.safetensors", "steps": [8, 9]}]
    assert run.meta["tensors"]["weight/0.weight"] == {"dtype": "float32", "shape": [4, 3]}
    with safe_open(str(run.path / "snapshots" / "00000004-00000007.safetensors"), framework="numpy") as handle:
        assert json.loads(handle.metadata()["vizdl_steps"]) == [4, 5, 6, 7]
        stacked = handle.get_tensor("grad/2.weight")
    assert stacked.shape == (4, 2, 4)
    for row, step in enumerate(range(4, 8)):  # every stored number is the torch tensor's
        np.testing.assert_array_equal(stacked[row], expected[step]["grad/2.weight"].numpy())
    for step in run.steps:
        for key, tensor in expected[step].items():
            np.testing.assert_array_equal(run.tensor(step, key), tensor.numpy())
    assert run.step_metadata(5) == {"step": "5", "epoch": "None"}
    modes = {p.name: p.stat().st_mode & 0o777 for p in run.path.rglob("*") if p.is_file() and p.name != ".lock"}
    assert len(set(modes.values())) == 1, modes  # chunks are as readable as run.json


def test_chunks_are_closed_by_bytes_and_by_layout(tmp_path):
    step_bytes = 4 * 2 * (12 + 4 + 8 + 2) + 4 * 5 * (4 + 4 + 2)  # weights + grads + activations
    run, _ = _record(tmp_path / "bytes", steps=7, storage=Storage(chunk_bytes=3 * step_bytes))
    assert [len(e["steps"]) for e in _index(run)] == [3, 3, 1]

    model = _mlp()
    model[2].weight.requires_grad_(False)  # no grad for one parameter until it is unfrozen
    with Recorder(model, tmp_path / "layout", RecordSpec(every=1)) as rec:
        for step in range(6):
            model.zero_grad()
            if step == 3:
                model[2].weight.requires_grad_(True)
            model(torch.randn(2, 3)).sum().backward()
            rec.capture(step)
    run = Run.open(tmp_path / "layout")
    assert [e["steps"] for e in _index(run)] == [[0, 1, 2], [3, 4, 5]]
    assert "grad/2.weight" not in run.keys(0) and "grad/2.weight" in run.keys(3)
    steps, values = run.series("grad/2.weight")
    assert list(steps) == [3, 4, 5] and values.shape == (3, 2, 4)


def test_writer_accepts_numpy_and_refuses_steps_that_do_not_increase(tmp_path):
    writer = RunWriter(tmp_path / "run", {"model": {"name": None}})
    try:
        assert writer.write_snapshot(3, {"weight/w": np.ones((2, 2), np.float32)}, {"step": 3}) == 16
        with pytest.warns(RuntimeWarning, match="step 3 does not come after"):
            assert writer.write_snapshot(3, {"weight/w": np.zeros((2, 2), np.float32)}, {"step": 3}) == 0
        with pytest.warns(RuntimeWarning, match="changed from"):  # a declared key keeps its shape
            writer.write_snapshot(4, {"weight/w": np.zeros((3, 2), np.float32)}, {"step": 4})
        writer.write_meta(status="complete")
    finally:
        writer.close()
    run = Run.open(tmp_path / "run")
    assert run.steps == [3, 4] and run.keys(4) == []
    np.testing.assert_array_equal(run.tensor(3, "weight/w"), np.ones((2, 2)))


def test_float16_storage_equals_torch_conversion(tmp_path):
    run, expected = _record(tmp_path / "run", steps=3, spec=RecordSpec(every=1, dtype="float16"))
    assert run.meta["record"]["dtype"] == "float16"  # converted by the Recorder, stored as handed over
    assert run.meta["tensors"]["weight/0.weight"]["dtype"] == "float16"
    stored = run.tensor(2, "weight/0.weight")
    assert stored.dtype == np.float16
    np.testing.assert_array_equal(stored, expected[2]["weight/0.weight"].half().numpy())


def test_writer_keeps_float64_or_converts_floats_as_its_storage_says(tmp_path):
    weights = {"weight/w": np.linspace(0, 1, 4, dtype=np.float64).reshape(2, 2), "buffer/n": np.array(7)}
    for float_dtype, expected in [("keep", np.float64), ("float16", np.float16), ("float32", np.float32)]:
        path = tmp_path / float_dtype
        writer = RunWriter(path, {"model": {"name": None}}, storage=Storage(float_dtype=float_dtype))
        try:
            writer.write_snapshot(0, weights, {"step": 0})
            writer.write_meta(status="complete")
        finally:
            writer.close()
        run = Run.open(path)
        stored = run.tensor(0, "weight/w")
        assert stored.dtype == expected and run.meta["tensors"]["weight/w"]["dtype"] == np.dtype(expected).name
        np.testing.assert_array_equal(stored, weights["weight/w"].astype(expected))
        assert run.tensor(0, "buffer/n").shape == () and run.tensor(0, "buffer/n") == 7  # 0-d stays 0-d


def test_bad_storage_options_name_the_option():
    for kwargs, name in [({"chunk_steps": 0}, "chunk_steps"), ({"chunk_bytes": -1}, "chunk_bytes"),
                         ({"chunk_seconds": float("inf")}, "chunk_seconds"), ({"memory_bytes": 1.5}, "memory_bytes"),
                         ({"when_full": "block"}, "when_full"), ({"float_dtype": "bfloat16"}, "float_dtype")]:
        with pytest.raises(ValueError, match=name):
            Storage(**kwargs)


# -- reading ------------------------------------------------------------------------------
def test_series_equals_per_step_reads_with_one_read_per_chunk(tmp_path, safetensors_reads):
    run, _ = _record(tmp_path / "run", steps=11, storage=Storage(chunk_steps=4))
    safetensors_reads.clear()
    steps, values = run.series("grad/0.weight")
    assert safetensors_reads == [("tensor", "grad/0.weight")] * 3  # three chunks, three reads
    assert list(steps) == run.steps and values.shape == (11, 4, 3)
    for step, value in zip(steps, values):
        np.testing.assert_array_equal(value, run.grads(step)["0.weight"])
    with pytest.raises(KeyError, match="no tensor 'grad/9'"):
        run.series("grad/9")


def test_reading_a_step_reads_only_its_rows_of_its_keys(tmp_path, safetensors_reads):
    run, _ = _record(tmp_path / "run", steps=8, storage=Storage(chunk_steps=8))
    safetensors_reads.clear()
    weights = run.weights(6)
    assert sorted(safetensors_reads) == [("slice", "weight/0.bias", 1), ("slice", "weight/0.weight", 1),
                                         ("slice", "weight/2.bias", 1), ("slice", "weight/2.weight", 1)]
    assert weights["0.weight"].shape == (4, 3)


def test_open_uses_the_index_without_reading_chunk_headers(tmp_path, monkeypatch):
    run, _ = _record(tmp_path / "run", steps=9, storage=Storage(chunk_steps=2))
    opened = []
    from vizdl.runs import files

    original = files.safe_open
    monkeypatch.setattr(files, "safe_open", lambda *a, **k: opened.append(a[0]) or original(*a, **k))
    assert Run.open(run.path).steps == list(range(9))
    assert opened == []


def test_a_chunk_missing_from_the_index_is_recovered_from_its_header(tmp_path):
    run, _ = _record(tmp_path / "run", steps=9, storage=Storage(chunk_steps=4))
    index = run.path / "snapshots" / "index.jsonl"
    lines = index.read_text().splitlines(keepends=True)
    index.write_text(lines[0] + lines[1][:10])  # last line lost, the one before torn
    recovered = Run.open(run.path)
    assert recovered.steps == run.steps
    np.testing.assert_array_equal(recovered.tensor(8, "weight/0.bias"), run.tensor(8, "weight/0.bias"))


def test_old_v1_runs_still_open_and_equal_torch(safetensors_reads):
    run = Run.open(V1_RUN)
    assert run.format == "vizdl-run/1" and run.steps == [0, 10, 20] and run.status == "complete"
    assert run.step_metadata(10) == {"step": "10", "epoch": "1"}
    assert len(run.metrics) == 25 and run.keys(0)[0].startswith(("weight/", "grad/", "buffer/", "act/"))
    with safe_open(str(V1_RUN / "snapshots" / "00000010.safetensors"), framework="numpy") as handle:
        np.testing.assert_array_equal(run.tensor(10, "grad/3.weight"), handle.get_tensor("grad/3.weight"))
    steps, series = run.series("weight/0.weight")
    assert list(steps) == [0, 10, 20]
    np.testing.assert_array_equal(series[1], run.weights(10)["0.weight"])
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    model.load_state_dict({k: torch.from_numpy(v) for k, v in {**run.weights(20), **run.buffers(20)}.items()})
    with torch.no_grad():  # the stored activations are the eval-mode forward of that step's weights
        out = model.eval()(torch.from_numpy(run.probe["inputs"]))
    np.testing.assert_allclose(run.activations(20)["3"], out.numpy(), rtol=1e-6)


# -- crash safety ---------------------------------------------------------------------------
KILLED = textwrap.dedent("""
    import sys, torch
    from torch import nn
    from vizdl.record import Recorder, RecordSpec
    from vizdl.runs import Storage
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))
    storage = Storage(chunk_steps=7, chunk_seconds=0.2)
    with Recorder(model, sys.argv[1], RecordSpec(every=1), probe=(torch.randn(32, 64), torch.zeros(32)),
                  storage=storage) as rec:
        for step in range(10**7):
            model(torch.randn(8, 64)).sum().backward()
            rec.capture(step)
            rec.log(step, loss=0.5)
            if step == 3:
                print("ready", flush=True)
""")


def test_sigkill_mid_run_leaves_only_complete_chunks(tmp_path):
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(Run.open(out).steps) < 30:
            time.sleep(0.05)  # the run is readable while it is written
        assert proc.poll() is None, "the writer died before it was killed"
        with pytest.raises(RunInUseError, match="being written by another process"):
            RunWriter(out, {}, overwrite=True)  # the live writer holds the lock
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    run = Run.open(out)
    assert run.meta["status"] == "running" and run.status == "killed"
    from vizdl.live import watch
    assert watch(out, interval=0.05, timeout=30, quiet=True) == 1  # a live view ends instead of waiting
    assert run.steps == list(range(len(run.steps))) and len(run.steps) >= 30
    for step in run.steps:  # every listed step reads completely
        assert run.weights(step)["0.weight"].shape == (256, 64)
        assert run.activations(step)["2"].shape == (32, 10)
    steps, _ = run.metric("loss")
    assert len(steps) >= len(run.steps) - 1
    torn = out / "snapshots" / f".{len(run.steps):08d}-{len(run.steps) + 6:08d}.safetensors.999.0.tmp"
    torn.write_bytes(b"half a chunk")  # what a kill during a chunk write leaves
    assert Run.open(out).steps == run.steps


UNCLOSED = textwrap.dedent("""
    import sys, torch
    from torch import nn
    from vizdl.record import Recorder, RecordSpec
    model = nn.Linear(3, 2)
    rec = Recorder(model, sys.argv[1], RecordSpec(every=1)).__enter__()
    for step in range(3):
        model(torch.randn(2, 3)).sum().backward()
        rec.capture(step)
""")


def test_a_run_left_open_at_exit_is_finished_not_left_running(tmp_path):
    subprocess.run([sys.executable, "-c", UNCLOSED, str(tmp_path / "run")], check=True)
    run = Run.open(tmp_path / "run")
    assert run.status == "unfinished" and run.steps == [0, 1, 2]


def test_keyboard_interrupt_marks_the_run_interrupted(tmp_path):
    model = _mlp()
    with pytest.raises(KeyboardInterrupt):
        with Recorder(model, tmp_path / "run", RecordSpec(every=1)) as rec:
            model(torch.randn(2, 3)).sum().backward()
            rec.capture(0)
            raise KeyboardInterrupt
    run = Run.open(tmp_path / "run")
    assert run.status == "interrupted" and run.steps == [0]


def test_chunk_seconds_makes_steps_visible_while_training_is_idle(tmp_path):
    model = _mlp()
    with Recorder(model, tmp_path / "run", RecordSpec(every=1), storage=Storage(chunk_seconds=0.1)) as rec:
        model(torch.randn(2, 3)).sum().backward()
        rec.capture(0)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not Run.open(tmp_path / "run").steps:
            time.sleep(0.02)  # no further capture: the writer thread closes the chunk itself
        assert Run.open(tmp_path / "run").steps == [0]
        assert Run.open(tmp_path / "run").status == "running"


# -- one writer, no mixing ------------------------------------------------------------------
def test_second_writer_gets_a_clear_error(tmp_path):
    first = RunWriter(tmp_path / "run", {})
    try:
        with pytest.raises(RunInUseError, match="being written by another process"):
            RunWriter(tmp_path / "run", {}, overwrite=True)
    finally:
        first.close()
    RunWriter(tmp_path / "run", {}, overwrite=True).close()  # released on close


def test_non_empty_directory_is_refused_unless_overwrite(tmp_path):
    _record(tmp_path / "run", steps=5)
    with pytest.raises(RunExistsError, match="not empty.*overwrite=True"):
        _record(tmp_path / "run", steps=5)
    assert Run.open(tmp_path / "run").steps == [0, 1, 2, 3, 4]  # untouched by the refusal
    run, _ = _record(tmp_path / "run", steps=2, overwrite=True)
    assert run.steps == [0, 1] and len(run.metrics) == 2  # replaced, not merged
    (tmp_path / "run" / "notes.txt").write_text("mine")
    with pytest.raises(RunExistsError, match="not part of a vizdl run"):
        _record(tmp_path / "run", steps=2, overwrite=True)
    assert (tmp_path / "run" / "notes.txt").read_text() == "mine"


def test_train_and_cli_refuse_a_used_out(tmp_path, capsys):
    from vizdl.cli import main

    args = ["train", "mlp", "xor", "--epochs", "1", "--out", str(tmp_path / "run"), "--quiet"]
    assert main(args) == 0
    assert main(args) != 0
    assert "--overwrite" in capsys.readouterr().err
    assert main(args + ["--overwrite"]) == 0


def test_train_refuses_a_used_out_before_touching_the_model(tmp_path):
    import vizdl

    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "notes.txt").write_text("mine")
    model = vizdl.models.build("mlp", input_shape=(2,), num_classes=2, hidden=(4,))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    data = vizdl.data.load("xor")
    with pytest.raises(RunExistsError, match="is not empty"):
        vizdl.train(model, data, epochs=1, init="xavier", out=tmp_path / "run", quiet=True)
    with pytest.raises(ValueError, match="overwrite must be True or False"):
        vizdl.train(model, data, epochs=1, out=tmp_path / "run", overwrite="yes", quiet=True)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # init= was not applied
    assert (tmp_path / "run" / "notes.txt").read_text() == "mine"


# -- a failing disk stops recording, not training ---------------------------------------------
def _disk_full_save(real_save):
    def save(tensors, path, metadata=None):
        Path(path).write_bytes(b"partial")  # the temporary file exists when the disk fills
        raise OSError(errno.ENOSPC, "No space left on device")
    return save


def test_disk_full_stops_recording_with_one_warning_and_training_goes_on(tmp_path, monkeypatch):
    from vizdl.runs import chunks

    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    storage = Storage(chunk_steps=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with Recorder(model, tmp_path / "run", RecordSpec(every=1), storage=storage) as rec:
            recorded = []
            for step in range(12):
                if step == 4:
                    monkeypatch.setattr(chunks, "save_file", _disk_full_save(chunks.save_file))
                opt.zero_grad()
                model(torch.randn(2, 3)).sum().backward()
                recorded.append(rec.capture(step))
                opt.step()
                rec.log(step, loss=1.0)
                time.sleep(0.01)
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(messages) == 1 and "ENOSPC" in messages[0] and "training continues" in messages[0]
    run = Run.open(tmp_path / "run")
    assert run.steps == [0, 1, 2]  # complete chunks before the disk filled
    assert run.meta["recording_stopped"] == {"reason": "ENOSPC: No space left on device", "last_step": 2}
    assert run.status == "complete" and len(run.metrics) == 12  # training (and its log) went on
    assert recorded[-1] is False
    assert not [p for p in run.path.rglob("*") if p.name.endswith(".tmp")]


def test_metrics_disk_full_warns_once(tmp_path):
    writer = RunWriter(tmp_path / "run", {})

    class FullFile:
        closed = False

        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

        flush = close = lambda self: None

    writer._metrics = FullFile()
    with pytest.warns(RuntimeWarning, match="metrics are no longer recorded") as caught:
        for step in range(3):
            writer.log({"step": step})
    assert len(caught) == 1
    writer.close()
    assert Run.open(tmp_path / "run").meta["metrics_stopped"] == "No space left on device"


# -- memory ceiling --------------------------------------------------------------------------
def _slow_save(real_save, seconds):
    def save(*args, **kwargs):
        time.sleep(seconds)
        return real_save(*args, **kwargs)
    return save


def test_memory_ceiling_back_pressure_keeps_every_step(tmp_path, monkeypatch):
    from vizdl.runs import chunks

    monkeypatch.setattr(chunks, "save_file", _slow_save(chunks.save_file, 0.05))
    step_bytes = 4 * 2 * (12 + 4 + 8 + 2) + 4 * 5 * (4 + 4 + 2)
    storage = Storage(chunk_steps=2, memory_bytes=4 * step_bytes)  # two buffers of two steps
    run, expected = _record(tmp_path / "run", steps=12, storage=storage)
    assert run.steps == list(range(12))
    np.testing.assert_array_equal(run.tensor(11, "grad/0.weight"), expected[11]["grad/0.weight"].numpy())


def test_memory_ceiling_drop_policy_warns_and_counts(tmp_path, monkeypatch):
    from vizdl.runs import chunks

    monkeypatch.setattr(chunks, "save_file", _slow_save(chunks.save_file, 0.2))
    step_bytes = 4 * 2 * (12 + 4 + 8 + 2) + 4 * 5 * (4 + 4 + 2)
    storage = Storage(chunk_steps=1, memory_bytes=2 * step_bytes, when_full="drop")
    with pytest.warns(RuntimeWarning, match="memory ceiling"):
        run, expected = _record(tmp_path / "run", steps=12, storage=storage)
    assert 0 < len(run.steps) < 12 and sorted(expected) == run.steps
    assert run.meta["dropped_steps"] == 12 - len(run.steps)
    for step in run.steps:
        np.testing.assert_array_equal(run.tensor(step, "weight/2.bias"), expected[step]["weight/2.bias"].numpy())


# -- GPU path ----------------------------------------------------------------------------------
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device: the GPU path is not exercised")
def test_cuda_snapshots_equal_torch_and_use_pinned_buffers(tmp_path):
    model = _mlp().cuda()
    run, expected = _record(tmp_path / "run", steps=6, model=model, storage=Storage(chunk_steps=4))
    for step in run.steps:
        for key, tensor in expected[step].items():
            np.testing.assert_array_equal(run.tensor(step, key), tensor.cpu().numpy())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device: the GPU path is not exercised")
def test_cuda_steps_that_are_not_captured_never_synchronise(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(torch.cuda.Event, "synchronize", lambda self: calls.append("event"))
    monkeypatch.setattr(torch.cuda, "synchronize", lambda *a: calls.append("device"))
    model = _mlp().cuda()
    with Recorder(model, tmp_path / "run", RecordSpec(every=100)) as rec:
        for step in range(1, 50):
            model(torch.randn(2, 3, device="cuda")).sum().backward()
            rec.capture(step)
        assert calls == []


def test_a_bug_in_the_writer_thread_reaches_the_training_thread(tmp_path, monkeypatch):
    from vizdl.runs import chunks

    def broken(*args, **kwargs):
        raise ValueError("a bug, not a full disk")

    monkeypatch.setattr(chunks, "save_file", broken)
    model = _mlp()
    with pytest.raises(ValueError, match="a bug, not a full disk"):  # raised, never swallowed or hung
        with Recorder(model, tmp_path / "run", RecordSpec(every=1), storage=Storage(chunk_steps=1)) as rec:
            for step in range(50):
                model(torch.randn(2, 3)).sum().backward()
                rec.capture(step)
                time.sleep(0.01)
    assert Run.open(tmp_path / "run").status == "failed"
