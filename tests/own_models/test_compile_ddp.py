"""torch.compile'd models keep their hooks (probe forward runs eagerly, names without _orig_mod.);
DistributedDataParallel: gloo, 2 CPU processes, BatchNorm, rank 0 records, no deadlock."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from _models import SharedReLU, vector_batches
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

import vizdl
from vizdl import Recorder, RecordSpec

ROOT = Path(__file__).resolve().parents[2]


def _compiled_loop(model, out, batches, probe):
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with Recorder(model, out, RecordSpec(every=2), probe=probe) as rec:
        for step, (x, y) in enumerate(batches):
            model.train()
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            rec.capture(step)
            opt.step()
            model.eval()                      # a validation pass through the compiled model
            with torch.no_grad():
                model(probe[0])
    return rec.run  # carries the live (compiled) model as its template


@pytest.mark.parametrize("how", ["wrapper", "in_place"])
def test_compiled_model_records_every_capture_without_prefix(tmp_path, how):
    torch.manual_seed(0)
    model = SharedReLU()
    compiled = torch.compile(model, backend="eager") if how == "wrapper" else model
    if how == "in_place":
        model.compile(backend="eager")
    batches, probe = vector_batches(count=6), vector_batches(count=1, seed=9)[0]
    run = _compiled_loop(compiled, tmp_path / "run", batches, probe)
    assert run.parameters == ["out.weight", "out.bias", "hidden.weight", "hidden.bias", "inp.weight", "inp.bias"]
    assert run.layer_order == ["inp", "act", "hidden", "out"]
    for step in run.steps:
        acts = run.activations(step)
        assert list(acts) == ["inp", "act", "hidden", "act#1", "out"]
        for rebuilt in (vizdl.Run.open(run.path, model=SharedReLU).model(step), run.model(step)):  # run: live template
            with torch.no_grad():
                np.testing.assert_allclose(acts["out"], rebuilt(probe[0]).numpy(), rtol=1e-5, atol=1e-6)


def test_recorded_wrapper_prefixes_are_stripped_when_rebuilding(tmp_path):
    torch.manual_seed(0)
    run = _compiled_loop(SharedReLU(), tmp_path / "run", vector_batches(count=2), vector_batches(count=1)[0])
    snapshot = run.snapshot_path(0)              # rewritten with prefixed names (older vizdl)
    with safe_open(str(snapshot), framework="numpy") as handle:
        header = handle.metadata()               # the chunk's step list stays
    tensors = load_file(snapshot)

    def prefixed(key):
        return key.replace("weight/", "weight/_orig_mod.module.") if key.startswith("weight/") else key

    save_file({prefixed(k): v for k, v in tensors.items()}, snapshot, metadata=header)
    meta_path = run.path / "run.json"
    meta = json.loads(meta_path.read_text())
    meta["tensors"] = {prefixed(k): v for k, v in meta["tensors"].items()}
    meta_path.write_text(json.dumps(meta))
    model = vizdl.Run.open(run.path, model=SharedReLU).model(0)
    np.testing.assert_array_equal(model.inp.weight.detach().numpy(), tensors["weight/inp.weight"][0])


def test_ddp_gloo_two_processes_batchnorm_rank0_records(tmp_path):
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
               str(ROOT / "examples" / "ddp_gloo.py"), "--out", str(tmp_path), "--steps", "4"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        from ddp_gloo import cnn
    finally:
        sys.path.pop(0)
    run = vizdl.Run.open(tmp_path / "loop", model=cnn)
    assert run.steps == [0, 1, 2, 3] and run.meta["model"]["wrappers"] == ["DistributedDataParallel"]
    assert "buffer/1.running_mean" in run.keys(0) and not any("module." in k for k in run.keys(0))
    data = vizdl.data.load("digits")
    for step in (0, 1, 2):                     # the recorded gradient is the average over both ranks
        model, grads = run.model(step).train(), []
        for rank in (0, 1):
            x, y = data.x_train[rank::2][32 * step: 32 * step + 32], data.y_train[rank::2][32 * step: 32 * step + 32]
            model.zero_grad()
            F.cross_entropy(model(x), y).backward()
            grads.append({n: p.grad.clone() for n, p in model.named_parameters()})
        for name, value in run.grads(step).items():
            np.testing.assert_allclose(value, ((grads[0][name] + grads[1][name]) / 2).numpy(), rtol=1e-4, atol=1e-6)
            np.testing.assert_allclose(value, (run.weights(step)[name] - run.weights(step + 1)[name]) / 0.1,
                                       rtol=1e-3, atol=1e-5)
    trained = vizdl.Run.open(tmp_path / "train")
    assert trained.meta["status"] == "complete" and len(trained.steps) >= 2
    assert not list((tmp_path / "train").glob("*.tmp"))
