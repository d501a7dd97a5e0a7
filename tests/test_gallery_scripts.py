"""Every gallery script runs headless and draws a picture; one generated notebook runs in a real kernel."""
import os
import runpy
from pathlib import Path

import pytest

GALLERY = Path(__file__).resolve().parent.parent / "gallery"
SCRIPTS = sorted(GALLERY.glob("*/plot_*.py"))
#: Scripts that train or render for more than a few seconds say so with this comment line.
SLOW_MARK = "# vizdl-gallery: slow"


def _params():
    for script in SCRIPTS:
        marks = [pytest.mark.slow] if SLOW_MARK in script.read_text() else []
        yield pytest.param(script, id=f"{script.parent.name}/{script.stem}", marks=marks)


def _pictures(namespace) -> list:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    return [v for v in namespace.values() if isinstance(v, (Figure, Axes))
            or (isinstance(v, Path) and v.suffix.lower() in (".png", ".gif", ".svg", ".mp4"))]


def test_gallery_follows_the_notes_order():
    sections = sorted(p.name for p in GALLERY.iterdir() if p.is_dir())
    assert sections[:3] == ["01_fundamentals", "02_mlp_backprop", "03_convolution"]
    for section in sections:
        assert (GALLERY / section / "README.rst").is_file(), f"{section} has no README.rst (sphinx-gallery needs one)"
    assert SCRIPTS, "no gallery scripts"


@pytest.mark.parametrize("script", list(_params()))
def test_gallery_script_runs_and_draws(script, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = runpy.run_path(str(script), run_name="__main__")
    text = script.read_text()
    assert text.startswith('"""') and "\n====" in text.split('"""')[1], "sphinx-gallery needs a titled docstring"
    assert _pictures(namespace), f"{script.name} drew nothing"


@pytest.mark.slow
def test_a_generated_notebook_runs_in_a_real_kernel(tmp_path):
    nbclient = pytest.importorskip("nbclient")
    import nbformat
    from sphinx_gallery.notebook import python_to_jupyter_cli

    script = tmp_path / "plot_graph.py"
    script.write_text((GALLERY / "02_mlp_backprop" / "plot_01_computational_graph.py").read_text())
    python_to_jupyter_cli([str(script)])
    notebook = nbformat.read(script.with_suffix(".ipynb"), as_version=4)
    env_path = os.environ.get("PYTHONPATH", "")
    root = str(GALLERY.parent)
    os.environ["PYTHONPATH"] = root + (os.pathsep + env_path if env_path else "")
    try:
        nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        os.environ["PYTHONPATH"] = env_path
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2, "each figure cell shows its figure"
    assert not [o for o in outputs if o.get("output_type") == "error"]
