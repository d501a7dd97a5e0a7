"""Shared pytest configuration: the ``--write-control`` option and small fixtures."""
import os

import matplotlib
import pytest

matplotlib.use("Agg")


def pytest_addoption(parser):
    parser.addoption("--write-control", action="store_true",
                     help="write graphical control data instead of comparing with it")


def pytest_configure(config):
    if config.getoption("--write-control"):
        os.environ["VIZDL_WRITE_CONTROL"] = "1"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session", autouse=True)
def _recipe_cache(tmp_path_factory):
    """One fresh recipe cache per test session: recipes train once, never from a stale user cache."""
    os.environ["VIZDL_CACHE"] = str(tmp_path_factory.mktemp("vizdl-cache"))
    yield


@pytest.fixture(autouse=True)
def _no_vizdl_environment(monkeypatch):
    """Tests never see a lecturer's exported VIZDL_* variables (scene options, runs)."""
    for name in [n for n in os.environ if n.startswith("VIZDL_") and n not in ("VIZDL_WRITE_CONTROL", "VIZDL_CACHE")]:
        monkeypatch.delenv(name)


@pytest.fixture()
def safetensors_reads(monkeypatch) -> list:
    """Patch the reader's ``safe_open``; returns a list filled with each data read.

    Entries are ``("tensor", key)`` for a whole tensor and ``("slice", key, rows)`` for a
    slice (``rows`` = leading size read). Header queries (keys, dtype, shape, metadata)
    read no tensor data and are not listed.
    """
    import safetensors

    calls = []
    original = safetensors.safe_open

    class Slice:
        def __init__(self, inner, key):
            self._inner, self._key = inner, key

        def get_dtype(self):
            return self._inner.get_dtype()

        def get_shape(self):
            return self._inner.get_shape()

        def __getitem__(self, index):
            value = self._inner[index]
            rows = 1 if isinstance(index, int) else len(value)
            calls.append(("slice", self._key, rows))
            return value

    class Handle:
        def __init__(self, inner):
            self._inner = inner

        def keys(self):
            return self._inner.keys()

        def metadata(self):
            return self._inner.metadata()

        def get_slice(self, key):
            return Slice(self._inner.get_slice(key), key)

        def get_tensor(self, key):
            calls.append(("tensor", key))
            return self._inner.get_tensor(key)

    class Spy:
        def __init__(self, *args, **kw):
            self._inner = original(*args, **kw)

        def __enter__(self):
            return Handle(self._inner.__enter__())

        def __exit__(self, *exc):
            return self._inner.__exit__(*exc)

    monkeypatch.setattr("vizdl.runs.files.safe_open", Spy)
    return calls
