#!/usr/bin/env python3
"""Runs every test module in tests/ (test_*.py, standard unittest), two at a time by default,
and ends with the line `N passed, N failed`.

    python3 tests/run.py                 every module
    python3 tests/run.py test_trace ...  only these modules (name or path)
    python3 tests/run.py -j 4 -v         four at a time, every test's outcome printed
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class CountingResult(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.passed = 0

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1


def run_one(path, verbose):
    """Child mode: run one module, print its report to stderr and the counts as JSON last."""
    sys.path.insert(0, HERE)
    name = os.path.splitext(os.path.basename(path))[0]
    suite = unittest.defaultTestLoader.loadTestsFromName(name)
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2 if verbose else 1,
                                     resultclass=CountingResult)
    r = runner.run(suite)
    failed = len(r.failures) + len(r.errors) + len(r.unexpectedSuccesses)
    print(json.dumps({"passed": r.passed, "failed": failed, "skipped": len(r.skipped)}))


def modules(names):
    if not names:
        return sorted(os.path.join(HERE, f) for f in os.listdir(HERE)
                      if f.startswith("test_") and f.endswith(".py"))
    out = []
    for n in names:
        base = os.path.basename(n)
        out.append(os.path.join(HERE, base if base.endswith(".py") else base + ".py"))
    return out


def spawn(path, verbose):
    cmd = [sys.executable, os.path.abspath(__file__), "--one", path] + (["-v"] if verbose else [])
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=os.path.dirname(HERE))
    counts = None
    lines = p.stdout.strip().splitlines()
    if lines:
        try:
            counts = json.loads(lines[-1])
        except ValueError:
            counts = None
    if counts is None:  # the module did not even load: one failure
        counts = {"passed": 0, "failed": 1, "skipped": 0}
    return path, counts, p.stderr, time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("modules", nargs="*")
    ap.add_argument("-j", type=int, default=2, help="modules run at once (default 2)")
    ap.add_argument("-v", action="store_true", help="print every test's outcome")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        run_one(a.one, a.v)
        return 0
    total = {"passed": 0, "failed": 0, "skipped": 0}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.j)) as ex:
        for path, c, err, secs in ex.map(lambda p: spawn(p, a.v), modules(a.modules)):
            name = os.path.basename(path)
            status = "ok" if c["failed"] == 0 else "FAILED"
            print(f"{name}: {c['passed']} passed, {c['failed']} failed, "
                  f"{c['skipped']} skipped ({secs:.1f}s) {status}", flush=True)
            if c["failed"] or a.v:
                sys.stdout.write(err)
            for k in total:
                total[k] += c[k]
    print(f"{total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
    return 1 if total["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
