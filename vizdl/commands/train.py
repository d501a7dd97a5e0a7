"""``vizdl train MODEL DATASET``: train a zoo model on a dataset and record the run."""
from __future__ import annotations


def register(subparsers) -> None:
    """Add the ``train`` sub-command."""
    parser = subparsers.add_parser("train", help="train and record a model",
                                   description="Train a vizdl model on a dataset and record it.")
    parser.add_argument("model", help="model name (see vizdl.models.available())")
    parser.add_argument("dataset", help="dataset name (see vizdl.data.available())")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--optimizer", default="sgd")
    parser.add_argument("--every", type=int, default=50, help="record every K steps")
    parser.add_argument("--hidden", default=None, help="hidden sizes of an mlp, e.g. 128,64")
    parser.add_argument("--activation", default=None, help="activation of an mlp (relu, tanh...)")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float16"])
    parser.add_argument("--data-root", default=None, help="folder with MNIST/CIFAR files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", required=True, help="run directory to write")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the run already in --out (a non-empty --out is refused otherwise)")
    parser.add_argument("--quiet", action="store_true")
    parser.set_defaults(func=run)


def run(args) -> int:
    """Execute ``vizdl train``."""
    import vizdl

    hidden = None if args.hidden is None else parse_hidden(args.hidden)   # before loading anything
    data = vizdl.data.load(args.dataset, root=args.data_root, seed=args.seed)
    kwargs = {}
    if hidden is not None:
        kwargs["hidden"] = hidden
    if args.activation:
        kwargs["activation"] = args.activation
    model = vizdl.models.build(args.model, data=data, **kwargs)
    run_ = vizdl.train(model, data, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                       optimizer=args.optimizer, device=args.device, seed=args.seed,
                       record=vizdl.RecordSpec(every=args.every, dtype=args.dtype),
                       out=args.out, quiet=args.quiet, overwrite=args.overwrite)
    final = run_.meta.get("final", {})
    print(f"{run_.path}: {len(run_.steps)} snapshots, test accuracy {final.get('test_acc', float('nan')):.3f}")
    return 0


def parse_hidden(text: str) -> tuple[int, ...]:
    """``--hidden 128,64`` as ``(128, 64)``; anything but positive integers is refused."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise ValueError(f"--hidden must be comma-separated positive integers such as 128,64, got {text!r}")
    return sizes
