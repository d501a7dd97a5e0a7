"""Access to vizdl's ``.mplstyle`` files."""
from __future__ import annotations

import contextlib
from pathlib import Path

_HERE = Path(__file__).parent


def available() -> list[str]:
    """Names of the style sheets shipped with vizdl."""
    return sorted(p.stem for p in _HERE.glob("*.mplstyle"))


def path(name: str) -> Path:
    """Path of the style sheet ``name``; raises ``ValueError`` listing the valid names."""
    sheet = _HERE / f"{name}.mplstyle"
    if not sheet.exists():
        raise ValueError(f"unknown style {name!r}; available: {', '.join(available())}")
    return sheet


@contextlib.contextmanager
def use(name: str = "slides"):
    """Context manager applying a vizdl style sheet (``"slides"`` or ``"paper"``)."""
    import matplotlib.pyplot as plt

    with plt.style.context(str(path(name))):
        yield
