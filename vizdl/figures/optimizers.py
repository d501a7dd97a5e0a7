"""SGD, momentum and Adam on a 2-D loss surface (notes Part II §1.3, "a better optimization algorithm?")."""
from __future__ import annotations

from vizdl.figures.descent import loss_2d
from vizdl.figures.plot import paint_plot
from vizdl.ops.optimizers import loss_surface, optimizer_path
from vizdl.views.optimizers import optimizer_paths_view

#: Learning rates of the default comparison (each optimizer at a rate that suits it).
DEFAULT_OPTIMIZERS = {"sgd": 0.18, "momentum": 0.03, "adam": 0.3}
LOSS_2D_TEXT = r"l(\theta) = (\theta_1^2 + 10\,\theta_2^2)\,/\,2"


def optimizer_paths(loss=loss_2d, *, optimizers=None, start=(-2.5, 1.5), steps: int = 40, lim: float = 3.0,
                    loss_text: str | None = None, ax=None, step=-1):
    """Paths of torch's optimizers (the training code's own) from one start on the level lines of ``loss``.

    Parameters
    ----------
    loss : callable
        Torch tensor ``theta`` of shape (2,) in, scalar out (default: the elongated bowl
        ``figures.descent.loss_2d``).
    optimizers : dict of str -> float, optional
        Optimizer name (``"sgd"``, ``"momentum"``, ``"adam"``, ``"rmsprop"``...) -> learning rate.
    start : (float, float)
    steps : int
    lim : float
        The plot shows ``[-lim, lim]^2``.
    loss_text : str, optional
        The loss in mathtext for the title (known for the default loss).
    ax : Axes, optional
    step : int or str
        State after this step of the view's story.

    Returns
    -------
    Axes
    """
    optimizers = dict(optimizers or DEFAULT_OPTIMIZERS)
    paths = {name: (lr, optimizer_path(loss, start, optimizer=name, lr=lr, steps=steps))
             for name, lr in optimizers.items()}
    if loss_text is None:
        loss_text = LOSS_2D_TEXT if loss is loss_2d else ""
    view = optimizer_paths_view(paths, loss_surface(loss, (-lim, lim), (-lim, lim)), start=start, loss_text=loss_text)
    return paint_plot(view, ax=ax, step=step, legend_loc="lower right")


__all__ = ["DEFAULT_OPTIMIZERS", "optimizer_paths"]
