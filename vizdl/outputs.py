"""Writing output files atomically: a unique temporary name in the same folder, renamed when complete.

GIFs, videos, PNGs and the gallery's index are written through :func:`atomic_path`: a
process killed mid-write (SIGKILL, ``Ctrl-C``, a full disk) leaves the previous file as
it was, never a truncated one. A failed write removes its temporary file; only a killed
process can leave one, hidden as ``.<name>.<random>.tmp<suffix>`` beside the target.
"""
from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _mode_for(path: Path) -> int:
    """The permission bits the file gets: the old file's, else those of a new file under the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block succeeds, it replaces ``path``.

    The temporary name is unique (two writers never share one) and ends with ``path``'s
    suffix, so libraries that choose a format from the extension still do. The data are
    flushed to disk before the rename.

    >>> with atomic_path("figure.png") as tmp:          # doctest: +SKIP
    ...     fig.savefig(tmp)
    """
    path = Path(path)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    except OSError as error:
        raise _naming(error, path) from None
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as written:
            os.fsync(written.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise _naming(error, path, tmp) from error
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _naming(error: OSError, path: Path, tmp: Path | None = None) -> OSError:
    """``error`` about ``path`` (the file the user asked for) rather than its temporary name."""
    if error.errno is None or (tmp is not None and error.filename not in (str(tmp), tmp)):
        return error
    return type(error)(error.errno, error.strerror, str(path))


def write_text(path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def save_figure(figure, path, **savefig_kw) -> Path:
    """``figure.savefig`` to ``path`` atomically (the format from ``path``'s suffix unless given)."""
    path = Path(path)
    savefig_kw.setdefault("format", path.suffix.lstrip(".").lower() or None)
    with atomic_path(path) as tmp:
        figure.savefig(tmp, **savefig_kw)
    return path
