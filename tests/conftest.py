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


@pytest.fixture(autouse=True)
def _no_vizdl_environment(monkeypatch):
    """Tests never see a lecturer's exported VIZDL_* variables (scene options, runs, cache)."""
    for name in [n for n in os.environ if n.startswith("VIZDL_") and n != "VIZDL_WRITE_CONTROL"]:
        monkeypatch.delenv(name)
