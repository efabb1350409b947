"""mdriver's flags and output formats: -g, -A, -T, --json, --csv, -v/-V, -l, --vs, --series,
-t ordering, the default suite, --help, and the exit statuses 0, 1 and 2.

Uses a build around tests/fixtures/driver/bump.c in build/td/outputs (a submission with a team
record whose heap use is known) and, for --vs, the project's ./mdriver with its peers.
"""
import csv
import io
import json
import os
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures", "driver")
BUILD = os.path.join("build", "td", "outputs")
MDRIVER = os.path.join(ROOT, BUILD, "mdriver")
SMALL = os.path.join(FIX, "small.rep")
SHRINK = os.path.join(FIX, "shrink.rep")
CLASSIC = ["amptjp-bal", "cccp-bal", "cp-decl-bal", "expr-bal", "coalescing-bal", "random-bal",
           "random2-bal", "binary-bal", "binary2-bal", "realloc-bal", "realloc2-bal"]
FAST = ["--thru-ref", "1"]  # no libc timing where the reference does not matter


def setUpModule():
    subprocess.run(["make", "-s", "mdriver", "MM=tests/fixtures/driver/bump.c", f"BUILD={BUILD}",
                    f"MDRIVER={BUILD}/mdriver"], cwd=ROOT, check=True, capture_output=True,
                   timeout=300)


def run(*args, exe=MDRIVER, env=None):
    return subprocess.run([exe] + list(args), cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)


