"""A sphinx-gallery image scraper for vizdl's pictures.

vizdl's figure functions return Figures (or Axes) that pyplot does not manage, and some
examples write images or GIFs to files; matplotlib's own scraper sees neither. This one
saves every new Figure (directly, or through an Axes) found in the example's globals and
copies every new ``pathlib.Path`` to a ``.png``/``.gif``/``.svg`` file.
"""
from __future__ import annotations

import shutil
from pathlib import Path

IMAGE_SUFFIXES = (".png", ".gif", ".svg")
_SEEN: dict = {}


def _figures_and_files(values):
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    for value in values:
        if isinstance(value, Figure):
            yield value
        elif isinstance(value, Axes):
            yield value.figure
        elif isinstance(value, Path) and value.suffix.lower() in IMAGE_SUFFIXES and value.is_file():
            yield value


def vizdl_scraper(block, block_vars, gallery_conf, **kwargs):
    """Save the new Figures and image files of a code block; return their reST."""
    from sphinx_gallery.scrapers import figure_rst

    seen = _SEEN.setdefault(block_vars["src_file"], set())
    paths = []
    for item in _figures_and_files(list(block_vars["example_globals"].values())):
        key = (id(item), item.stat().st_mtime_ns) if isinstance(item, Path) else id(item)
        if key in seen:
            continue
        seen.add(key)
        target = Path(next(block_vars["image_path_iterator"]))
        if isinstance(item, Path):
            target = target.with_suffix(item.suffix.lower())
            shutil.copyfile(item, target)
        else:
            item.savefig(target, dpi=100)
        paths.append(target)
    return figure_rst(paths, gallery_conf["src_dir"])
