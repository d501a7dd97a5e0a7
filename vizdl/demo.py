"""``make demo``: train small models on the embedded data and render what a lecturer opens.

``python -m vizdl.demo --out out/demo`` trains a digits MLP, a 2-D circles MLP, a digits CNN
and a tiny transformer (seconds each, fixed seed), records them, writes the figure gallery
(``out/demo/index.html``), a convolution GIF and a slide deck of the computational-graph
scene (``out/demo/slides/computational_graph.html``, one slide per beat; needs
``vizdl[anim]``), then prints what it made.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def demo_runs(out, *, quiet: bool = False) -> list:
    """Train (or reuse) the demo runs under ``out``.

    A digits MLP 64-32-16-10, a circles MLP 2-4-4-2, the notes' ``cifar_cnn`` on digits and
    a tiny transformer on the toy sequence task; seconds each, fixed seed.
    """
    import vizdl

    out = Path(out)
    every = vizdl.RecordSpec
    specs = [("digits-mlp", "mlp", ("digits", {}), dict(hidden=(32, 16)),
              dict(epochs=8, lr=0.1, record=every(every=40))),
             ("circles-mlp", "mlp", ("circles", {}), dict(hidden=(4, 4), activation="tanh"),
              dict(epochs=40, lr=0.5, record=every(every=60))),
             ("digits-cnn", "cifar_cnn", ("digits", {}), {},
              dict(epochs=4, lr=0.003, optimizer="adam", record=every(every=40))),
             ("sequences-transformer", "tiny_transformer", ("sequences", {"task": "contains"}), {},
              dict(epochs=3, lr=0.01, optimizer="adam", record=every(every=40)))]
    runs = []
    for name, model_name, (dataset, data_kw), model_kw, train_kw in specs:
        path = out / name
        if (path / "run.json").exists() and vizdl.Run.open(path).meta.get("status") == "complete":
            runs.append(vizdl.Run.open(path))
            continue
        data = vizdl.data.load(dataset, seed=0, **data_kw)
        model = vizdl.models.build(model_name, data=data, **model_kw)
        runs.append(vizdl.train(model, data, batch_size=32, seed=0, out=path, quiet=quiet,
                                overwrite=True, **train_kw))  # replaces an unfinished earlier demo run
    return runs


def main(argv: list[str] | None = None) -> int:
    """Run the demo; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="out/demo")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)

    from vizdl.commands.info import describe
    from vizdl.gallery import build_gallery
    from vizdl.gif import save_conv_animation

    out = Path(args.out)
    runs = demo_runs(out / "runs", quiet=args.quiet)
    for run in runs:
        print(describe(run).split("tensors at")[0])
    figures = build_gallery(runs, out, quiet=args.quiet)
    gif = out / "conv_k3_s2_p1_reflect.gif"
    save_conv_animation(gif, input_size=5, stride=2, padding=1, mode="reflect", quiet=args.quiet)
    slides = _slides(out / "slides" / "computational_graph.html")
    print(f"\n{len(figures)} figures and {gif.name} in {out}/ — open {out / 'index.html'}")
    if slides:
        print(f"Slides: open {slides} (arrow keys step through the beats, S shows the captions as notes)")
    print("More: `vizdl render --list`, `vizdl slides SCENE`, `manim -ql scenes/backprop.py`, `make docs`")
    return 0


def _slides(out: Path) -> Path | None:
    """The computational-graph scene as an HTML slide deck, or ``None`` without the anim extra."""
    try:
        from vizdl.anim.render import render_slides
    except ImportError as error:
        print(f"(no slides: {error})")
        return None
    return render_slides("computational_graph", out)


if __name__ == "__main__":
    sys.exit(main())
