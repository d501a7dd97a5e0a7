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
