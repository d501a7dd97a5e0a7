"""The live view follows a training started in another process and ends by itself."""
import subprocess
import sys
import textwrap

import pytest

from vizdl.live import Progress, progress, watch

TRAIN = textwrap.dedent("""
    import sys, time
    import vizdl
    data = vizdl.data.load("xor", n=200)
    model = vizdl.models.build("mlp", data=data, hidden=(4,), activation="tanh")
    spec = vizdl.RecordSpec(every=5)
    with vizdl.Recorder(model, sys.argv[1], spec, probe=(data.x_val, data.y_val),
                        meta={"dataset": {"name": "xor", "input_shape": [2]}}) as rec:
        opt = __import__("torch").optim.SGD(model.parameters(), lr=0.5)
        for step in range(40):
            x, y = data.x_train[step % 4 * 32:(step % 4 + 1) * 32], data.y_train[step % 4 * 32:(step % 4 + 1) * 32]
            loss = __import__("torch").nn.functional.cross_entropy(model(x), y)
            opt.zero_grad(); loss.backward(); rec.capture(step); opt.step()
            rec.log(step, loss=loss.item(), acc=0.5)
            time.sleep(0.05)
""")


def test_watch_follows_another_process_until_the_run_ends(tmp_path):
    run_dir = tmp_path / "run"
    script = tmp_path / "train.py"
    script.write_text(TRAIN)
    trainer = subprocess.Popen([sys.executable, str(script), str(run_dir)])
    seen = []
    try:
        redraws = watch(run_dir, interval=0.2, timeout=60, quiet=True, on_redraw=lambda fig, p: seen.append(p))
    finally:
        trainer.wait(timeout=60)
    assert trainer.returncode == 0
    assert redraws == len(seen) >= 2, "the view redraws as the run grows"
    assert seen[-1].status == "complete" and seen[-1].steps == 8
    assert [p.metrics for p in seen] == sorted(p.metrics for p in seen)
    page = (tmp_path / "run-live" / "live.html").read_text()
    assert "refresh" not in page and "live.png" in page  # the final page stops reloading
    assert (tmp_path / "run-live" / "live.png").stat().st_size > 0


def test_watch_waits_for_a_run_that_does_not_exist_yet_and_times_out(tmp_path):
    assert progress(tmp_path / "nothing") is None
    assert watch(tmp_path / "nothing", interval=0.05, timeout=0.2, quiet=True) == 0
    with pytest.raises(ValueError, match="interval"):
        watch(tmp_path, interval=0)


def test_dashboard_of_a_finished_2d_run_has_boundary_and_gradients(tmp_path):
    import vizdl
    from vizdl.live import dashboard

    data = vizdl.data.load("xor", n=120)
    run = vizdl.train(vizdl.models.build("mlp", data=data, hidden=(4,)), data, epochs=2,
                      record=vizdl.RecordSpec(every=2), out=tmp_path / "r", quiet=True)
    figure = dashboard(run)
    assert len(figure.axes) >= 4  # loss, acc, gradient flow, boundary (+ colour bars)
    assert Progress(1, 2, "complete") != Progress(1, 3, "complete")


@pytest.mark.parametrize("kwargs, name", [({"interval": float("nan")}, "interval"), ({"interval": -1}, "interval"),
                                           ({"interval": 1e9}, "interval"), ({"timeout": float("inf")}, "timeout"),
                                           ({"timeout": 0}, "timeout"), ({"dpi": 10**6}, "dpi")])
def test_watch_refuses_intervals_timeouts_and_dpi_it_cannot_honour(tmp_path, kwargs, name):
    with pytest.raises(ValueError, match=name):
        watch(tmp_path / "nothing", quiet=True, **kwargs)
    assert not (tmp_path / "nothing-live").exists()
