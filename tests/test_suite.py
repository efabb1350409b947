"""The trace suite in traces/: reproducible byte for byte, small enough to commit, big enough
to judge an allocator on, and every file valid."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRACES = os.path.join(ROOT, "traces")
GENTRACE = os.path.join(ROOT, "tools", "gentrace")


def trace_files():
    return sorted(f for f in os.listdir(TRACES) if re.search(r"\.rep(\.xz)?$", f))


def suite_list():
    """{file: "generated" or "recorded"} as traces/Makefile (with recorded.mk) lists them."""
    p = subprocess.run(["make", "-s", "--no-print-directory", "-C", TRACES, "list"],
                       capture_output=True, text=True, check=True)
    return dict(line.split("\t") for line in p.stdout.splitlines())


class Suite(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        p = subprocess.run([sys.executable, GENTRACE, "check", "--json"]
                           + [os.path.join(TRACES, f) for f in trace_files()],
                           capture_output=True, text=True)
        cls.check = p
        cls.stats = json.loads(p.stdout) if p.stdout else []

    def test_every_trace_is_valid(self):
        self.assertEqual(self.check.returncode, 0, self.check.stderr)
        self.assertEqual(len(self.stats), len(trace_files()))

    def test_regenerated_byte_for_byte(self):
        p = subprocess.run(["make", "-s", "--no-print-directory", "-C", TRACES, "check"],
                           capture_output=True, text=True, timeout=600)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("reproduced byte for byte", p.stdout)

    def test_every_file_has_its_command(self):
        listed = suite_list()
        made = set(listed)
        self.assertGreaterEqual(list(listed.values()).count("generated"), 18)
        self.assertEqual(set(trace_files()) - made, set(), "trace files no rule makes")
        self.assertEqual(made - set(trace_files()), set(), "rules whose trace is missing")

    def test_at_least_24_traces(self):
        self.assertGreaterEqual(len(trace_files()), 24)

    def test_folder_under_30_mb(self):
        total = 0
        for d, _, files in os.walk(TRACES):
            total += sum(os.path.getsize(os.path.join(d, f)) for f in files)
        self.assertLess(total, 30 * 1000 * 1000)

    def test_sizes_and_coverage(self):
        ops = [s["ops"] for s in self.stats]
        self.assertGreaterEqual(min(ops), 1000)
        self.assertLessEqual(max(ops), 1000000)
        self.assertTrue(any(s["calloc_share"] > 0.2 for s in self.stats), "calloc-heavy")
        self.assertTrue(any(s["realloc_share"] > 0.3 for s in self.stats), "realloc-heavy")
        self.assertTrue(any(s["peak_live_bytes"] < 100000 for s in self.stats), "tiny heap")
        self.assertTrue(any(s["peak_live_bytes"] > 32 << 20 for s in self.stats), "large heap")
        self.assertTrue(any(s["block_size"]["p90"] <= 64 for s in self.stats), "tiny blocks")
        self.assertTrue(any(not s["balanced"] for s in self.stats), "an unbalanced trace")

    def test_fresh_checkout_plans_nothing(self):
        # A checkout may write the recorded traces' inputs after the committed traces; make must
        # still leave them alone (re-recording is `make -C traces rerecord`, never implied).
        with tempfile.TemporaryDirectory() as tmp:
            for d in ("traces", "tools"):
                shutil.copytree(os.path.join(ROOT, d), os.path.join(tmp, d))
            traces = os.path.join(tmp, "traces")
            inputs = [os.path.join(tmp, "tools", "rectrace")] + [
                os.path.join(traces, "recorded.d", f)
                for f in os.listdir(os.path.join(traces, "recorded.d"))]
            committed = [os.path.join(traces, f) for f in trace_files()]
            made_by = [os.path.join(tmp, "tools", "gentrace"), os.path.join(traces, "Makefile")]
            for paths, when in ((made_by, 1e9), (committed, 1e9 + 10), (inputs, 1e9 + 20)):
                for path in paths:
                    os.utime(path, (when, when))
            p = subprocess.run(["make", "-n", "--no-print-directory", "-C", traces],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertNotRegex(p.stdout, r"rectrace|gentrace", "make plans to remake traces")


if __name__ == "__main__":
    unittest.main()
