"""Outputs lose nothing: SIGKILL mid-write, a full disk, failed writes; the gallery escapes and dedupes."""
import os
import stat

import pytest
from conftest import check, params, run_here
from hostile_cases import OUTPUT_CASES

from vizdl.gallery import markdown_code, markdown_text, unique_prefixes
from vizdl.outputs import atomic_path, write_text


@pytest.mark.parametrize("case", params(c for c in OUTPUT_CASES if c.isolated))
def test_killed_or_full_writes_keep_the_previous_file(case, isolated):
    check(case, isolated(case))


@pytest.mark.parametrize("case", params(c for c in OUTPUT_CASES if not c.isolated))
def test_gallery_names_are_escaped_and_unique(case, tmp_path):
    check(case, run_here(case, tmp_path))


def test_failed_write_keeps_the_previous_file_and_no_temp(tmp_path):
    target = tmp_path / "figure.png"
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("the writer failed")
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure.png"]


def test_temp_names_are_unique_hidden_and_keep_the_suffix(tmp_path):
    target = tmp_path / "conv.gif"
    with atomic_path(target) as first, atomic_path(target) as second:
        assert first != second and first.parent == second.parent == tmp_path
        assert first.name.startswith(".conv.gif.") and first.suffix == ".gif"
        first.write_text("1")
        second.write_text("2")
    assert target.read_text() == "1"     # the outer block finished last
    assert [p.name for p in tmp_path.iterdir()] == ["conv.gif"]


def test_permissions_are_those_of_the_previous_file(tmp_path):
    target = tmp_path / "index.html"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_text(target, "new")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640 and target.read_text() == "new"


def test_errors_name_the_file_asked_for_not_the_temp_name(tmp_path):
    missing = tmp_path / "no-such-folder" / "x.gif"
    with pytest.raises(FileNotFoundError) as info:
        write_text(missing, "x")
    assert str(missing) in str(info.value) and ".tmp" not in str(info.value)


def test_markdown_escaping():
    assert markdown_text("<b>*x*</b>") == r"\<b\>\*x\*\<\/b\>"
    assert markdown_code("a`b") == "`` a`b ``"
    assert markdown_text("line\nbreak") == r"line\\u000abreak"


def test_unique_prefixes():
    assert unique_prefixes(["xor", "xor", "a b#c", "lecture", "", "xor-2"], reserved={"lecture"}) == \
        ["xor", "xor-2", "a_b_c", "lecture-2", "run", "xor-2-2"]
