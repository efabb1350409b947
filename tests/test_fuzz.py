"""A short libFuzzer run over the trace reader (tests/fuzz/): no crash, leak, undefined
behaviour, hang, oversized allocation or broken promise of trace_parse() in about 20 seconds.
`make fuzz` runs the same target for 10 minutes.

Skipped, with the reason, only when clang or its libFuzzer runtime (Debian: clang and
libclang-rt-14-dev) is not installed; any other build failure fails the test.
"""
import fcntl
import os
import re
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ = os.path.join(ROOT, "tests", "fuzz")
FUZZ_SECS = 20
REPORT_RE = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|"
                       r"deadly signal|broken promise|out-of-memory|timeout after", re.I)


def fuzzer_runtime_missing():
    """The reason libFuzzer programs cannot be built here, or None when they can."""
    clang = shutil.which(os.environ.get("CLANG", "clang"))
    if not clang:
        return "clang is not installed (Debian: apt-get install clang libclang-rt-14-dev)"
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "probe.c")
        with open(src, "w") as f:
            f.write("#include <stddef.h>\n#include <stdint.h>\n"
                    "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)"
                    " { (void)d; (void)n; return 0; }\n")
        p = subprocess.run([clang, "-fsanitize=fuzzer,address,undefined", "-o",
                            os.path.join(d, "probe"), src], capture_output=True, text=True)
        if p.returncode != 0:
            return ("clang cannot link a libFuzzer program (Debian: apt-get install "
                    f"libclang-rt-14-dev):\n{p.stderr.strip()}")
    return None


class Fuzz(unittest.TestCase):
    def test_short_fuzz_run(self):
        reason = fuzzer_runtime_missing()
        if reason:
            self.skipTest(reason)
        # One fuzz run at a time in this tree: they would share build/fuzz/.
        os.makedirs(os.path.join(ROOT, "build", "fuzz"), exist_ok=True)
        with open(os.path.join(ROOT, "build", "fuzz", ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            p = subprocess.run(["make", "-s", "-C", FUZZ, "short", f"FUZZ_SECS={FUZZ_SECS}"],
                               cwd=ROOT, capture_output=True, text=True,
                               timeout=FUZZ_SECS + 240)
        out = p.stdout + p.stderr
        report = REPORT_RE.search(out)
        self.assertIsNone(report, f"the fuzzer found something:\n{out[-6000:]}")
        self.assertEqual(p.returncode, 0, f"fuzz run failed:\n{out[-6000:]}")
        runs = re.search(r"Done (\d+) runs", out)
        self.assertIsNotNone(runs, f"no run count in the fuzzer's output:\n{out[-3000:]}")
        self.assertGreater(int(runs.group(1)), 1000, "the fuzzer hardly ran")


class MissingClang(unittest.TestCase):
    def test_make_fuzz_without_clang_says_what_to_install(self):
        with tempfile.TemporaryDirectory() as out:
            p = subprocess.run(["make", "-s", "-C", FUZZ, "run", "CLANG=/nonexistent/clang",
                                f"OUT={out}"], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("fuzz: /nonexistent/clang is not installed (Debian: apt-get install clang "
                      "libclang-rt-14-dev)", p.stderr)


if __name__ == "__main__":
    unittest.main()
