"""Linear regression and its MSE surface; SGD vs mini-batch vs full-batch paths on it (notes 001/004)."""
from __future__ import annotations

from vizdl.figures._run import new_figure
from vizdl.figures.plot import paint_plot
from vizdl.ops.regression import (
    batch_paths,
    descent_path,
    least_squares,
    mse_surface,
    regression_data,
)
from vizdl.views.basics import batch_paths_view, mse_surface_view, regression_view


def linear_regression(data=None, *, lr: float = 0.3, epochs: int = 40, start=(-1.0, 1.5)):
    """Two panels: the points with the fitted line, and ``L(w, b)`` with full-batch gradient descent to its minimum.

    Parameters
    ----------
    data : vizdl.ops.regression.RegressionData, optional
        40 seeded points around ``y = 1.5 x - 0.5`` by default.
    lr, epochs : float, int
        Full-batch gradient descent (``torch.optim.SGD``): one step per epoch.
    start : (float, float)
        ``(w, b)`` where descent starts.

    Returns
    -------
    Figure
    """
    data = data or regression_data()
    fit = least_squares(data)
    path = descent_path(data, batch_size=len(data.x), lr=lr, epochs=epochs, start=start)
    fig = new_figure()
    left, right = fig.subplots(1, 2)
    paint_plot(regression_view(data, fit, path), ax=left, legend_loc="upper left")
    paint_plot(mse_surface_view(mse_surface(data), fit, path), ax=right, legend=False)
    return fig


def sgd_vs_batch(data=None, *, lr: float = 0.1, epochs: int = 4, start=(-1.0, 1.5), batch_sizes=None, ax=None,
                 step=-1):
    """Paths of SGD (batch 1), mini-batch and full-batch gradient descent on the level lines of the MSE.

    Parameters
    ----------
    data : vizdl.ops.regression.RegressionData, optional
    lr, epochs : float, int
        The same for the three (so they see the data equally often).
    start : (float, float)
    batch_sizes : dict of str -> int, optional
        Name -> batch size (default ``{"sgd": 1, "mini-batch": N // 5, "full-batch": N}``).
    ax : Axes, optional
    step : int or str

    Returns
    -------
    Axes
    """
    data = data or regression_data()
    fit = least_squares(data)
    paths = batch_paths(data, batch_sizes=batch_sizes, lr=lr, epochs=epochs, start=start)
    view = batch_paths_view(mse_surface(data), paths, fit)
    return paint_plot(view, ax=ax, step=step, legend_loc="lower right")


__all__ = ["linear_regression", "sgd_vs_batch"]
