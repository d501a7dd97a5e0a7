"""Optional dependencies: a friendly ImportError naming the extra to install.

Core vizdl (data, models, training, recording, runs, ops, views, figures, GIFs) needs torch,
NumPy, Matplotlib (with Pillow, which writes GIFs), safetensors and tqdm only. Videos and
the MP4s of ``vizdl conv``/``pool`` need ``vizdl[anim]`` (Manim,
manim-slides, PyAV), SHAP needs ``vizdl[explain]``, notebooks ``vizdl[notebook]``, the docs
``vizdl[docs]``; ``vizdl[all]`` has everything.

>>> require("math", "anim", "testing").pi > 3
True
"""
from __future__ import annotations

import importlib

EXTRAS = {"anim": "Manim videos and slides", "explain": "SHAP attributions", "notebook": "notebook widgets",
          "docs": "the documentation gallery"}


def require(module: str, extra: str, purpose: str):
    """Import ``module`` or raise an ImportError saying ``pip install 'vizdl[<extra>]'``."""
    if extra not in EXTRAS:
        raise ValueError(f"extra must be one of {sorted(EXTRAS)}, got {extra!r}")
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"{purpose} needs the Python package {module!r}, which is not installed: "
                          f"pip install 'vizdl[{extra}]' (or 'vizdl[all]')") from error


__all__ = ["EXTRAS", "require"]
