"""``load(name, ...)``: every dataset by name, split into train / val / test."""
from __future__ import annotations

import numbers

from vizdl.data import cifar, digits, idx, sequences, synthetic
from vizdl.data.dataset import Dataset, from_arrays, from_official_split

FILE_DATASETS = ("mnist", "fashion_mnist", "cifar10")


def available() -> list[str]:
    """Names accepted by :func:`load`."""
    return [*synthetic.GENERATORS, "digits", *FILE_DATASETS, "sequences"]


def load(name: str, *, root=None, seed: int = 0, val_fraction: float = 0.1,
         test_fraction: float = 0.2, **params) -> Dataset:
    """Load the dataset ``name`` split into train, validation and test tensors.

    Parameters
    ----------
    name : str
        One of :func:`available`: ``xor``, ``circles``, ``moons``, ``spiral``, ``gauss``
        (synthetic 2-D, params ``n=400``, ``noise=0.1``; points roughly in ``[-1, 1]^2``,
        see :mod:`vizdl.data.synthetic`), ``digits`` (scikit-learn 8x8,
        the embedded default), ``mnist``, ``fashion_mnist``, ``cifar10`` (read from files,
        param ``limit=None``), ``sequences`` (toy token sequences, params
        ``task="majority"``, ``n=2000``, ``seq_len=8``, ``vocab_size=4``).
    root : str or Path, optional
        Folder of the file datasets; default ``$VIZDL_DATA``, then ``./data``. Ignored by
        the generated datasets.
    seed : int
        Seed of the generated data and of the split.
    val_fraction, test_fraction : float
        Shares of each class held out for validation and test (stratified). The file
        datasets keep their official test set: ``test_fraction`` is ignored there and the
        validation samples come from the official training set.
    **params
        Dataset parameters listed above; ``limit=N`` keeps the first ``N`` samples of the
        official train and of the official test files.

    Returns
    -------
    Dataset
        ``load(ds.name, **ds.params)`` gives the same dataset again.
    """
    if name not in available():
        raise KeyError(f"unknown dataset {name!r}; available datasets: {', '.join(available())}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    common = {"seed": seed, "val_fraction": val_fraction}
    if name in synthetic.GENERATORS:
        return _synthetic(name, params, common, test_fraction)
    if name == "digits":
        _check_params(name, params, ())
        x, y = digits.make()
        return from_arrays(name, x, y, test_fraction=test_fraction, **common, classes=list(digits.CLASSES),
                           description=digits.DESCRIPTION, input_shape=(1, 8, 8),
                           params={**common, "test_fraction": test_fraction})
    if name == "sequences":
        return _sequences(params, common, test_fraction)
    return _from_files(name, root, params, common)


def _check_params(name: str, params: dict, allowed: tuple) -> None:
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(f"unknown parameter(s) {', '.join(unknown)} for dataset {name!r}; "
                         f"allowed: root, seed, val_fraction, test_fraction"
                         f"{''.join(', ' + a for a in allowed)}")


def _synthetic(name: str, params: dict, common: dict, test_fraction: float) -> Dataset:
    _check_params(name, params, ("n", "noise"))
    resolved = {"n": 400, "noise": 0.1, **params}
    x, y = synthetic.make(name, seed=common["seed"], **resolved)
    return from_arrays(name, x, y, test_fraction=test_fraction, **common,
                       classes=list(synthetic.CLASSES[name]), description=synthetic.DESCRIPTIONS[name],
                       input_shape=(2,), params={**common, "test_fraction": test_fraction, **resolved})


def _sequences(params: dict, common: dict, test_fraction: float) -> Dataset:
    _check_params("sequences", params, ("task", "n", "seq_len", "vocab_size"))
    resolved = {"task": "majority", "n": 2000, "seq_len": 8, "vocab_size": 4, **params}
    x, y = sequences.make(seed=common["seed"], **resolved)
    description = (f"Toy token sequences (length {resolved['seq_len']}, vocabulary "
                   f"{resolved['vocab_size']}): {sequences.DESCRIPTIONS[resolved['task']]}.")
    return from_arrays("sequences", x, y, test_fraction=test_fraction, **common,
                       classes=sequences.classes(resolved["task"], resolved["vocab_size"]),
                       description=description, input_shape=(resolved["seq_len"],),
                       params={**common, "test_fraction": test_fraction, **resolved},
                       vocab_size=resolved["vocab_size"])


def _from_files(name: str, root, params: dict, common: dict) -> Dataset:
    _check_params(name, params, ("limit",))
    limit = params.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a positive integer or None, got {limit!r}")
    if name == "cifar10":
        arrays, classes, description = cifar.load_arrays(root, limit), cifar.CLASSES, cifar.DESCRIPTION
    else:
        arrays, classes, description = idx.load_arrays(name, root, limit), idx.CLASSES[name], idx.DESCRIPTIONS[name]
    return from_official_split(name, *arrays, **common, classes=list(classes), description=description,
                               input_shape=tuple(arrays[0].shape[1:]),
                               params={**common, "root": None if root is None else str(root), "limit": limit})
