"""Build time of a 784-128-64-10 MLP diagram (target < 2 s), vs. drawing every edge.

Run: ``.venv/bin/python benchmarks/bench_network_diagram.py``. Prints the median of a few
runs of (a) the diagram data (:func:`vizdl.ops.network_diagram_data`), (b) its view
(:func:`vizdl.views.network.network_view`: layout, roles, every number written), (c) the
full Matplotlib figure (``vizdl.figures.network_diagram`` + rasterisation at 80 dpi) and,
as a baseline, (d) the data of a diagram that keeps every neuron (109,184 edges).
"""
from __future__ import annotations

import statistics
import time

import numpy as np


def _timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(repeat: int = 3) -> dict:
    import io

    import vizdl
    from vizdl.figures import network_diagram
    from vizdl.ops.network import network_diagram_data
    from vizdl.views.network import network_view

    model = vizdl.models.build("mlp", input_shape=(1, 28, 28), num_classes=10, hidden=(128, 64))
    state = {k: v.numpy() for k, v in model.state_dict().items()}
    x = np.random.default_rng(0).random(784)
    network_diagram_data(state, x)  # warm imports

    def figure():
        ax = network_diagram(state, x=x)
        ax.figure.savefig(io.BytesIO(), format="png", dpi=80)

    data = network_diagram_data(state, x)
    results = {
        f"data (8 rows/layer, {data.edge_count} edges)": _timed(lambda: network_diagram_data(state, x), repeat),
        "view of that data": _timed(lambda: network_view(data), repeat),
        "figure + PNG at 80 dpi": _timed(figure, repeat),
        "baseline: data with every neuron (109,184 edges)": _timed(
            lambda: network_diagram_data(state, x, max_neurons=784), 1),
    }
    for name, seconds in results.items():
        print(f"{name:52s} {seconds:8.3f} s")
    print(f"target: figure < 2 s -> {'OK' if results['figure + PNG at 80 dpi'] < 2 else 'TOO SLOW'}")
    return results


if __name__ == "__main__":
    main()
