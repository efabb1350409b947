"""The reference allocators (naive, implicit) and the peers that --vs compares against.

- every classic trace replays correctly with naive, implicit and mm.c;
- implicit's average utilization on the 11 default traces at ALIGNMENT=8, printed next to the
  original driver's 74.1% for the textbook allocator, and held within a band around it;
- implicit gives the same figures built in (MM=allocators/implicit.c) and loaded by --vs;
- --vs libc,jemalloc,mimalloc,tcmalloc runs every real allocator in one mdriver run (a library
  that is not installed skips its part, saying which Debian package is missing);
- an allocator that is not available, or not known, is a clear error;
- tools/bench prints its one table (and JSON), glibc's ratio to itself being 1; --scale gives
  a row per live-block count for mm.c and each real allocator it can load, naming the others.
The implicit figures are printed on stderr: `python3 tests/run.py -v test_allocators`.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import ctrl_c

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLASSIC_DIR = os.path.join(os.path.dirname(ROOT), "shared", "traces", "csapp")
DEFAULT_11 = ["amptjp-bal", "cccp-bal", "cp-decl-bal", "expr-bal", "coalescing-bal", "random-bal",
              "random2-bal", "binary-bal", "binary2-bal", "realloc-bal", "realloc2-bal"]
TIMED = ["amptjp-bal", "binary-bal"]
# naive never reuses memory: on the realloc traces it needs about 1.5 GB, beyond the default
# MAX_HEAP (the original lab's naive allocator ran out of memory there too).
NAIVE_MAX_HEAP = "4G"
BUILD = os.path.join(ROOT, "build", "t", "allocators")
# How long tools/bench runs before the Ctrl-C test interrupts it: mdriver has started by then.
BENCH_RUNNING_SECS = 2

# The original driver's average for the textbook allocator at 8-byte alignment, and the band a
# correct first-fit implicit list must land in (a broken split or coalesce falls far outside).
TEXTBOOK_UTIL = 0.741
TEXTBOOK_BAND = (0.70, 0.78)

REAL = {"libc": None, "jemalloc": "libjemalloc-dev", "mimalloc": "libmimalloc-dev",
        "tcmalloc": "libgoogle-perftools-dev"}


def build(alignment, mm="mm.c", tag="mm", target="all"):
    """make (all: driver and peers) into its own BUILD; returns mdriver's and the peers' paths."""
    build_dir = os.path.join(BUILD, tag)
    mdriver = os.path.join(build_dir, f"mdriver{alignment}")
    p = subprocess.run(["make", "-s", target, f"MM={mm}", f"ALIGNMENT={alignment}",
                        f"BUILD={build_dir}", f"MDRIVER={mdriver}"],
                       cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"make failed:\n{p.stdout}{p.stderr}")
    return mdriver, os.path.join(build_dir, f"a{alignment}", "peers")


def checked(names):
    """Arguments replaying these classic traces with every check and no timing (-c)."""
    args = []
    for n in names:
        args += ["-c", os.path.join(CLASSIC_DIR, n + ".rep")]
    return args


def run(mdriver, *args, env=None):
    return subprocess.run([mdriver, *args], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})))


def run_json(mdriver, *args):
    p = run(mdriver, "--json", *args)
    try:
        return p, json.loads(p.stdout)
    except ValueError:
        raise AssertionError(f"no JSON from mdriver {' '.join(args)} (exit {p.returncode}):\n"
                             f"{p.stdout}{p.stderr}")


def peer(trace, name):
    return (trace.get("vs") or {}).get(name) or {}


def mean(xs):
    return sum(xs) / len(xs)


@unittest.skipUnless(os.path.isdir(CLASSIC_DIR), f"classic traces not found in {CLASSIC_DIR}")
class Allocators(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.md8, cls.peers8 = build(8)
        cls.md16, cls.peers16 = build(16)
        cls.every = sorted(f[:-4] for f in os.listdir(CLASSIC_DIR) if f.endswith(".rep"))

    def test_classic_traces_replay_correctly(self):
        for md in (self.md8, self.md16):
            with self.subTest(mdriver=os.path.basename(md)):
                p, out = run_json(md, "--max-heap", NAIVE_MAX_HEAP, "--vs", "naive,implicit",
                                  *checked(self.every))
                self.assertEqual(sorted(t["name"] for t in out["traces"]), self.every)
                for t in out["traces"]:
                    self.assertTrue(t["valid"], f"mm on {t['name']}: {t['error']}")
                    for a in ("naive", "implicit"):
                        self.assertTrue(peer(t, a).get("valid"),
                                        f"{a} on {t['name']}: {peer(t, a).get('error')}")
                self.assertEqual(p.returncode, 0, p.stderr)

    def test_implicit_utilization_matches_the_textbook(self):
        _, out = run_json(self.md8, "--vs", "implicit", *checked(DEFAULT_11))
        utils = {t["name"]: peer(t, "implicit")["util"] for t in out["traces"]}
        self.assertEqual(sorted(utils), sorted(DEFAULT_11))
        avg = mean(list(utils.values()))
        print(f"\nimplicit.c at ALIGNMENT=8, 11 default traces: {100 * avg:.1f}% average "
              f"utilization (original driver, textbook allocator: {100 * TEXTBOOK_UTIL:.1f}%)",
              file=sys.stderr)
        for name in DEFAULT_11:
            print(f"  {name:<16} {100 * utils[name]:5.1f}%", file=sys.stderr)
        self.assertGreaterEqual(avg, TEXTBOOK_BAND[0])
        self.assertLessEqual(avg, TEXTBOOK_BAND[1])

    def test_implicit_built_in_equals_implicit_loaded(self):
        md, _ = build(8, mm="allocators/implicit.c", tag="implicit", target="mdriver")
        _, built_in = run_json(md, *checked(DEFAULT_11))
        _, loaded = run_json(self.md8, "--vs", "implicit", *checked(DEFAULT_11))
        a = {t["name"]: t["util"] for t in built_in["traces"]}
        b = {t["name"]: peer(t, "implicit")["util"] for t in loaded["traces"]}
        self.assertEqual(a, b)

    def test_real_allocators_in_one_run(self):
        names = [a for a, pkg in REAL.items()
                 if pkg is None or os.path.exists(os.path.join(self.peers16, a + ".so"))]
        missing = [f"{a} ({pkg} not installed)" for a, pkg in REAL.items() if a not in names]
        if missing:
            print(f"\nskipping {', '.join(missing)}", file=sys.stderr)
        # Every check on the 11 traces, then timed on two of them (timing is the slow part).
        p, out = run_json(self.md16, "--vs", ",".join(names), *checked(DEFAULT_11))
        self.assertEqual(p.returncode, 0, p.stderr)
        for t in out["traces"]:
            for a in names:
                f = peer(t, a)
                self.assertTrue(f.get("valid"), f"{a} on {t['name']}: {f.get('error')}")
                self.assertIsNotNone(f.get("util"), f"{a} on {t['name']}: no footprint")
                self.assertGreater(f["util"], 0)
                self.assertLessEqual(f["util"], 1.0, f"{a} on {t['name']}")
        timed = [arg for n in TIMED for arg in ("-f", os.path.join(CLASSIC_DIR, n + ".rep"))]
        p, out = run_json(self.md16, "--vs", ",".join(names), *timed)
        self.assertEqual(p.returncode, 0, p.stderr)
        for t in out["traces"]:
            for a in names:
                self.assertGreater(peer(t, a).get("kops") or 0, 0, f"{a} on {t['name']}")
        for a in names:
            self.assertIn(a, out.get("vs") or {}, f"no total for {a}")
        if missing:
            self.skipTest("; ".join(missing))

    def test_missing_library_names_its_package(self):
        with tempfile.TemporaryDirectory() as empty:
            for a, pkg in REAL.items():
                if pkg is None:
                    continue
                with self.subTest(allocator=a):
                    p = run(self.md16, "--vs", a, "-f", os.path.join(CLASSIC_DIR,
                                                                     "short1-bal.rep"),
                            env={"MMLAB_PEER_DIR": empty})
                    self.assertNotEqual(p.returncode, 0)
                    self.assertIn(a, p.stderr)
                    self.assertIn("not available", p.stderr)
                    self.assertIn(pkg, p.stderr)

    def bench_stand_ins(self, tmp):
        """tools/bench's command on stand-ins: the 11 default names all linked to a 12-op trace,
        so that every allocator runs on every row in seconds, and a one-trace suite."""
        classic, suite = os.path.join(tmp, "classic"), os.path.join(tmp, "suite")
        os.makedirs(classic)
        os.makedirs(suite)
        tiny = os.path.join(CLASSIC_DIR, "short1-bal.rep")
        for n in DEFAULT_11:
            os.symlink(tiny, os.path.join(classic, n + ".rep"))
        os.symlink(os.path.join(CLASSIC_DIR, "short2-bal.rep"),
                   os.path.join(suite, "short2-bal.rep"))
        return [sys.executable, os.path.join(ROOT, "tools", "bench"), "--mdriver", self.md16,
                "--classic", classic, "--suite", suite]

    def bench_on(self, *traces):
        """tools/bench run on these traces alone (linked into a folder of their own)."""
        with tempfile.TemporaryDirectory() as tmp:
            for trace in traces:
                os.symlink(trace, os.path.join(tmp, os.path.basename(trace)))
            return subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench"),
                                   "--mdriver", self.md16, "--classic", tmp, "--suite", tmp],
                                  cwd=ROOT, capture_output=True, text=True)

    def test_bench_prints_one_table(self):
        with tempfile.TemporaryDirectory() as tmp:
            cmd = self.bench_stand_ins(tmp)
            p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            lines = p.stdout.splitlines()
            header = next(line for line in lines if line.split()[:2] == ["mm", "naive"])
            for a in ("implicit", "libc"):
                self.assertIn(a, header)
            self.assertEqual(sum(1 for line in lines if line.strip().startswith("average ")), 2)
            self.assertEqual(sum(1 for line in lines if line.strip().startswith("slowest ")), 2)
            self.assertIn("  mm's slowest: short2-bal", lines)
            self.assertTrue(any(line.startswith("classic (11 traces)") for line in lines))
            self.assertTrue(any(line.startswith("suite (1 traces)") for line in lines))
            p = subprocess.run(cmd + ["--json"], cwd=ROOT, capture_output=True, text=True)
            out = json.loads(p.stdout)
            classic_avg = out["sets"][0]["average"]
            self.assertAlmostEqual(classic_avg["libc"]["thru_ratio"], 1.0)
            self.assertEqual(classic_avg["mm"]["passed"], 11)
            rows = out["sets"][0]["traces"]
            lowest = min(r["cells"]["naive"]["kops"] / r["cells"]["libc"]["kops"] for r in rows)
            self.assertAlmostEqual(classic_avg["naive"]["slowest"]["thru_ratio"], lowest)
            self.assertIn(classic_avg["naive"]["slowest"]["trace"], DEFAULT_11)

    def test_bench_reads_trace_dirs_relative_to_where_it_runs(self):
        # --classic and --suite as typed, run from elsewhere than the project: the traces are
        # found there, not in the project's folder, and named as they were given.
        with tempfile.TemporaryDirectory() as tmp:
            cmd = self.bench_stand_ins(tmp)
            cmd[cmd.index("--classic") + 1] = "classic"
            cmd[cmd.index("--suite") + 1] = "suite"
            p = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(any(line.startswith("suite (1 traces)") for line in p.stdout.splitlines()))

    def test_bench_scale_rows_per_count_and_names_missing_peers(self):
        # Two small counts, with no peer library to load: mm and glibc only, the rest named.
        with tempfile.TemporaryDirectory() as empty:
            p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench"), "--scale",
                                "--mdriver", self.md16, "--live", "50,80"], cwd=ROOT,
                               capture_output=True, text=True,
                               env=dict(os.environ, MMLAB_PEER_DIR=empty))
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        headers = [line.split() for line in lines if line.split()[:2] == ["live", "blocks"]]
        self.assertEqual(headers, [["live", "blocks", "mm", "libc"]] * 2)
        cell = re.compile(r"([0-9.]+) \(\s*([0-9.]+)\)")  # ns/op (ratio to the first count)
        for count, first in (("50", True), ("80", False)):
            rows = [cell.findall(line) for line in lines if line.split()[:1] == [count]]
            self.assertEqual([len(r) for r in rows], [2, 2], p.stdout)  # two churns, two columns
            for ns, ratio in (c for r in rows for c in r):
                self.assertGreater(float(ns), 0)
                if first:
                    self.assertEqual(ratio, "1.00")
        for a in ("jemalloc", "mimalloc", "tcmalloc"):
            self.assertTrue(any(line.startswith("not run: ") and a in line for line in lines), a)

    def test_bench_shows_progress_on_stderr(self):
        # A run of minutes must show where it is: mdriver's progress lines (-V), a line per
        # trace and allocator, on stderr, the table alone on stdout.
        with tempfile.TemporaryDirectory() as tmp:
            p = subprocess.run(self.bench_stand_ins(tmp), cwd=ROOT, capture_output=True,
                               text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        for n, trace in ((11, "realloc2-bal"), (1, "short2-bal")):
            for a in ("mm", "implicit", "libc"):
                self.assertRegex(p.stderr,
                                 rf"mdriver: \[{n}/{n}\] {trace} \(\d+ ops\) with {a}: ok")
        self.assertNotIn("mdriver:", p.stdout)

    def test_bench_shows_small_ratios_with_their_digits(self):
        # implicit's first fit is hundreds of times slower than glibc on binary-bal: its
        # throughput ratio shows its digits, not 0.00x.
        p = self.bench_on(os.path.join(CLASSIC_DIR, "binary-bal.rep"))
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        header = next(line for line in lines if line.split()[:2] == ["mm", "naive"]).split()
        row = next(line for line in lines if line.split()[:1] == ["binary-bal"]).split()
        thru = row[2 + 2 * header.index("implicit")]
        self.assertRegex(thru, r"^0\.0\d\d\dx$")
        self.assertNotEqual(thru, "0.0000x")

    def test_bench_shows_a_trace_of_no_ops_as_passed_with_no_throughput(self):
        # a header alone is a valid trace (mdriver says so): nothing to time, nothing failed
        p = self.bench_on(os.path.join(ROOT, "tests", "bad-traces", "valid", "zero-ops.rep"),
                          os.path.join(CLASSIC_DIR, "short1-bal.rep"))
        self.assertEqual(p.returncode, 0, p.stderr)
        row = next(line for line in p.stdout.splitlines() if line.split()[:1] == ["zero-ops"])
        self.assertNotIn("FAIL", row)
        self.assertEqual(re.findall(r"\d+x", row), [])  # no throughput ratio
        average = next(line for line in p.stdout.splitlines() if line.split()[:1] == ["average"])
        self.assertNotIn("*", average)

    def test_bench_without_traces_is_an_error(self):
        # Neither trace set there: say so, status 2, and no empty table.
        with tempfile.TemporaryDirectory() as tmp:
            p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench"),
                                "--mdriver", self.md16, "--classic", tmp, "--suite", tmp],
                               cwd=ROOT, capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr, f"bench: no traces to run: classic: missing 11 of the 11 in "
                                   f"{tmp}; suite: no traces in {tmp}\n")

    def test_bench_rejects_a_timeout_that_is_not_positive(self):
        for value in ("0", "-3", "abc"):
            with self.subTest(value=value):
                p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench"),
                                    "--mdriver", self.md16, f"--timeout={value}"], cwd=ROOT,
                                   capture_output=True, text=True)
                self.assertEqual(p.returncode, 2)
                self.assertIn(f"--timeout: not a positive number of seconds: {value!r}",
                              p.stderr)
                self.assertNotIn("mdriver:", p.stderr)  # told before any run

    def test_bench_refuses_flags_its_mode_does_not_use(self):
        # The table and --scale take different flags; one given to the other is an error, not
        # ignored (--json with --scale printed text).
        with tempfile.TemporaryDirectory() as tmp:
            for flags, bad in ((["--scale", "--json", "--live", "50"], "--json"),
                               (["--scale", "--suite", tmp, "--live", "50"], "--suite"),
                               (["--live", "50", "--classic", tmp, "--suite", tmp], "--live")):
                with self.subTest(flags=flags):
                    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench"),
                                        "--mdriver", self.md16] + flags, cwd=ROOT,
                                       capture_output=True, text=True)
                    self.assertEqual(p.returncode, 2)
                    self.assertEqual(p.stdout, "")
                    self.assertIn(f"bench: error: {bad}: not used ", p.stderr)

    def test_bench_names_a_bad_trace_by_its_own_path(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "broken.rep")
            with open(bad, "w") as f:
                f.write("0\n1\n1\n1\nx 0 5\n")
            p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench"),
                                "--mdriver", self.md16, "--classic", tmp, "--suite", tmp],
                               cwd=ROOT, capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(f"{bad}:5: unknown op 'x'\n", p.stderr)
        self.assertRegex(p.stderr.splitlines()[-1], "^bench: .* failed on the suite traces")

    def test_bench_ctrl_c_ends_quietly(self):
        # Ctrl-C during a run: one line, status 130, no traceback, no mdriver left behind.
        with tempfile.TemporaryDirectory() as tmp:
            os.symlink(os.path.join(ROOT, "traces", "random-1m.rep.xz"),
                       os.path.join(tmp, "random-1m.rep.xz"))
            p, _, err = ctrl_c.interrupt([sys.executable, os.path.join(ROOT, "tools", "bench"),
                                          "--mdriver", self.md16, "--classic", tmp, "--suite",
                                          tmp], BENCH_RUNNING_SECS, ROOT)
        self.assertEqual(p.returncode, 130, err)
        self.assertNotIn("Traceback", err)
        self.assertEqual(err.splitlines()[-1], "bench: interrupted")
        self.assertEqual(ctrl_c.left_running(p), [])

    def test_unknown_allocator_is_an_error(self):
        p = run(self.md16, "--vs", "hoard", "-f", os.path.join(CLASSIC_DIR, "short1-bal.rep"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown allocator", p.stderr)
        self.assertIn("jemalloc", p.stderr)  # the message lists the known ones
        self.assertEqual(p.stderr.splitlines()[1:], ["Try `mdriver --help'."])  # a bad value

    def test_an_empty_allocator_list_is_an_error(self):
        # `--vs ,` or `--vs=` (a variable left empty) would compare with nothing, silently
        for vs in (",", ""):
            with self.subTest(vs=vs):
                p = run(self.md16, f"--vs={vs}", "-f", os.path.join(CLASSIC_DIR, "short1-bal.rep"))
                self.assertEqual(p.returncode, 2)
                self.assertEqual(p.stderr.splitlines(), [
                    "mdriver: --vs: no allocator named (a list such as libc,jemalloc)",
                    "Try `mdriver --help'."])


class BenchUsage(unittest.TestCase):
    def test_a_driver_that_is_not_there_is_a_usage_error(self):
        p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench"), "--mdriver",
                            "/nonexistent/mdriver"], cwd=ROOT, capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stdout), (2, ""))
        self.assertEqual(p.stderr, "bench: /nonexistent/mdriver: no such driver (run make)\n")


class BenchDriver(unittest.TestCase):
    """tools/bench-driver's own trace."""

    def trace_of(self, seed):
        p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench-driver"),
                            "--ops", "40", "--live", "10", "--repeat", "1", "--vs", "",
                            "--seed", str(seed)], cwd=ROOT, capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(ROOT, re.search(r"\((\S+\.rep)\)", p.stdout).group(1))) as f:
            return f.read()

    def test_bench_driver_seed_makes_another_trace(self):
        self.assertNotEqual(self.trace_of(1), self.trace_of(2))
        self.assertEqual(self.trace_of(1), self.trace_of(1))


if __name__ == "__main__":
    unittest.main()
