"""Time SHAP attributions of 16 digit images against 100 background images (issue 5 targets:
DeepExplainer within 2 s, GradientExplainer within 10 s, on 2 cores).

Models: the lecture's MLP (64-32-16-10) and CNN (``cifar_cnn`` on 1x8x8), freshly built
(the time does not depend on the weights). ``import shap`` is timed on its own (it takes
seconds and is paid once per process); the rows time :func:`vizdl.explain.shap_values`
after a warm-up call. The peer is shap's own per-sample DeepExplainer loop
(``batched=False``), which gives the same numbers. Wall and process CPU time are printed:
on a shared machine the wall time follows the load, the CPU time is what the code costs.
Each configuration runs with 1 torch thread and with torch's default (one per core): on a
loaded machine, torch's threads wait for each other and small models run faster on one.
Deep rows are the best of 3 runs; gradient rows one run.

    .venv/bin/python benchmarks/bench_shap.py [--nsamples 200] [--threads 1 2] [--skip-peer]
"""
from __future__ import annotations

import argparse
import os
import time


def _timed(func):
    wall, cpu = time.perf_counter(), time.process_time()
    value = func()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nsamples", type=int, default=200, help="GradientExplainer samples per image")
    parser.add_argument("--skip-peer", action="store_true", help="skip shap's own (slow) loop")
    parser.add_argument("--threads", type=int, nargs="+", default=None,
                        help="torch thread counts to try (default: 1 and torch's default)")
    args = parser.parse_args()
    _, wall, cpu = _timed(lambda: __import__("shap"))
    print(f"import shap: {wall:.1f} s wall, {cpu:.1f} s CPU; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores\n")
    import torch

    import vizdl
    from vizdl.explain import shap_values

    data = vizdl.data.load("digits")
    background, inputs = data.x_train[:100], data.x_test[:16]
    torch.manual_seed(0)
    models = {"MLP": vizdl.models.build("mlp", data=data, hidden=(32, 16)),
              "CNN": vizdl.models.build("cifar_cnn", data=data)}
    runs = [("deep", {}, 2.0), ("gradient", {"nsamples": args.nsamples}, 10.0)]
    if not args.skip_peer:
        runs.append(("deep, shap's own loop (peer)", {"batched": False}, None))
    threads = args.threads or sorted({1, torch.get_num_threads()})
    print("| model | method | torch threads | wall (s) | CPU (s) | max efficiency gap | target |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for count in threads:
        torch.set_num_threads(count)
        for name, model in models.items():
            shap_values(model, background, inputs[:2])  # warm-up (first calls pay lazy imports)
            for label, kw, target in runs:
                _row(name, label, count, target, lambda m=model, k=kw, meth=label.split(",")[0]:  # noqa: B008 (binds the loop value)
                     shap_values(m, background, inputs, meth, **k), 3 if label == "deep" else 1)
    return 0


def _row(name, label, count, target, call, repeat):
    result, wall, cpu = min((_timed(call) for _ in range(repeat)), key=lambda r: r[1])
    verdict = "" if target is None else f"< {target:g} s " + ("ok" if wall < target else "MISSED")
    print(f"| {name} | {label} | {count} | {wall:.2f} | {cpu:.2f} | {result.max_gap:.1e} | {verdict} |",
          flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
