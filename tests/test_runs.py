"""The run directory: lazy reading, refusal of foreign files, survival of a killed process."""
import json
import pickle
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import torch
from safetensors.numpy import save_file
from torch import nn

from vizdl.record import Recorder, RecordSpec
from vizdl.runs import Run, RunFormatError, StepNotRecordedError


@pytest.fixture()
def small_run(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    probe = (torch.randn(5, 3), torch.tensor([0, 1, 0, 1, 1]))
    with Recorder(model, tmp_path / "run", RecordSpec(every=10), probe=probe) as rec:
        for step in range(25):
            x = torch.randn(4, 3)
            model(x).sum().backward()
            rec.capture(step, epoch=step // 10)
            rec.log(step, loss=1.0 / (step + 1))
    return Run.open(tmp_path / "run")


def test_steps_layers_metrics(small_run):
    assert small_run.steps == [0, 10, 20]
    assert small_run.layers == ["0", "1", "2"]
    steps, losses = small_run.metric("loss")
    assert list(steps) == list(range(25)) and losses[3] == pytest.approx(0.25)
    assert small_run.step_metadata(10) == {"step": "10", "epoch": "1"}
    assert small_run.tensor(20, "weight/0.weight").shape == (4, 3)


def test_missing_step_names_nearest(small_run):
    with pytest.raises(StepNotRecordedError, match="nearest recorded steps: 10, 20"):
        small_run.weights(14)
    assert small_run.require_step(None) == 20


def test_unknown_metric_lists_known(small_run):
    with pytest.raises(KeyError, match="available: loss, step"):
        small_run.metric("accuracy")


def test_reading_one_tensor_reads_only_it(small_run, safetensors_reads):
    calls = safetensors_reads
    value = small_run.tensor(10, "grad/2.bias")
    assert calls == [("slice", "grad/2.bias", 1)]  # one row of one tensor; headers are not data
    assert value.shape == (2,)


def test_pickle_in_snapshot_dir_is_refused_and_never_executed(small_run, tmp_path):
    marker = tmp_path / "executed"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    evil = small_run.path / "snapshots" / "00000030-00000030.safetensors"
    evil.write_bytes(pickle.dumps({"weight/0.weight": Payload()}))
    with pytest.raises(RunFormatError, match="never unpickles"):
        Run.open(small_run.path)  # an unindexed chunk is recovered from its header
    evil.unlink()
    torch_file = small_run.path / "probe.safetensors"
    torch.save({"x": torch.ones(2)}, torch_file)
    with pytest.raises(RunFormatError):
        Run.open(small_run.path).probe  # noqa: B018 (reading it raises)
    assert not marker.exists()


def test_foreign_file_and_tampered_json_are_refused(small_run):
    (small_run.path / "snapshots" / "model.pt").write_bytes(b"\x80\x04junk")
    with pytest.raises(RunFormatError, match="foreign files .*model.pt"):
        Run.open(small_run.path)
    (small_run.path / "snapshots" / "model.pt").unlink()
    (small_run.path / "run.json").write_text(json.dumps({"format": "other"}))
    with pytest.raises(RunFormatError, match="not a vizdl run file"):
        Run.open(small_run.path)
    with pytest.raises(FileNotFoundError, match="not a vizdl run"):
        Run.open(small_run.path / "snapshots")


def test_partial_files_and_torn_metrics_are_skipped(small_run):
    (small_run.path / "snapshots" / ".00000030-00000030.safetensors.123.0.tmp").write_bytes(b"partial")
    with open(small_run.path / "metrics.jsonl", "a") as handle:
        handle.write('{"step": 25, "lo')
    run = Run.open(small_run.path)
    assert run.steps == [0, 10, 20]
    assert len(run.metrics) == 25


KILLED_SCRIPT = textwrap.dedent("""
    import sys, time, torch
    from torch import nn
    from vizdl.record import Recorder, RecordSpec
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))
    with Recorder(model, sys.argv[1], RecordSpec(every=1), probe=(torch.randn(32, 64), torch.zeros(32))) as rec:
        for step in range(100000):
            model(torch.randn(8, 64)).sum().backward()
            rec.capture(step)
            rec.log(step, loss=0.5)
            if step == 3:
                print("ready", flush=True)
""")


def test_killed_process_leaves_a_readable_run(tmp_path):
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_SCRIPT, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(Run.open(out).steps) < 3:
            time.sleep(0.1)  # readable while written: chunks appear within chunk_seconds
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    run = Run.open(out)
    assert run.meta["status"] == "running" and run.status == "killed"
    assert len(run.steps) >= 3
    for step in (run.steps[0], run.steps[-1]):  # every listed snapshot is complete
        assert run.weights(step)["0.weight"].shape == (256, 64)
        assert run.activations(step)["2"].shape == (32, 10)
    assert run.metric("loss")[0].size >= 3


def test_open_many_snapshots_lists_without_reading(tmp_path):
    path = tmp_path / "many"
    (path / "snapshots").mkdir(parents=True)
    (path / "run.json").write_text(json.dumps({"format": "vizdl-run/1", "layers": ["fc"]}))
    for step in range(200):
        save_file({"weight/fc.weight": np.zeros((2, 2), np.float32)}, str(path / "snapshots" / f"{step:08d}.safetensors"))
    run = Run.open(path)
    assert run.steps == list(range(200)) and run.layers == ["fc"]