class Formats(unittest.TestCase):
    def test_grade(self):
        p = run("-g", *FAST, "-f", SMALL, "-f", SHRINK)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 2)
        self.assertEqual(lines[0], "correct:2")
        self.assertRegex(lines[1], r"^perfidx:\d+$")

    def test_autolab(self):
        p = run("-A", *FAST, "-f", SMALL)
        self.assertEqual(len(p.stdout.splitlines()), 1)
        out = json.loads(p.stdout)
        self.assertEqual(set(out), {"scores", "scoreboard"})
        self.assertEqual(set(out["scores"]), {"Autograded Score"})
        self.assertEqual(len(out["scoreboard"]), 3)
        self.assertEqual(out["scoreboard"][0], out["scores"]["Autograded Score"])

    def test_json_schema(self):
        p = run("--json", *FAST, "-f", SMALL, "-f", SHRINK)
        out = json.loads(p.stdout)
        self.assertEqual(out["allocator"], "mm")
        self.assertEqual(out["alignment"], 16)
        self.assertEqual([t["name"] for t in out["traces"]], ["small", "shrink"])
        spec_keys = {"name", "file", "valid", "error", "ops", "util", "bound", "secs", "kops",
                     "peak_payload", "peak_heap"}
        for t in out["traces"]:
            self.assertLessEqual(spec_keys, set(t))
            self.assertIs(t["valid"], True)
            self.assertIsNone(t["error"])
            for k in ("util", "bound", "secs", "kops"):
                self.assertIsInstance(t[k], float)
        self.assertEqual(out["traces"][0]["file"], SMALL)
        self.assertEqual(set(out["total"]), {"valid", "util", "kops", "perfidx"})
        self.assertNotIn("vs", out)

    def test_json_names_files_that_are_not_ascii(self):
        # JSON text is UTF-8: a UTF-8 file name is written as it is, and a byte that is not
        # UTF-8 as the lone surrogate \udcXX that Python's os.fsdecode makes of it, so that the
        # name read back opens the file (the bytes were written as Latin-1 letters).
        with tempfile.TemporaryDirectory() as d:
            for name in ("caf\u00e9-\u6f22.rep".encode(), b"caf\xe9.rep"):
                with self.subTest(name=name):
                    path = os.path.join(os.fsencode(d), name)
                    shutil.copy(SMALL, path)
                    p = subprocess.run([MDRIVER, "--json", "-c", path], capture_output=True,
                                       timeout=120)
                    self.assertEqual(p.returncode, 0, p.stderr)
                    t = json.loads(p.stdout)["traces"][0]
                    self.assertEqual(os.fsencode(t["file"]), path)
                    self.assertEqual(os.fsencode(t["name"]), name[:-len(".rep")])

    def test_csv_and_tsv_keep_a_row_per_line_whatever_the_names(self):
        # A trace named with a tab, a CR and a backslash: --csv quotes it (RFC 4180), -T writes
        # them as \t, \r and \\, so each row stays one line of the same fields.
        with tempfile.TemporaryDirectory() as d:
            name = "a\tb\rc\\d"
            shutil.copy(SMALL, os.path.join(d, name + ".rep"))
            path = os.path.join(d, name + ".rep")
            def out(flag):  # bytes decoded as they are: text mode would turn the CR into \n
                p = subprocess.run([MDRIVER, flag, *FAST, "-f", path], capture_output=True,
                                   timeout=120)
                return p.stdout.decode()
            rows = list(csv.DictReader(io.StringIO(out("--csv"), newline="")))
            self.assertEqual([r["trace"] for r in rows], [name])
            text = out("-T")
            lines = text.split("\n")[:-1]
            self.assertEqual(len(lines), 3, text)  # header, the trace, TOTAL
            self.assertEqual({len(line.split("\t")) for line in lines}, {10}, text)
            self.assertEqual(lines[1].split("\t")[1], "a\\tb\\rc\\\\d")

    def test_json_failed_trace(self):
        env = dict(os.environ, MMLAB_FIXTURE_HANG="3")
        p = run("--json", "-s", "1", *FAST, "-f", SMALL, "-f", SHRINK, env=env)
        self.assertEqual(p.returncode, 1)
        out = json.loads(p.stdout)
        bad, good = out["traces"]
        self.assertIs(bad["valid"], False)
        self.assertIsNone(bad["util"])
        self.assertIn("timed out", bad["error"])
        self.assertIs(good["valid"], True)
        self.assertIs(out["total"]["valid"], False)

    def test_csv(self):
        p = run("--csv", *FAST, "-f", SMALL, "-f", SHRINK)
        rows = list(csv.DictReader(io.StringIO(p.stdout)))
        self.assertEqual([(r["allocator"], r["trace"]) for r in rows],
                         [("mm", "small"), ("mm", "shrink")])
        self.assertAlmostEqual(float(rows[0]["util"]), 150 / 240, places=5)
        self.assertEqual(rows[0]["peak_heap"], "240")
        self.assertEqual(rows[0]["error"], "")

    def test_tsv(self):
        p = run("-T", *FAST, "-f", SMALL)
        lines = [l.split("\t") for l in p.stdout.splitlines()]
        self.assertEqual(lines[0][:3], ["allocator", "trace", "valid"])
        self.assertTrue(all(len(l) == len(lines[0]) for l in lines))
        self.assertEqual(lines[1][:3], ["mm", "small", "yes"])
        self.assertEqual(lines[-1][:3], ["mm", "TOTAL", "yes"])

    def test_tsv_total_without_timing_leaves_ops_empty(self):
        # under -c no op is timed: the TOTAL row leaves ops empty with secs and kops, as the
        # table's Total shows "-", rather than a 0 under rows that count 4
        p = run("-T", "-c", SMALL)
        lines = [l.split("\t") for l in p.stdout.splitlines()]
        ops = lines[0].index("ops")
        self.assertEqual(lines[1][ops], "4")
        self.assertEqual(lines[-1][1], "TOTAL")
        self.assertEqual(lines[-1][ops:ops + 3], ["", "", ""])

    def test_one_format_at_a_time(self):
        self.assertEqual(run("--json", "--csv", "-f", SMALL).returncode, 2)

    def test_table_and_team(self):
        p = run("-v", *FAST, "-f", SMALL)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Team: fixture team", p.stdout)
        self.assertIn("Member 1: Ann Example <ann@example.org>", p.stdout)
        # a team string cannot start a line of the report: control characters are shown as '?'
        self.assertIn("Member 2: Bob?mm: Perf index = 60.0 (util) + 40.0 (thru) = 100.0/100\n",
                      p.stdout)
        self.assertRegex(p.stdout, r"trace\s+valid\s+util\s+bound\s+ops\s+secs\s+Kops")
        self.assertRegex(p.stdout, r"small\s+yes\s+62\.5%\s+85\.2%\s+4\s")
        self.assertIn("Perf index", p.stdout)
        # machine formats carry no team record
        self.assertNotIn("fixture team", run("-g", *FAST, "-f", SMALL).stdout)

    def test_table_shows_a_name_with_a_line_break_on_its_row(self):
        # a file name is the user's: its line break must not split the table's row
        with tempfile.TemporaryDirectory() as d:
            trace = os.path.join(d, "two\nlines.rep")
            shutil.copy(SMALL, trace)
            p = run("-v", *FAST, "-f", trace)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"\ntwo\?lines\s+yes\s+62\.5%\s+85\.2%\s+4\s")

    def test_error_line_of_a_name_with_a_line_break_stays_one_line(self):
        # the error names the trace: a line break in its file name started a line of the report
        # that the driver never wrote, a perf index of the user's choosing among them
        env = dict(os.environ, MMLAB_FIXTURE_SCRIBBLE="2")
        with tempfile.TemporaryDirectory() as d:
            trace = os.path.join(d, "x\nmm: Perf index = 100.0.rep")
            shutil.copy(SMALL, trace)
            for flag in ([], ["-v"]):
                p = run(*flag, *FAST, "-f", trace, env=env)
                self.assertEqual(p.returncode, 1, p.stderr)
                errors = [ln for ln in p.stdout.splitlines() if ln.startswith("ERROR: ")]
                self.assertEqual(len(errors), 1, p.stdout)
                self.assertTrue(errors[0].startswith("ERROR: x?mm: Perf index = 100.0: op 2 "
                                                     "(line 9): payload of block 0"), errors)
                self.assertNotIn("\nmm: Perf index", p.stdout)

    def test_progress_on_stderr(self):
        p = run("-V", *FAST, "-f", SMALL, "-f", SHRINK)
        self.assertTrue(p.stderr.startswith("mdriver: 2 traces read (6 ops); running mm\n"),
                        p.stderr)
        self.assertIn("[2/2] shrink", p.stderr)
        self.assertNotIn("[2/2]", p.stdout)
        self.assertIn("Results for mm malloc:", p.stdout)  # -V is -v too
        p = run("-V", "-c", SMALL)  # correctness only: no throughput reference to run
        self.assertIn("running mm\n", p.stderr)
        self.assertIn("[1/1] small (4 ops) with mm: ok, util 62.5%", p.stderr)

    def test_v_takes_the_cmu_verbosity_level(self):
        # The CMU driver's -v N (0 summary, 1 table, 2 = -V); -v alone stays the original's.
        plain, table = run(*FAST, "-f", SMALL), run(*FAST, "-v", "-f", SMALL)
        for args, want in ((["-v", "0"], plain), (["-v", "1"], table), (["-v"], table),
                           (["-v0"], plain), (["-v1"], table)):
            p = run(*FAST, *args, "-f", SMALL)
            self.assertEqual((p.returncode, p.stdout.splitlines()[:3]),
                             (0, want.stdout.splitlines()[:3]), args)
        for args in (["-v", "2", "-f", SMALL], ["-f", SMALL, "-v", "2"], ["-v2", "-f", SMALL]):
            p = run(*FAST, *args)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("[1/1] small", p.stderr, args)
            self.assertIn("Results for mm malloc", p.stdout, args)

    def test_traces_without_ops_say_why_there_is_no_perf_index(self):
        # libc ran fine: there was nothing to time, and the summary must not blame libc.
        zero = os.path.join(ROOT, "tests", "bad-traces", "valid", "zero-ops.rep")
        for args in ([], FAST):
            p = run(*args, "-f", zero)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("mm: all traces correct; they have no ops to time, so no throughput "
                          "and no perf index", p.stdout, args)
            self.assertNotIn("libc failed", p.stdout, args)

    def test_libc_rows(self):
        p = run("-v", "-l", "-f", SMALL)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Results for mm malloc:", p.stdout)
        self.assertIn("Results for libc malloc:", p.stdout)
        self.assertIn("libc (measured in this run)", p.stdout)
        # a real allocator whose footprint is unknown has no utilization: no perf index
        # made of a utilization of 0
        self.assertNotRegex(p.stdout, r"Perf index = 0\.0 \(util\)")

    def test_vs(self):
        exe = os.path.join(ROOT, "mdriver")
        if not os.path.exists(exe):
            self.skipTest("./mdriver not built")
        p = run("--json", "--vs", "naive,libc", "-f", SMALL, exe=exe)
        if p.returncode == 2:
            self.skipTest(f"peers not built: {p.stderr.strip()}")
        out = json.loads(p.stdout)
        self.assertEqual(set(out["vs"]), {"naive", "libc"})
        self.assertEqual(set(out["traces"][0]["vs"]), {"naive", "libc"})
        self.assertGreater(out["thru_ref_kops"], 0)

    def test_help(self):
        p = run("--help")
        self.assertEqual(p.returncode, 0)
        for flag in ["-f FILE", "-t DIR", "-v", "-v N", "-V", "-l", "-g", "-A", "-T", "-a", "-h",
                     "-c FILE", "-d N", "-D", "-s SECS", "--json", "--csv", "--vs LIST",
                     "--series DIR", "--max-heap", "--thru-ref"]:
            self.assertIn(flag, p.stdout)
        self.assertEqual(run("-h").stdout, p.stdout)
        self.assertEqual(run("-a", "-g", *FAST, "-f", SMALL).returncode, 0)


