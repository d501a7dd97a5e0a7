"""Reading runs from ops: a Run or a path, its metrics grouped by epoch."""
from __future__ import annotations


def as_run(run):
    """``run`` itself, or ``Run.open(run)`` for a path."""
    from vizdl.runs import Run

    return run if isinstance(run, Run) else Run.open(run)


def hparams(run) -> dict:
    """The training options stored in ``run.json`` (empty for a run recorded outside ``vizdl.train``)."""
    return dict(run.meta.get("hparams") or {})
