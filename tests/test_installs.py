"""Light installs: core vizdl works without the extras; a missing extra names what to install."""
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = textwrap.dedent("""
    import sys
    for name in ("manim", "manim_slides", "av", "imageio", "shap", "sklearn", "IPython", "ipywidgets",
                 "sphinx_gallery"):
        sys.modules[name] = None          # as if not installed: importing it raises ImportError
""")
CORE = textwrap.dedent("""
    import sys
    import vizdl
    data = vizdl.data.load("digits")
    run = vizdl.train(vizdl.models.build("mlp", data=data, hidden=(8,)), data, epochs=1,
                      record=vizdl.RecordSpec(every=25), out=sys.argv[1], quiet=True)
    fig = vizdl.figures.training_curves(run)
    import vizdl.gif, vizdl.views, vizdl.recipes, vizdl.live, vizdl.notebook
    vizdl.gif.save_conv_animation(sys.argv[1] + ".gif", case=vizdl.ops.NOTES_CASES[4], dpi=20, quiet=True)
    print("core ok", len(run.steps))
""")


def _python(code, *args):
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)


def test_core_works_without_any_extra(tmp_path):
    result = _python(BLOCK + CORE, tmp_path / "run")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "core ok" in result.stdout


@pytest.mark.parametrize("code, extra", [
    ("import vizdl.anim", "vizdl[anim]"),
    ("import vizdl.scenes; vizdl.scenes.scene_class('computational_graph')", "vizdl[anim]"),
    ("import torch, vizdl; net = torch.nn.Sequential(torch.nn.Linear(4, 2));"
     "vizdl.explain.shap_values(net, torch.zeros(3, 4), torch.zeros(1, 4))", "vizdl[explain]"),
    ("import vizdl.gif; vizdl.gif.save_conv_animation('never-written.mp4')", "vizdl[anim]"),
])
def test_a_missing_extra_names_what_to_install(code, extra):
    result = _python(BLOCK + code)
    assert result.returncode != 0 and f"pip install '{extra}'" in result.stderr


@pytest.mark.slow
def test_core_only_pip_install_in_a_fresh_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run(pip + ["torch==2.13.0"], check=True, timeout=1200)  # the local CPU wheel
    source = tmp_path / "source"  # pip builds in the source tree (build/): a copy keeps the checkout clean
    top = {".git", ".venv", "build", "media", "out", "runs", ".vizdl-cache", "docs", "tests"}
    shutil.copytree(ROOT, source, ignore=lambda folder, names: [
        n for n in names if n == "__pycache__" or n.endswith(".egg-info") or (Path(folder) == ROOT and n in top)])
    subprocess.run(pip + [str(source)], check=True, timeout=1200)
    check = CORE + textwrap.dedent("""
        import importlib.util
        assert all(importlib.util.find_spec(m) is None for m in ("manim", "shap", "sklearn"))
    """)
    result = subprocess.run([str(venv / "bin" / "python"), "-c", "import sys\n" + check, str(tmp_path / "run")],
                            capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