class ExitStatus(unittest.TestCase):
    def test_usage_errors(self):
        for args, what in ((["--bogus"], "unknown or ambiguous option '--bogus'"),
                           (["-x"], "unknown option '-x'"),
                           (["-f"], "-f needs an argument"),
                           (["-v", "--vs"], "--vs needs an argument"),
                           (["--json=1"], "--json takes no argument"),
                           (["-d", "7"], "-d: debug level must be 0, 1 or 2, not '7'"),
                           (["-v", "3"], "-v: verbosity must be 0, 1 or 2, not '3'"),
                           (["-v3"], "-v: verbosity must be 0, 1 or 2, not '3'"),
                           (["-vx"], "unknown option '-x'"),
                           (["-s", "0"], "-s: '0' is not a positive number of seconds"),
                           (["-s", "inf"], "-s: 'inf' is not a positive number"),
                           (["--max-heap", "12Q"], "--max-heap: '12Q' is not a size"),
                           (["--max-heap", "65T"], "--max-heap: '65T' is not a size"),
                           (["--thru-ref", "-3"], "--thru-ref: '-3' is not a positive"),
                           (["--series", os.path.join(ROOT, "no-such-dir", "s"), "-f", SMALL],
                            "no-such-dir/s: cannot create it: No such file or directory"),
                           (["--series", SMALL, "-f", SMALL], "is not a directory"),
                           (["-t", os.path.join(ROOT, "no-such-dir")],
                            "cannot open the trace directory"),
                           (["-c", SMALL, "--no-check"], "--no-check cannot go with -c"),
                           # the checks a level asks for, which --no-check would skip unsaid
                           (["-D", "--no-check", "-f", SMALL], "--no-check cannot go with -c, "
                            "--series, -d 0, -d 2 or -D"),
                           (["--no-check", "-d", "0", "-f", SMALL], "--no-check cannot go with"),
                           (["--no-check", "--series", os.path.join(ROOT, "build"), "-f",
                             SMALL], "--no-check cannot go with"),
                           (["-g", "-T"], "choose one output format"),
                           (["-g", "-c", SMALL], "-c runs correctness only, so there is no "
                            "perf index for -g to print"),
                           (["-c", SMALL, "-A"], "no perf index for -A to print"),
                           # CMU's getopt reads -lv3 as -l -v 3
                           (["-lv3"], "-v: verbosity must be 0, 1 or 2, not '3'"),
                           (["extra"], "unexpected argument 'extra'")):
            p = run(*args)
            self.assertEqual(p.returncode, 2, args)
            self.assertEqual(p.stdout, "", args)
            # one line saying what is wrong, one pointing at --help: not the whole usage
            self.assertEqual(p.stderr, f"mdriver: {p.stderr.split(': ', 1)[1].splitlines()[0]}"
                             "\nTry `mdriver --help'.\n", args)
            self.assertIn(what, p.stderr, args)
        p = run("--vs", "nosuch", "-f", SMALL)
        self.assertEqual((p.returncode, p.stdout), (2, ""))
        self.assertIn("nosuch", p.stderr)
        self.assertEqual(run("--max-heap", "1T", "-c", SMALL).returncode, 0)

    def test_trace_error(self):
        with tempfile.TemporaryDirectory() as d:
            bad = os.path.join(d, "bad.rep")
            with open(bad, "w") as f:
                f.write("0\n1\n1\n1\nq 0 8\n")
            p = run(*FAST, "-f", SMALL, "-f", bad)
            self.assertEqual(p.returncode, 2)
            self.assertEqual(p.stderr, f"{bad}:5: unknown op 'q'\n")
            p = run(*FAST, "-f", os.path.join(d, "missing.rep"))
            self.assertEqual(p.returncode, 2)
            self.assertIn("missing.rep:0: cannot open", p.stderr)

    def test_report_that_cannot_be_written_is_an_error(self):
        # a full disk or a closed stdout loses the report: a script must not read status 0 as
        # a result it can use
        for args in (["-g", *FAST, "-f", SMALL], ["--json", *FAST, "-f", SMALL], ["-h"]):
            with open("/dev/full", "w") as full:
                p = subprocess.run([MDRIVER] + args, cwd=ROOT, stdout=full,
                                   stderr=subprocess.PIPE, text=True, timeout=120)
            self.assertEqual(p.returncode, 2, args)
            self.assertEqual(p.stderr.splitlines()[-1],
                             "mdriver: cannot write to stdout: No space left on device", args)
        # a pipe whose reader has gone: the same error, not a death by SIGPIPE (which
        # subprocess restores to its default in the child)
        r, w = os.pipe()
        os.close(r)
        try:
            p = subprocess.run([MDRIVER, "-g", *FAST, "-f", SMALL], cwd=ROOT, stdout=w,
                               stderr=subprocess.PIPE, text=True, timeout=120)
        finally:
            os.close(w)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr.splitlines()[-1], "mdriver: cannot write to stdout: Broken pipe")

    def test_other_allocators_failures_are_shown_not_counted(self):
        # the status is the built-in allocator's: naive, which never reuses a block, runs out of
        # a 64 KiB heap that mm.c's reuse never leaves, and the run still ends with 0
        exe = os.path.join(ROOT, "mdriver")
        if not os.path.exists(exe):
            self.skipTest("./mdriver not built")
        pairs = 40  # 40 blocks of 4 KiB never reused: more than the heap
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "churn.rep")
            with open(path, "w") as f:
                f.write(f"0\n1\n{2 * pairs}\n1\n" + "a 0 4096\nf 0\n" * pairs)
            p = run("--json", *FAST, "--max-heap", "64K", "--vs", "naive", "-f", path, exe=exe)
        if p.returncode == 2 and "naive" in p.stderr:
            self.skipTest(f"peers not built: {p.stderr.strip()}")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertIs(out["total"]["valid"], True)
        self.assertIs(out["vs"]["naive"]["valid"], False)
        self.assertIn("out of memory", out["traces"][0]["vs"]["naive"]["error"])
        self.assertIn("mdriver: naive: churn: op ", p.stderr)

    def test_failure_is_1_and_names_the_op(self):
        env = dict(os.environ, MMLAB_FIXTURE_HANG="3")
        p = run("-s", "1", *FAST, "-f", SMALL, env=env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("small: op 3 (line 10): timed out", p.stdout)
        self.assertIn("small: op 3 (line 10): timed out", p.stderr)


class Checking(unittest.TestCase):
    """-d, -c and --no-check, with bump.c flipping block 0's first byte at the second malloc."""

    def result(self, *args):
        env = dict(os.environ, MMLAB_FIXTURE_SCRIBBLE="2")
        p = run("--json", *FAST, *args, env=env)
        return p.returncode, json.loads(p.stdout)["traces"][0]

    def test_levels(self):
        rc, t = self.result("-f", SMALL)  # default -d 1: payloads are checked
        self.assertEqual(rc, 1)
        self.assertRegex(t["error"], r"^small: op 2 \(line 9\): payload of block 0 .* corrupted "
                         r"at byte 0 \(-D names the op that changed it\)$")
        for level in (["-d", "1"], ["-d", "2"], ["-D"]):
            rc, t = self.result(*level, "-f", SMALL)
            self.assertEqual(rc, 1, level)
            self.assertIn("op 2 (line 9): payload of block 0", t["error"], level)
        self.assertTrue(t["error"].endswith("; op 1 (line 8) changed it"), t["error"])
        rc, t = self.result("-d", "0", "-f", SMALL)  # placements only
        self.assertEqual(rc, 0, t["error"])
        self.assertIsInstance(t["secs"], float)

    def test_no_check_verifies_nothing(self):
        rc, t = self.result("--no-check", "-f", SMALL)
        self.assertEqual(rc, 0, t["error"])
        self.assertIsInstance(t["check_secs"], float)
        self.assertIsInstance(t["kops"], float)

    def test_no_check_earns_no_score(self):
        # the scribbled payload goes unseen: the run must not pass for a checked one
        env = dict(os.environ, MMLAB_FIXTURE_SCRIBBLE="2")
        p = run("--json", *FAST, "--no-check", "-f", SMALL, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIsNone(json.loads(p.stdout)["total"]["perfidx"])
        p = run(*FAST, "--no-check", "-f", SMALL, env=env)
        self.assertRegex(p.stdout, r"mm: ran all 1 traces to their end, nothing checked "
                         r"\(--no-check\), so no perf index: \d+ Kops/s, util \d+\.\d%")
        self.assertFalse([ln for ln in p.stdout.splitlines() if ln.startswith("mm: Perf index")])
        for flag in ("-g", "-A"):
            p = run(*FAST, "--no-check", flag, "-f", SMALL, env=env)
            self.assertEqual((p.returncode, p.stdout), (2, ""), flag)
            self.assertIn(f"--no-check verifies nothing, so there is no score for {flag}", p.stderr)

    def test_total_util_of_a_run_with_a_failure_is_unknown(self):
        # SPEC's average is over every trace: the passing ones' mean would flatter the run
        env = dict(os.environ, MMLAB_FIXTURE_SCRIBBLE="2")
        p = run("--json", *FAST, "-f", SMALL, "-f", SHRINK, env=env)
        self.assertEqual(p.returncode, 1, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual([t["valid"] for t in out["traces"]], [False, True])
        self.assertIsInstance(out["traces"][1]["util"], float)
        self.assertIsNone(out["total"]["util"])
        p = run("-v", *FAST, "-f", SMALL, "-f", SHRINK, env=env)
        total = [line for line in p.stdout.splitlines() if line.startswith("Total")]
        self.assertEqual(total[0].split()[1], "-", total)

    def test_one_c_makes_the_whole_run_correctness_only(self):
        p = run("--json", "-f", SMALL, "-c", SHRINK)  # and no libc run is needed
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual([(t["valid"], t["secs"]) for t in out["traces"]],
                         [(True, None), (True, None)])
        self.assertIsNone(out["total"]["perfidx"])


class Traces(unittest.TestCase):
    def make_dir(self, names):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        for n in names:
            shutil.copy(SHRINK, os.path.join(d, n))
        return d

    def names(self, *args):
        p = run("--json", *FAST, *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        return [t["name"] for t in json.loads(p.stdout)["traces"]]

    def test_classic_dir_runs_the_original_list_in_order(self):
        d = self.make_dir([n + ".rep" for n in sorted(CLASSIC)] + ["aaa.rep", "short1-bal.rep"])
        self.assertEqual(self.names("-t", d), CLASSIC)

    def test_other_dir_runs_everything_sorted(self):
        d = self.make_dir(["b.rep", "a.rep", "notes.txt", "cccp-bal.rep"])
        subprocess.run(["xz", "-k", os.path.join(d, "b.rep")], check=True)
        os.rename(os.path.join(d, "b.rep.xz"), os.path.join(d, "c.rep.xz"))
        self.assertEqual(self.names("-t", d), ["a", "b", "c", "cccp-bal"])

    def test_dir_skips_what_is_no_regular_file(self):
        # A FIFO named like a trace would block the driver's open for good; a folder would fail.
        d = self.make_dir(["a.rep"])
        os.mkfifo(os.path.join(d, "fifo.rep"))
        os.mkdir(os.path.join(d, "folder.rep"))
        os.symlink("a.rep", os.path.join(d, "link.rep"))
        self.assertEqual(self.names("-t", d), ["a", "link"])

    def test_dir_skips_hidden_files_as_the_shell_glob_does(self):
        # `*.rep` in a shell leaves out dot files: an editor's own, such as the lock emacs keeps
        # beside a trace being edited (a link to nowhere named .#a.rep), stop no run
        d = self.make_dir(["a.rep"])
        os.symlink("user@host.1234:1", os.path.join(d, ".#a.rep"))
        shutil.copy(os.path.join(d, "a.rep"), os.path.join(d, ".old.rep"))
        self.assertEqual(self.names("-t", d), ["a"])

    def test_dir_path_too_long_is_said_so(self):
        # The folder's path fits PATH_MAX, its path joined with a trace's name does not.
        d = self.make_dir([])
        deep = os.path.join(d, *["x" * 200] * 20)
        os.makedirs(deep)
        name = "t" * 250 + ".rep"
        fd = os.open(deep, os.O_RDONLY)
        try:
            with open(name, "wb", opener=lambda n, f: os.open(n, f, dir_fd=fd)) as out, \
                    open(SMALL, "rb") as src:
                out.write(src.read())
        finally:
            os.close(fd)
        p = run("-d", "0", *FAST, "-t", deep)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("a trace's path is longer than PATH_MAX", p.stderr)

    def test_dir_leaves_out_a_link_to_nowhere_and_says_so(self):
        # the shell's *.rep would match it; a run of the others is what the user asked for
        d = self.make_dir(["a.rep"])
        os.symlink("gone.rep", os.path.join(d, "dangling.rep"))
        p = run("--json", *FAST, "-t", d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([t["name"] for t in json.loads(p.stdout)["traces"]], ["a"])
        self.assertEqual(p.stderr, f"mdriver: {d}/dangling.rep: left out: a symbolic link to a "
                         "missing file\n")

    def test_dir_with_a_trailing_slash_names_files_with_one(self):
        d = self.make_dir(["a.rep"])
        p = run("--json", *FAST, "-t", d + "/")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["traces"][0]["file"], os.path.join(d, "a.rep"))

    def test_grouped_flags_take_an_attached_verbosity(self):
        # -lv2 is -l -v 2 (the CMU driver's getopt); -fv2.rep names a file
        p = run("-lv0", "-f", SMALL)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("Results for", p.stdout)
        self.assertIn("mm: Perf index", p.stdout)
        p = run("-lv1", "-f", SMALL)
        self.assertIn("Results for libc malloc:", p.stdout)
        p = run(*FAST, "-fv2.rep")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr, "v2.rep:0: cannot open: No such file or directory\n")

    def test_files_and_dirs_in_order_given(self):
        d = self.make_dir(["x.rep"])
        self.assertEqual(self.names("-f", SMALL, "-t", d, "-f", SHRINK), ["small", "x", "shrink"])

    def test_default_suite_is_beside_the_executable(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        exe = os.path.join(d, "mdriver")
        shutil.copy(MDRIVER, exe)
        # built elsewhere (make mdriver MDRIVER=...): -t is the advice, not `make traces`
        p = run("-g", *FAST, exe=exe)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no trace suite beside this mdriver", p.stderr)
        self.assertIn("give traces with -t DIR", p.stderr)
        self.assertNotIn("make traces", p.stderr)
        os.mkdir(os.path.join(d, "traces"))
        p = run("-g", *FAST, exe=exe)
        self.assertEqual(p.returncode, 2)
        self.assertIn("trace suite", p.stderr)
        self.assertIn("is empty: run `make traces`", p.stderr)
        shutil.copy(SMALL, os.path.join(d, "traces", "small.rep"))
        p = run("-g", *FAST, exe=exe)
        self.assertEqual(p.stdout.splitlines()[0], "correct:1")


class Series(unittest.TestCase):
    def test_series_files(self):
        with tempfile.TemporaryDirectory() as d:
            p = run("-g", *FAST, "--series", d, "-f", SMALL)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(d, "small.series.tsv")) as f:
                rows = f.read().splitlines()
            self.assertEqual(rows[0], "# op\tlive_payload\theap_size")
            self.assertEqual(rows[1:], ["0\t100\t128", "1\t150\t208", "2\t50\t208",
                                        "3\t60\t240"])
            with open(os.path.join(d, "small.blocks.tsv")) as f:
                rows = f.read().splitlines()
            self.assertEqual(rows[0], "# id\tstart_op\tend_op\toffset\tsize")
            # payloads follow a 16-byte header: offsets 16, 128+16, 208+16
            self.assertEqual(rows[1:], ["0\t0\t2\t16\t100", "1\t1\t4\t144\t50",
                                        "2\t3\t4\t224\t10"])

    def test_series_refuses_two_traces_of_one_name(self):
        # x.rep and x.rep.xz would both write x.series.tsv, the second over the first
        with tempfile.TemporaryDirectory() as d:
            shutil.copy(SMALL, os.path.join(d, "x.rep"))
            subprocess.run(["xz", "-k", os.path.join(d, "x.rep")], check=True)
            series = os.path.join(d, "s")
            p = run(*FAST, "--series", series, "-t", d)
            self.assertEqual((p.returncode, p.stdout), (2, ""))
            self.assertEqual(p.stderr, f"mdriver: --series: {d}/x.rep and {d}/x.rep.xz are both "
                             "named x, and would write the same files\n")
            self.assertEqual(os.listdir(series), [])

    def test_series_creates_a_missing_directory(self):
        # As the README's plot commands run it: --series /tmp/s on a machine with no /tmp/s.
        with tempfile.TemporaryDirectory() as d:
            series = os.path.join(d, "s")
            p = run("-g", *FAST, "--series", series, "-f", SMALL)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(sorted(os.listdir(series)), ["small.blocks.tsv", "small.series.tsv"])

    def test_series_of_a_failed_run_says_why(self):
        # What the run did before it failed (or what a crash left half written) is not the
        # trace's series: the files hold their header and the error, for tools/plot to give.
        with tempfile.TemporaryDirectory() as d:
            p = run(*FAST, "--series", d, "-f", os.path.join(FIX, "too_big.rep"))
            self.assertEqual(p.returncode, 1, p.stderr)
            for kind, header in (("series", "# op\tlive_payload\theap_size"),
                                 ("blocks", "# id\tstart_op\tend_op\toffset\tsize")):
                with open(os.path.join(d, f"too_big.{kind}.tsv")) as f:
                    rows = f.read().splitlines()
                self.assertEqual(rows[0], header)
                self.assertRegex(rows[1], r"^# no series: mm failed: too_big: op 0 \(line 6\): "
                                 r"out of memory")
                self.assertEqual(len(rows), 2, rows)

    def test_series_buffers_are_set_before_the_header(self):
        # C allows setvbuf only before any other operation on the stream: the series files get
        # their preallocated buffers before their header is written. The preload ends the
        # process on a setvbuf that comes after output.
        shim = os.path.join(ROOT, BUILD, "setvbuf_first.so")
        subprocess.run(["cc", "-shared", "-fPIC", "-o", shim,
                        os.path.join(FIX, "setvbuf_first.c"), "-ldl"], check=True, timeout=60)
        with tempfile.TemporaryDirectory() as d:
            p = run("-g", *FAST, "--series", d, "-f", SMALL,
                    env=dict(os.environ, LD_PRELOAD=shim))
            self.assertNotIn("setvbuf_first", p.stderr)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(d, "small.series.tsv")) as f:
                self.assertEqual(f.readline(), "# op\tlive_payload\theap_size\n")

    def test_series_of_a_failed_run_says_why_on_one_line(self):
        # Why names the trace, whose file name may hold line breaks: they are written as spaces,
        # so that the line after the header is the whole of why, and the last.
        with tempfile.TemporaryDirectory() as d:
            trace = os.path.join(d, "too\r\nbig.rep")
            shutil.copy(os.path.join(FIX, "too_big.rep"), trace)
            p = run(*FAST, "--series", d, "-f", trace)
            self.assertEqual(p.returncode, 1, p.stderr)
            for kind in ("series", "blocks"):
                with open(os.path.join(d, f"too\r\nbig.{kind}.tsv"), newline="") as f:
                    rows = f.read().splitlines()
                self.assertEqual(len(rows), 2, rows)
                self.assertRegex(rows[1], r"^# no series: mm failed: too  big: op 0 \(line 6\): "
                                 r"out of memory")

    def test_series_realloc_moves_and_shrinking(self):
        # ops.rep with bump.c: r 0 40 moves block 0 (one placement ends, one starts at op 2);
        # freeing the top block at the end gives 32 bytes back.
        with tempfile.TemporaryDirectory() as d:
            p = run("-g", *FAST, "--series", d, "-f", os.path.join(FIX, "ops.rep"))
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(d, "ops.blocks.tsv")) as f:
                self.assertEqual(f.read().splitlines()[1:],
                                 ["0\t0\t2\t16\t24", "1\t1\t7\t64\t24", "0\t2\t6\t112\t40",
                                  "2\t5\t8\t176\t16"])
            with open(os.path.join(d, "ops.series.tsv")) as f:
                self.assertEqual([r.split("\t") for r in f.read().splitlines()[1:]],
                                 [[str(i), str(p), str(h)] for i, (p, h) in enumerate(
                                     [(24, 48), (48, 96), (64, 160), (64, 160), (64, 160),
                                      (80, 192), (40, 192), (16, 192), (0, 160)])])

    def test_series_of_other_allocators(self):
        exe = os.path.join(ROOT, "mdriver")
        if not os.path.exists(exe):
            self.skipTest("./mdriver not built")
        with tempfile.TemporaryDirectory() as d:
            p = run("-g", *FAST, "--vs", "libc", "--series", d, "-f", SMALL, exe=exe)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(sorted(os.listdir(d)), ["small.blocks.tsv", "small.series.tsv",
                                                     "small@libc.blocks.tsv",
                                                     "small@libc.series.tsv"])
            with open(os.path.join(d, "small@libc.blocks.tsv")) as f:
                rows = [r.split("\t") for r in f.read().splitlines()[1:]]
            self.assertEqual([(r[0], r[1], r[2], r[4]) for r in rows],
                             [("0", "0", "2", "100"), ("1", "1", "4", "50"), ("2", "3", "4", "10")])
            self.assertEqual(min(int(r[3]) for r in rows), 0)  # offsets from the lowest block

    def test_series_windows_on_long_traces(self):
        with tempfile.TemporaryDirectory() as d:
            big = os.path.join(d, "long.rep")
            n = 60000  # > 50000 ops: windows of 2 ops, holding their maxima
            with open(big, "w") as f:
                f.write(f"0\n1\n{n}\n1\n")
                f.write("a 0 16\nf 0\n" * (n // 2))
            p = run(*FAST, "--series", d, "-c", big)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(d, "long.series.tsv")) as f:
                rows = f.read().splitlines()[1:]
            self.assertEqual(len(rows), n // 2)
            self.assertEqual(rows[0], "1\t16\t32")


if __name__ == "__main__":
    unittest.main()
