"""Fixtures of the hostile-input tests: a limited worker process for the ``isolated`` cases."""
import count
import hostile_cases
import pytest


@pytest.fixture(scope="session")
def isolated():
    """``isolated(case)``: the case's result from a worker with 4 GiB of address space and 120 s.

    A vulnerable version segfaults, exhausts memory or hangs in there, not in pytest.
    """
    pool = count.Pool(memory_mib=4096, timeout=120)
    yield lambda case: pool.run(case.id)
    pool.stop()


def check(case: hostile_cases.Case, result: dict) -> None:
    """Fail unless ``result`` is the clear answer ``case`` promises (exit status 2 for the CLI)."""
    if result["status"] == "skipped":
        pytest.skip(result["detail"])
    assert result["status"] == "clear", f"{case.id}: {result['status']}: {result['detail']}"
    if case.kind == "cli":
        assert result["code"] == 2, f"{case.id}: exit status {result['code']}, expected 2"


def run_here(case: hostile_cases.Case, tmp_path) -> dict:
    """Run a case that cannot hurt this process (not ``isolated``) and return its result."""
    outcome = hostile_cases.execute(case, tmp_path)
    return {"status": outcome.status, "detail": outcome.detail, "code": outcome.code}


def params(cases):
    """``pytest.param`` of each case, with its id."""
    return [pytest.param(case, id=case.id) for case in cases]
