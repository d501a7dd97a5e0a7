"""Universal approximation, tried (notes 002): ``g(x) = C sigma(A x + b)`` fitted by torch as the width ``k`` grows."""
from __future__ import annotations

from vizdl.figures.plot import paint_plot
from vizdl.ops.approximation import approximate
from vizdl.views.basics import approximation_view


def universal_approximation(target="wave", widths=(1, 2, 4, 16), *, activation: str = "sigmoid", ax=None, step=-1,
                            approx=None):
    """The target ``f`` and the fitted one-hidden-layer ``g`` of each width, with ``sup |f - g|``.

    Parameters
    ----------
    target : str or callable
        A name of :data:`vizdl.ops.approximation.TARGETS` (``"wave"``, ``"bump"``, ``"abs"``, ``"step"``).
    widths : sequence of int
        The numbers of hidden units ``k``.
    activation : {"sigmoid", "tanh", "relu"}
    ax : Axes, optional
    step : int or str
        State after this step of the view's story (``-1``: all fits).
    approx : vizdl.ops.approximation.Approximation, optional
        Fits already made (then ``target``, ``widths`` and ``activation`` are not used).

    Returns
    -------
    Axes
    """
    approx = approx or approximate(target, widths, activation=activation)
    return paint_plot(approximation_view(approx), ax=ax, step=step, legend_loc="best")


__all__ = ["universal_approximation"]
