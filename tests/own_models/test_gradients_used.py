"""The gradients recorded are the ones the optimizer used: under plain SGD,
recorded grad == (w_s - w_{s+1}) / lr in the three real loops (accumulation, clipping, AMP)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from _models import vector_batches
from torch import nn

import vizdl
from vizdl import Recorder, RecordSpec

LR = 0.1


def _model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))


def _assert_grads_are_the_updates(run):
    for step, following in zip(run.steps, run.steps[1:]):
        w0, w1, grads = run.weights(step), run.weights(following), run.grads(step)
        assert set(grads) == set(w0)
        for name in grads:
            np.testing.assert_allclose(grads[name], (w0[name] - w1[name]) / LR, rtol=1e-3, atol=1e-5)


def test_gradient_accumulation_capture_after_the_last_backward(tmp_path):
    model, batches = _model(), vector_batches(count=8)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    with Recorder(model, tmp_path / "run", RecordSpec(every=1), probe=batches[0]) as rec:
        for step in range(4):
            opt.zero_grad()
            for x, y in batches[2 * step: 2 * step + 2]:     # two micro-batches per optimizer step
                (F.cross_entropy(model(x), y) / 2).backward()
            rec.capture(step)                                  # after the last backward
            opt.step()
    _assert_grads_are_the_updates(rec.run)


def test_clipping_capture_after_clipping_and_log_the_pre_clip_norm(tmp_path):
    model, batches = _model(), vector_batches(count=4)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    with Recorder(model, tmp_path / "run", RecordSpec(every=1), probe=batches[0]) as rec:
        for step, (x, y) in enumerate(batches):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.05)
            rec.capture(step)                                  # after clipping: what the step uses
            opt.step()
            rec.log(step, grad_norm=float(norm))               # the pre-clip norm, as a metric
    run = rec.run
    _assert_grads_are_the_updates(run)
    fresh = _model()
    fresh.load_state_dict({k: torch.from_numpy(v) for k, v in run.weights(1).items()})
    F.cross_entropy(fresh(batches[1][0]), batches[1][1]).backward()
    pre_clip = torch.cat([p.grad.ravel() for p in fresh.parameters()]).norm()
    assert run.metric("grad_norm")[1][1] == pytest.approx(float(pre_clip), rel=1e-5) and pre_clip > 0.05
    recorded = np.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in run.grads(1).values()))
    assert recorded == pytest.approx(0.05, rel=1e-4)


def test_amp_grad_scaler_capture_after_unscale(tmp_path):
    """bf16 autocast on the CPU with a float32 model; GradScaler scales the loss by 1024."""
    model, batches = _model(), vector_batches(count=4)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    scaler = torch.amp.GradScaler("cpu", init_scale=1024.0)
    with Recorder(model, tmp_path / "run", RecordSpec(every=1), probe=batches[0]) as rec:
        for step, (x, y) in enumerate(batches):
            opt.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss = F.cross_entropy(model(x), y)
            scaler.scale(loss).backward()                      # grads are 1024x here
            scaler.unscale_(opt)
            rec.capture(step)                                  # after unscale_: the real gradients
            scaler.step(opt)
            scaler.update()
    _assert_grads_are_the_updates(rec.run)


def test_vizdl_train_records_clipped_grads_and_logs_pre_clip_norm(tmp_path):
    data = vizdl.data.load("xor", n=64)
    model = vizdl.models.build("mlp", data=data, hidden=(4,))
    run = vizdl.train(model, data, epochs=2, lr=LR, clip_grad_norm=0.01, record=RecordSpec(every=1),
                      out=tmp_path / "run", quiet=True)
    _assert_grads_are_the_updates(run)
    steps, norms = run.metric("grad_norm")
    assert (norms > 0.01).all()
