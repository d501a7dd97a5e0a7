"""``vizdl info DIR``: what a run holds (steps, layers, sizes, final metrics)."""
from __future__ import annotations


def register(subparsers) -> None:
    """Add the ``info`` sub-command."""
    parser = subparsers.add_parser("info", help="describe a recorded run")
    parser.add_argument("run", help="run directory")
    parser.set_defaults(func=run)


def run(args) -> int:
    """Execute ``vizdl info``."""
    from vizdl.runs import Run

    print(describe(Run.open(args.run)))
    return 0


def describe(run) -> str:
    """A human-readable description of ``run``."""
    from safetensors import safe_open

    meta = run.meta
    lines = [f"run        {run.path}",
             f"model      {run.model_name or (meta.get('model') or {}).get('class')}",
             f"dataset    {run.dataset_name}",
             f"status     {meta.get('status')}",
             f"steps      {len(run.steps)}" + (f" ({run.steps[0]} .. {run.steps[-1]})" if run.steps else ""),
             f"size       {_size(run.path) / 1e6:.2f} MB on disk"]
    if run.steps:
        lines.append("tensors at the first step (key, shape):")
        with safe_open(str(run.snapshot_path(run.steps[0])), framework="numpy") as handle:
            for key in handle.keys():
                lines.append(f"  {key:40s} {tuple(handle.get_slice(key).get_shape())}")
    for key, value in (meta.get("final") or {}).items():
        lines.append(f"final      {key} = {value:.4f}")
    return "\n".join(lines)


def _size(path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
