"""Notebook display in a real kernel (nbclient): live training, Run, GIF, scene video, step slider."""
import os
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
ROOT = Path(__file__).resolve().parent.parent

CELLS = [
    """import vizdl
data = vizdl.data.load("xor", n=160)
model = vizdl.models.build("mlp", data=data, hidden=(4,), activation="tanh")
run = vizdl.train(model, data, epochs=3, record=vizdl.RecordSpec(every=5), out="run", quiet=True, live=True)""",
    "run",
    """from PIL import Image
frames = [Image.new("RGB", (40, 30), c) for c in ("red", "white", "blue")]
frames[0].save("tiny.gif", save_all=True, append_images=frames[1:], duration=200)
vizdl.notebook.Media("tiny.gif")""",
    """vizdl.show("computational_graph", pace="preview")""",
    """vizdl.notebook.step_slider(run, vizdl.figures.decision_boundary, resolution=30)""",
]


def _outputs(cell):
    return [o for o in cell.get("outputs", []) if o.get("output_type") != "stream"]


@pytest.mark.slow
def test_notebook_display_in_a_real_kernel(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    old = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = str(ROOT) + (os.pathsep + old if old else "")
    try:
        nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        os.environ["PYTHONPATH"] = old
    train, run, gif, video, slider = (_outputs(c) for c in notebook.cells)
    live = [o for o in train if "image/png" in o.get("data", {})]
    assert len(live) == 1, "live=True redraws one output in place (display handle), not one per epoch"
    html = run[0]["data"]["text/html"]
    assert "<table" in html and "xor" in html and "data:image/png;base64," in html
    assert 'src="data:image/gif;base64,' in gif[0]["data"]["text/html"]
    assert '<video' in video[0]["data"]["text/html"] and "data:video/mp4;base64," in video[0]["data"]["text/html"]
    mimes = {m for o in slider for m in o.get("data", {})}
    assert "application/vnd.jupyter.widget-view+json" in mimes, "an ipywidgets slider over the steps"
    assert (tmp_path / "run" / "run.json").is_file()
