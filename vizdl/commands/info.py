"""``vizdl info DIR``: what a run holds (steps, layers, sizes, final metrics)."""
from __future__ import annotations


def register(subparsers) -> None:
    """Add the ``info`` sub-command."""
    parser = subparsers.add_parser("info", help="describe a recorded run")
    parser.add_argument("run", help="run directory")
    parser.set_defaults(func=run)


def run(args) -> int:
    """Execute ``vizdl info`` (a malformed run raises RunFormatError: one line from the CLI)."""
    from vizdl.runs import Run

    print(describe(Run.open(args.run)))
    return 0


def describe(run) -> str:
    """A human-readable description of ``run`` (reads headers only, no tensor)."""
    meta = run.meta
    lines = [f"run        {run.path}",
             f"model      {run.model_name or (meta.get('model') or {}).get('class')}",
             f"dataset    {run.dataset_name}",
             f"format     {run.format}",
             f"status     {run.status}",
             f"steps      {len(run.steps)}" + (f" ({run.steps[0]} .. {run.steps[-1]})" if run.steps else ""),
             f"size       {_size(run.path) / 1e6:.2f} MB on disk"]
    if run.steps:
        lines.append("tensors at the first step (key, shape):")
        for key, (dtype, shape) in run.tensor_specs(run.steps[0]).items():
            lines.append(f"  {key:40s} {shape} {dtype}")
    for key, value in (meta.get("final") or {}).items():
        lines.append(f"final      {key} = {_number(value)}")
    return "\n".join(lines)


def _number(value) -> str:
    return f"{value:.4f}" if isinstance(value, (int, float)) else repr(value)


def _size(path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
