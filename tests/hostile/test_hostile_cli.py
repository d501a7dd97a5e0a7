"""The command line on bad input: one line naming the problem, exit status 2, no traceback."""
import pytest
from conftest import check, params, run_here
from hostile_cases import CLI_CASES

from vizdl.cli import main


@pytest.mark.parametrize("case", params(c for c in CLI_CASES if not c.isolated))
def test_user_error_ends_in_one_clear_line(case, tmp_path):
    check(case, run_here(case, tmp_path))


@pytest.mark.parametrize("case", params(c for c in CLI_CASES if c.isolated))
def test_hostile_input_ends_in_one_clear_line_without_crashing(case, isolated):
    check(case, isolated(case))


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(ValueError, match="fps"):
        main(["--debug", "conv", "--fps", "0", "--out", str(tmp_path / "c.gif")])
    with pytest.raises(ValueError, match="fps"):
        main(["conv", "--fps", "0", "--out", str(tmp_path / "c.gif"), "--debug"])


def test_one_line_on_stderr(tmp_path, capsys):
    assert main(["conv", "--fps", "0", "--out", str(tmp_path / "c.gif")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("vizdl conv: error: fps")


def test_force_goes_past_a_limit(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("vizdl.commands._output.MAX_GRID", 6)     # a small limit keeps the test fast
    out = tmp_path / "p.png"
    assert main(["pool", "--input", "8", "--out", str(out), "--quiet"]) == 2
    assert "--input=8 is above vizdl's limit of 6; add --force" in capsys.readouterr().err
    assert not out.exists()
    assert main(["pool", "--input", "8", "--dpi", "20", "--out", str(out), "--quiet", "--force"]) == 0
    assert out.stat().st_size > 0


def test_unexpected_errors_are_one_line_with_a_hint(monkeypatch, capsys, tmp_path):
    import vizdl.commands.conv as conv

    monkeypatch.setattr(conv, "check_output", lambda args: (_ for _ in ()).throw(TypeError("boom")))
    assert main(["conv", "--out", str(tmp_path / "c.gif")]) == 1
    err = capsys.readouterr().err
    assert "TypeError: boom" in err and "--debug" in err and "Traceback" not in err
