"""A pytest plugin for measuring the suite (docs/benchmarks.md, "Test suite CPU per test").

PYTHONPATH=bench PYTEST_CPU_OUT=/tmp/cpu.txt pytest -n 0 -p pytest_cpu FILES...
    writes the CPU seconds (time.process_time) of each file and of the 60 dearest tests:
    setup, call and teardown of each test, so a module fixture counts in its first test.
PYTEST_SHUFFLE_SEED=N
    runs the files, and the tests within each file, in an order drawn from N. pytest-randomly
    is not in requirements.txt; this keeps each module's tests together, as a module-scoped
    fixture needs, and checks that no test depends on the one before it.
"""

from __future__ import annotations

import collections
import itertools
import os
import random
import time
from collections.abc import Generator

import pytest

_per_file: dict[str, float] = collections.defaultdict(float)
_per_test: list[tuple[float, str]] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    seed = os.environ.get("PYTEST_SHUFFLE_SEED")
    if not seed:
        return
    rng = random.Random(int(seed))
    files = [list(g) for _, g in itertools.groupby(items, key=lambda i: i.nodeid.split("::")[0])]
    rng.shuffle(files)
    for tests in files:
        rng.shuffle(tests)
    items[:] = [t for tests in files for t in tests]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator:
    started = time.process_time()
    yield
    spent = time.process_time() - started
    _per_file[item.nodeid.split("::")[0]] += spent
    _per_test.append((spent, item.nodeid))


def pytest_sessionfinish(session: pytest.Session) -> None:
    out = os.environ.get("PYTEST_CPU_OUT")
    if not out or not _per_test:
        return
    with open(out, "w", encoding="utf-8") as f:
        f.write(f"tests {len(_per_test)}  cpu {sum(s for s, _ in _per_test):.2f} s\n")
        f.write("== per file (CPU s)\n")
        for name, spent in sorted(_per_file.items(), key=lambda kv: -kv[1]):
            f.write(f"{spent:8.2f} {name}\n")
        f.write("== dearest tests (CPU s)\n")
        for spent, nodeid in sorted(_per_test, reverse=True)[:60]:
            f.write(f"{spent:8.2f} {nodeid}\n")
