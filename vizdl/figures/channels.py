"""The notes' "Intuition behind channels": images whose channel responds like the query's.

Painters of :mod:`vizdl.views.channels`. :func:`channel_similarity_grid` draws, per
channel, the query image and its feature map, then the top-k most similar images with
their maps and similarity scores (one sequential scale and colour bar per channel row).
:func:`channel_similarity_heatmap` draws the channel-by-channel similarity matrix on the
diverging scale (red = similar, blue = opposite, white = 0)::

    search = vizdl.explain.channel_search(run, "features.1", data.x_test[0], data.x_test)
    fig = channel_similarity_grid(search, channels=[0, 1, 2])
    ax = channel_similarity_heatmap(vizdl.ops.channel_similarity_matrix(search.maps))
"""
from __future__ import annotations

from vizdl.figures._run import new_axes
from vizdl.figures.matrix import draw_grid, fit_cell_texts, panel_figure, scale_colorbar
from vizdl.figures.paint import FONT_SIZES, theme_for
from vizdl.styles.theme import for_background
from vizdl.views.channels import channel_search_view, similarity_matrix_view


def channel_similarity_grid(search, *, channels=None, k: int | None = None, class_names=None):
    """Per channel: query image, its map, then the k most similar images with map and score.

    Parameters
    ----------
    search : vizdl.explain.ChannelSearch
        From :func:`vizdl.explain.channel_search`.
    channels : sequence of int, optional
        Channels to draw, among ``search.channels`` (the first four by default).
    k : int, optional
        Top images per channel (all kept by the search by default).
    class_names : sequence of str, optional
        Names shown for ``search.labels``.

    Returns
    -------
    matplotlib.figure.Figure
        One subfigure per channel row; image Axes are labelled ``"image <j>"``, map Axes
        ``"map <j>"`` (``j = 0``: the query).
    """
    view = channel_search_view(search, channels=channels, k=k, class_names=class_names)
    cols = 2 * len(view.rows[0].maps)
    fig = panel_figure(len(view.rows), cols + 0.6, aspect=1.3, extra_height=0.8)
    subfigs = fig.subfigures(len(view.rows), 1, squeeze=False)[:, 0]
    theme = for_background(fig.get_facecolor())
    for subfig, row in zip(subfigs, view.rows):
        axes = subfig.subplots(1, cols)
        for j, (image, grid, title) in enumerate(zip(row.images, row.maps, row.titles)):
            draw_grid(axes[2 * j], image, theme, labels=False)
            axes[2 * j].set_label(f"image {j}")
            axes[2 * j].set_title(title.text, fontsize=FONT_SIZES["small"], color=theme.color("ink"))
            draw_grid(axes[2 * j + 1], grid, theme, labels=False)
            axes[2 * j + 1].set_label(f"map {j}")
            axes[2 * j + 1].set_title(f"map {row.channel}" if j == 0 else f"top {j}", fontsize=FONT_SIZES["small"],
                                      color=theme.color("muted"))
            for spine in axes[2 * j + 1].spines.values():
                spine.set(visible=True, edgecolor=theme.color("cell_stroke"))
        axes[0].set_ylabel(f"channel {row.channel}")
        scale_colorbar(subfig, row.scale, theme, ax=list(axes[1::2]), shrink=0.9, aspect=10)
    fig.suptitle(view.title.text, color=theme.color("ink"))
    return fig


def channel_similarity_heatmap(matrix, *, ax=None, metric: str = "cosine", annotate: bool | None = None,
                               channel_labels=None, title: str = "Channel similarity over the dataset"):
    """The channel-by-channel similarity matrix, red = similar, blue = opposite, white = 0.

    Parameters
    ----------
    matrix : array (C, C)
        From :func:`vizdl.ops.channel_similarity_matrix`.
    annotate : bool, optional
        Write each value in its cell (default: when C <= 10).

    Returns
    -------
    matplotlib.axes.Axes
    """
    grid = similarity_matrix_view(matrix, metric=metric, annotate=annotate, channel_labels=channel_labels)
    ax = new_axes(ax)
    theme = theme_for(ax)
    draw_grid(ax, grid, theme, gid="similarity")
    ax.set_xlabel("channel")
    ax.set_ylabel("channel")
    ax.set_title(title)
    scale_colorbar(ax.figure, grid.scale, theme, ax=ax, shrink=0.85)
    fit_cell_texts(ax.figure, [(ax, grid)])
    return ax


__all__ = ["channel_similarity_grid", "channel_similarity_heatmap"]
