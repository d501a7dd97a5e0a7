"""Render the README stills of the recurrent networks (docs/images/fig_*.png of the RNN section).

    python scripts/recurrent_images.py [--cache-dir .vizdl-cache] [--out docs/images] [stem ...]

Every picture comes from the recipes of ``vizdl.recipes`` (a few seconds each to train, cached).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run


def pictures(cache):
    """``{file stem: callable returning an Axes or a Figure}``, in the README's order."""
    run = lambda name: recipe_run(name, cache_dir=cache)
    cells = lambda: [run(f"sequences-{cell}") for cell in ("rnn", "lstm", "gru")]
    return {
        "fig_rnn_unrolled": lambda: figures.rnn_unrolled(run("sequences-rnn"), t=3),
        "fig_lstm_cell": lambda: figures.lstm_cell(run("sequences-lstm"), t=1),
        "fig_gru_cell": lambda: figures.gru_cell(run("sequences-gru"), t=2),
        "fig_gradient_through_time": lambda: figures.gradient_through_time(cells()),
        "fig_clipping_comparison": lambda: figures.clipping_comparison(
            {"no clipping": run("sequences-rnn-unclipped"), "clipped at 1": run("sequences-rnn-clipped")}),
    }


def main(argv=None) -> None:
    # scripts/ is on sys.path when this file runs as a script
    from technique_images import _shrink

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", default=".vizdl-cache")
    parser.add_argument("--out", default="docs/images")
    parser.add_argument("--style", default="paper")
    parser.add_argument("--dpi", type=int, default=110)
    parser.add_argument("only", nargs="*", help="file stems to render (default: all)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with vizdl.styles.use(args.style):
        for stem, make in pictures(args.cache_dir).items():
            if args.only and stem not in args.only:
                continue
            picture = make()
            path = out / f"{stem}.png"
            getattr(picture, "figure", picture).savefig(path, dpi=args.dpi)
            _shrink(path)
            print(path)


if __name__ == "__main__":
    main()
