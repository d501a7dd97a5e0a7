"""Count how the hostile cases end: ``python tests/hostile/count.py [--groups files,cli] [--json OUT]``.

Each case runs in a worker process with a memory limit (``--memory`` MiB of address space)
and a time limit (``--timeout`` s). A worker that dies (segfault, out of memory) or runs
out of time is a ``crash``; it is replaced and counting goes on. The vizdl counted is the
one on ``PYTHONPATH``, so the same table counts an older checkout:
``PYTHONPATH=/path/to/old/checkout python tests/hostile/count.py``.
Also used by the tests to run the ``isolated`` cases (:func:`run_isolated`).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import selectors
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATUSES = ("clear", "unclear", "silent", "crash", "skipped")


def worker(memory_mib: int) -> None:
    """Read case ids on stdin, run each, write one JSON line per case on stdout."""
    if memory_mib:
        limit = memory_mib * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.path.insert(0, str(HERE))
    import hostile_cases

    for line in sys.stdin:
        case = hostile_cases.BY_ID[line.strip()]
        with tempfile.TemporaryDirectory(prefix="vizdl-case-") as tmp:
            start = time.monotonic()
            outcome = hostile_cases.execute(case, Path(tmp))
        print(json.dumps({"id": case.id, "status": outcome.status, "detail": outcome.detail,
                          "code": outcome.code, "seconds": round(time.monotonic() - start, 2)}), flush=True)


class Pool:
    """One worker at a time; restarted after a crash or a timeout."""

    def __init__(self, memory_mib: int, timeout: float):
        self.memory_mib, self.timeout, self.process = memory_mib, timeout, None

    def _start(self):
        self.process = subprocess.Popen([sys.executable, __file__, "--worker", "--memory", str(self.memory_mib)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def run(self, case_id: str) -> dict:
        if self.process is None or self.process.poll() is not None:
            self._start()
        start = time.monotonic()
        self.process.stdin.write(case_id + "\n")
        self.process.stdin.flush()
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        ready = selector.select(self.timeout)
        selector.close()
        line = self.process.stdout.readline() if ready else ""
        if line:
            return json.loads(line)
        self.stop()
        code = self.process.returncode
        why = (f"timed out after {self.timeout:.0f} s" if not ready else
               f"worker died ({'signal ' + str(-code) if code and code < 0 else 'exit ' + str(code)})")
        return {"id": case_id, "status": "crash", "detail": why, "code": None,
                "seconds": round(time.monotonic() - start, 2)}

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait()


def run_cases(case_ids, *, memory_mib: int = 4096, timeout: float = 180.0, echo=None) -> list[dict]:
    pool = Pool(memory_mib, timeout)
    results = []
    try:
        for case_id in case_ids:
            result = pool.run(case_id)
            results.append(result)
            if echo:
                echo(result)
    finally:
        pool.stop()
    return results


def run_isolated(case_ids, **kw) -> dict[str, dict]:
    """Results of ``case_ids`` run in a limited worker, by id (used by the tests)."""
    return {r["id"]: r for r in run_cases(case_ids, **kw)}


def table(results: list[dict]) -> str:
    """A Markdown table of the outcomes per group (in the order the groups first appear)."""
    groups = list(dict.fromkeys(r["id"].split("/")[0] for r in results))
    rows = ["| group | tried | clear | unclear | silent | crash |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for group in groups + ["all"]:
        counts = Counter(r["status"] for r in results if group == "all" or r["id"].startswith(group + "/"))
        tried = sum(counts[s] for s in STATUSES if s != "skipped")
        rows.append(f"| {group} | {tried} | " + " | ".join(str(counts[s]) for s in STATUSES[:-1]) + " |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory", type=int, default=4096, help="address-space limit per worker (MiB)")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per case")
    parser.add_argument("--groups", default=None, help="comma-separated groups (default: all)")
    parser.add_argument("--json", default=None, help="write every result to this file")
    args = parser.parse_args()
    if args.worker:
        worker(args.memory)
        return 0
    sys.path.insert(0, str(HERE))
    import hostile_cases

    groups = args.groups.split(",") if args.groups else None
    ids = [c.id for c in hostile_cases.CASES if groups is None or c.group in groups]
    results = run_cases(ids, memory_mib=args.memory, timeout=args.timeout,
                        echo=lambda r: print(f"{r['status']:8s} {r['seconds']:6.1f}s  {r['id']}: {r['detail'][:150]}",
                                             flush=True))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    print()
    print(table(results))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
