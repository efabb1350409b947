"""tools/grade: the submission corpus in tests/submissions/ graded with -j 2 on small traces
(every result in EXPECTED.tsv), hostile submissions contained, outputs present and parsable,
--merge of split runs (made with GNU parallel), single-submission modes, and the sandbox on
its own."""
import argparse
import contextlib
import csv
import errno
import glob
import importlib.machinery
import importlib.util
import io
import json
import lzma
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRADE = os.path.join(ROOT, "tools", "grade")
SUBS = os.path.join(ROOT, "tests", "submissions")
SLURM = os.path.join(ROOT, "tools", "grade-slurm.sh")
CSAPP = "/work/shared/traces/csapp"
sys.path.insert(0, os.path.join(ROOT, "tools", "grade.d"))

import checks  # noqa: E402
import report  # noqa: E402
import sandbox  # noqa: E402

# Where writeout.c tries to write, besides paths relative to its scratch folder.
ESCAPES = ["/tmp/mmlab-grade-escaped", "/var/tmp/mmlab-grade-escaped"]
SOCKET_PORT = 47811  # socket.c connects here


def expectations():
    rows = {}
    with open(os.path.join(SUBS, "EXPECTED.tsv")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, status, score, correct, finding, error = line.rstrip("\n").split("\t")
                rows[name] = {"status": status, "score": score, "correct": correct,
                              "finding": finding, "error": error}
    return rows


@contextlib.contextmanager
def without_path():
    """No program found on PATH for the duration (gnuplot and bwrap missing, say)."""
    path = os.environ["PATH"]
    os.environ["PATH"] = tempfile.gettempdir() + "/test_grade_no_such_dir"
    try:
        yield
    finally:
        os.environ["PATH"] = path


def make_traces(dst):
    os.makedirs(dst)
    for name in ("short1-bal.rep", "short2-bal.rep"):
        if os.path.exists(os.path.join(CSAPP, name)):
            shutil.copy(os.path.join(CSAPP, name), dst)
    for f in glob.glob(os.path.join(SUBS, "traces", "*.rep")):
        shutil.copy(f, dst)


def grade_tool():
    """tools/grade imported as a module, for its helpers."""
    loader = importlib.machinery.SourceFileLoader("grade_tool", GRADE)  # no .py suffix
    spec = importlib.util.spec_from_file_location(loader.name, GRADE, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def bare_grader(weight=None):
    """A Grader with only its options (a -w weight or None): what _score, perf_index and
    median_report need, without a sandbox or a build."""
    grader_class = grade_tool().Grader
    grader = grader_class.__new__(grader_class)
    grader.a = argparse.Namespace(util_weight=weight)
    return grader


def embedding(path):
    """good.c, and with a path, code that embeds that file in its object (.incbin) at build
    time, as a submission that would print or replay a file it should not see."""
    with open(os.path.join(SUBS, "good.c")) as f:
        text = f.read()
    if path:
        text += f'__asm__(".section .rodata\\n.incbin \\"{path}\\"\\n.text");\n'
    return text


def copy_grader(dst):
    """tools/grade and what it builds submissions with, copied into dst: a repository of the
    grader's own."""
    tool = grade_tool()
    for d in ["tools/grade.d", "tools/common.d"] + tool.HARNESS_DIRS:
        shutil.copytree(os.path.join(ROOT, d), os.path.join(dst, d))
    for f in ["tools/grade"] + tool.HARNESS_FILES + glob.glob("*.h", root_dir=ROOT):
        shutil.copy(os.path.join(ROOT, f), os.path.join(dst, f))


def grade(*args, timeout=300):
    return subprocess.run([sys.executable, GRADE, "-q", *args], capture_output=True, text=True,
                          timeout=timeout)


class Listener:
    """A TCP server on 127.0.0.1:SOCKET_PORT counting the connections it accepts."""

    def __init__(self):
        self.accepted = 0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.sock.bind(("127.0.0.1", SOCKET_PORT))
        except OSError:
            self.sock = None  # port taken: the check below is skipped
            return
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
                self.accepted += 1
                c.close()
            except OSError:
                pass

    def close(self):
        if self.sock:
            self.stop = True
            self.thread.join()
            self.sock.close()


class CorpusTest(unittest.TestCase):
    """One grading run of the whole corpus (-j 2), shared by the tests of this class."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="test_grade.")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)  # runs even if grading fails
        os.chmod(cls.tmp, 0o711)  # the sandbox uids walk through it to their scratch folders
        cls.work = os.path.join(cls.tmp, "work")
        cls.traces = os.path.join(cls.tmp, "traces")
        make_traces(cls.traces)
        cls.expected = expectations()
        cls.sentinel = os.path.join(cls.tmp, "sentinel")
        with open(cls.sentinel, "w") as f:
            f.write("untouched\n")
        for p in ESCAPES:
            if os.path.exists(p):
                os.remove(p)
        cls.listener = Listener()
        cls.out = os.path.join(cls.tmp, "out")
        subs = [os.path.join(SUBS, n + ".c") for n in cls.expected]
        cls.proc = grade("-j", "2", "-s", "2", "-t", cls.traces, "-o", cls.out,
                         "--work", cls.work, "--keep", *subs)
        cls.listener.close()
        with open(os.path.join(cls.out, "results.json")) as f:
            data = json.load(f)
        cls.results = {r["name"]: r for r in data["submissions"]}
        cls.bwrap = data["grader"]["bwrap"]

    @classmethod
    def tearDownClass(cls):
        for p in ESCAPES:  # left only by a run without bwrap
            if os.path.exists(p):
                os.remove(p)

    def test_exit_status(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)

    def test_every_expected_result(self):
        for name, exp in self.expected.items():
            with self.subTest(submission=name):
                r = self.results[name]
                info = json.dumps({k: r[k] for k in ("status", "score", "errors", "findings")})
                self.assertEqual(r["status"], exp["status"], info)
                if exp["score"] == ">0":
                    self.assertGreater(r["score"], 0, info)
                else:
                    self.assertEqual(r["score"], 0, info)
                if exp["correct"] != "-":
                    self.assertEqual(r["correct"], exp["correct"] == "yes", info)
                if exp["finding"] != "-":
                    check, symbol = exp["finding"].split(":", 1)
                    self.assertIn((check, symbol),
                                  [(f["check"], f["symbol"]) for f in r["findings"]], info)
                else:
                    self.assertEqual([f for f in r["findings"] if f["blocking"]], [], info)
                if exp["error"] != "-":
                    self.assertTrue(any(exp["error"].lower() in e.lower() for e in r["errors"]),
                                    info)

    def test_findings_name_lines(self):
        calls = [f for f in self.results["forbidden"]["findings"] if f["check"] == "call"]
        self.assertEqual({f["symbol"] for f in calls}, {"aligned_alloc", "free", "realloc"})
        for f in calls:
            self.assertTrue(f["lines"], f)
            self.assertIn("mm.c:", f["message"])
        g = [f for f in self.results["globals"]["findings"] if f["check"] == "globals"][0]
        self.assertIn("cache (65536 B)", g["message"])

    def test_build_error_has_the_compiler_message(self):
        r = self.results["compile_error"]
        with open(os.path.join(self.out, r["build_log"])) as f:
            self.assertIn("error:", f.read())

    def test_hostile_submissions_left_everything_intact(self):
        with open(self.sentinel) as f:
            self.assertEqual(f.read(), "untouched\n")
        # Without bwrap, world-writable folders stay writable (the README says so).
        for p in ESCAPES if self.bwrap else []:
            self.assertFalse(os.path.exists(p), p + " was written by a submission")
        # Next to the scratch folder and one level up (scratch folders kept for this check).
        for p in glob.glob(os.path.join(self.work, "*", "subs", "escaped-writeout")) + \
                glob.glob(os.path.join(self.work, "*", "escaped-writeout")):
            self.assertFalse(os.path.exists(p), p + " was written by a submission")
        if self.listener.sock is not None and self.bwrap:
            self.assertEqual(self.listener.accepted, 0, "socket.c reached the host's network")
        # The huge allocation failed inside: huge.c's mm_init fails only if mmap succeeded.
        self.assertTrue(self.results["huge"]["correct"], self.results["huge"]["errors"])
        # The good submissions were graded normally alongside the hostile ones.
        for name in ("good", "team", "cmu"):
            self.assertTrue(all(t["valid"] for t in self.results[name]["traces"]))

    def test_nothing_left_running(self):
        # Killed processes take a moment to go on a loaded machine, and exited ones may linger
        # as zombies until init reaps them: wait a little for the rest.
        for _ in range(100):
            running = []
            for p in os.listdir("/proc"):
                if p.isdigit():
                    try:
                        uid = os.stat("/proc/" + p).st_uid
                        with open(f"/proc/{p}/stat") as f:
                            state = f.read().rsplit(")", 1)[1].split()[0]
                    except OSError:
                        continue
                    if uid >= sandbox.UID_BASE and state not in "ZX":
                        running.append((p, state))
            if not running:
                break
            time.sleep(0.1)
        self.assertEqual(running, [], "sandbox processes still running")

    def test_fake_report_is_not_believed(self):
        for name in ("fake", "ctor"):
            self.assertNotEqual(self.results[name]["perfidx"], 100.0)
            self.assertEqual(self.results[name]["score"], 0)

    def test_outputs_exist_and_parse(self):
        with open(os.path.join(self.out, "results.csv")) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual({r["name"] for r in rows}, set(self.expected))
        self.assertEqual(rows[0]["rank"], "1")
        for name in self.expected:
            with open(os.path.join(self.out, "autolab", name + ".json")) as f:
                line = json.loads(f.read())
            self.assertIn("Autograded Score", line["scores"])
            self.assertTrue(os.path.getsize(os.path.join(self.out, "logs", name + ".log")) > 0)
        with open(os.path.join(self.out, "leaderboard.html")) as f:
            page = f.read()
        self.assertIn("<table>", page)
        self.assertIn("<script>", page)
        for name in self.expected:
            self.assertIn(f">{name}<", page)
        if shutil.which("gnuplot"):
            with open(os.path.join(self.out, "leaderboard.png"), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
            self.assertIn('src="leaderboard.png"', page)

    def test_merge_of_split_runs(self):
        """Parts graded by GNU parallel (one job per submission, as over --sshlogin) and by
        the Slurm array script (task 2 run by hand), merged with the corpus run."""
        if not shutil.which("parallel"):
            self.skipTest("GNU parallel not installed")
        parts = os.path.join(self.tmp, "parts")
        r = subprocess.run(["parallel", "--will-cite", "-j", "2", sys.executable, GRADE, "-q",
                            "-j", "1", "-r", "2", "-s", "2", "-t", self.traces,
                            "-o", parts + "/{/.}", "{}",
                            ":::", os.path.join(SUBS, "good.c"), os.path.join(SUBS, "crash.c")],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(parts, "good", "results.json")) as f:
            good = json.load(f)["submissions"][0]
        self.assertEqual(len(good["runs_perfidx"]), 2)  # -r 2: the median of two runs
        self.assertIn(good["perfidx"], good["runs_perfidx"])
        listing = os.path.join(self.tmp, "list.txt")
        with open(listing, "w") as f:
            f.write(os.path.join(SUBS, "good.c") + "\n" + os.path.join(SUBS, "team.c") + "\n")
        r = subprocess.run([os.path.join(ROOT, "tools", "grade-slurm.sh"), listing, self.traces,
                            self.tmp, "-s", "2"], capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, SLURM_ARRAY_TASK_ID="2"))
        self.assertEqual(r.returncode, 0, r.stderr)
        merged = os.path.join(self.tmp, "merged")
        r = grade("--merge", "-o", merged, os.path.join(parts, "good", "results.json"),
                  os.path.join(parts, "crash", "results.json"),
                  os.path.join(parts, "team", "results.json"),
                  os.path.join(self.out, "results.json"))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(merged, "results.json")) as f:
            data = json.load(f)
        names = [s["name"] for s in data["submissions"]]
        self.assertEqual(sorted(names), sorted(self.expected))  # each name once
        self.assertEqual(len(data["grader"]["merged_from"]), 4)
        crash = [s for s in data["submissions"] if s["name"] == "crash"][0]
        self.assertEqual(crash["status"], "incorrect")
        self.assertTrue(os.path.exists(os.path.join(merged, crash["log"])))
        with open(os.path.join(merged, "results.csv")) as f:
            self.assertEqual(len(list(csv.DictReader(f))), len(self.expected))
        self.assertTrue(os.path.exists(os.path.join(merged, "leaderboard.html")))

    def test_single_submission_modes(self):
        gs = os.path.join(self.tmp, "gradescope.json")
        one = os.path.join(self.tmp, "one")
        folder = os.path.join(self.tmp, "handin", "ada")  # a NAME/mm.c submission
        os.makedirs(folder)
        shutil.copy(os.path.join(SUBS, "team.c"), os.path.join(folder, "mm.c"))
        r = grade("-s", "2", "-a", "8", "-w", "0.8", "-t", self.traces, "-o", one,
                  "--gradescope", gs, "--autolab", folder)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(one, "results.json")) as f:
            data = json.load(f)
        self.assertEqual((data["grader"]["alignment"], data["grader"]["util_weight"]), (8, 0.8))
        res = data["submissions"][0]
        self.assertEqual(res["name"], "ada")
        self.assertAlmostEqual(res["score"], 100 * (0.8 * res["util"] + 0.2 * min(
            1, res["thru_ratio"])), places=1)
        line = json.loads(r.stdout.strip().splitlines()[-1])
        self.assertGreater(line["scores"]["Autograded Score"], 0)
        with open(gs) as f:
            g = json.load(f)
        self.assertAlmostEqual(g["score"], line["scores"]["Autograded Score"])
        self.assertAlmostEqual(sum(t["score"] for t in g["tests"]), g["score"], places=1)
        for t in g["tests"]:
            self.assertTrue({"name", "score", "max_score", "output"} <= set(t), t)


class UsageTest(unittest.TestCase):
    def test_help(self):
        r = subprocess.run([sys.executable, GRADE, "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn("--merge", r.stdout)

    def test_bad_inputs(self):
        r = grade("-o", tempfile.mkdtemp(), "/nonexistent/x.c")
        self.assertEqual(r.returncode, 2)
        self.assertIn("/nonexistent/x.c", r.stderr)
        r = grade("--gradescope", "g.json", "a.c", "b.c")
        self.assertEqual(r.returncode, 2)
        r = grade("--merge", "-o", tempfile.mkdtemp(), os.path.join(SUBS, "good.c"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("not a results.json", r.stderr)

    def test_values_no_submission_could_pass_are_refused(self):
        for args, what in ((["-s", "0"], "--timeout must be above 0 seconds and finite"),
                           (["-s", "inf"], "--timeout must be above 0 seconds and finite"),
                           (["-s", "nan"], "--timeout must be above 0 seconds and finite"),
                           (["--thru-ref", "-5"], "--thru-ref must be above 0 Kops/s and finite"),
                           (["--thru-ref", "inf"], "--thru-ref must be above 0 Kops/s and finite"),
                           (["--globals-limit", "-1"], "--globals-limit must not be negative"),
                           (["--mem-limit", "10"], "--mem-limit must be above 1024 MiB")):
            with self.subTest(args=args):
                out = os.path.join(tempfile.mkdtemp(), "out")
                r = grade(*args, "-o", out, os.path.join(SUBS, "good.c"), timeout=10)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertRegex(r.stderr, f"^tools/grade: {re.escape(what)}.*\\n$")
                self.assertFalse(os.path.exists(out))

    def test_mem_limit_follows_config_h(self):
        # The grader with a config.h whose heap is 2 GiB: a --mem-limit that would hold the
        # default heap (1500 MiB) no longer does, and the grader says so from config.h alone.
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        for d in ("grade.d", "common.d"):
            shutil.copytree(os.path.join(ROOT, "tools", d), os.path.join(tmp, "tools", d))
        shutil.copy(GRADE, os.path.join(tmp, "tools"))
        with open(os.path.join(ROOT, "config.h")) as f:
            text = f.read()
        self.assertIn("#define MAX_HEAP (1UL << 30)\n", text)
        with open(os.path.join(tmp, "config.h"), "w") as f:
            f.write(text.replace("#define MAX_HEAP (1UL << 30)\n",
                                 "#define MAX_HEAP (2UL << 30)\n"))
        r = subprocess.run([sys.executable, os.path.join(tmp, "tools", "grade"), "--mem-limit",
                            "1500", "-o", os.path.join(tmp, "out"), os.path.join(SUBS, "good.c")],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--mem-limit must be above 2048 MiB", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(tmp, "out")))

    def test_slurm_script_help(self):
        r = subprocess.run([SLURM, "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("usage: sbatch --array=1-N tools/grade-slurm.sh LIST TRACES OUT", r.stdout)

    def test_slurm_script_run_from_sbatch_spool_finds_the_grader(self):
        """sbatch runs a copy of the script from its spool folder, in the folder it was run in
        (SLURM_SUBMIT_DIR, here the repository, as in the README's command)."""
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        spool = os.path.join(tmp, "slurm_script")
        shutil.copy(SLURM, spool)
        listing = os.path.join(tmp, "subs.txt")
        with open(listing, "w") as f:
            f.write(os.path.join(SUBS, "good.c") + "\n")
        env = dict(os.environ, SLURM_ARRAY_TASK_ID="1", SLURM_SUBMIT_DIR=ROOT)
        # An option the grader refuses at once shows that the grader itself was reached.
        r = subprocess.run([spool, listing, tmp, tmp, "--no-such-option"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("unrecognized arguments: --no-such-option", r.stderr)

    def test_missing_submission_is_called_missing(self):
        r = grade("-o", tempfile.mkdtemp(), "/nonexistent/x.c")
        self.assertEqual(r.returncode, 2)
        self.assertIn("/nonexistent/x.c: no such file or folder", r.stderr)


def grade_loud(*args, timeout=300):
    """grade() with the progress lines on stderr."""
    return subprocess.run([sys.executable, GRADE, *args], capture_output=True, text=True,
                          timeout=timeout)


class SetupTest(unittest.TestCase):
    """Small grading runs on two short traces: names, bad inputs, failure reports, Ctrl-C."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="test_grade.")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        os.chmod(self.tmp, 0o711)
        self.traces = os.path.join(self.tmp, "traces")
        os.makedirs(self.traces)
        for f in sorted(glob.glob(os.path.join(SUBS, "traces", "*.rep"))):
            shutil.copy(f, self.traces)
        self.out = os.path.join(self.tmp, "out")

    def assert_graded(self, r, statuses):
        """r, a grading run into self.out, exited 0 and gave each submission named in statuses
        its status; returns the results by name."""
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.out, "results.json")) as f:
            res = {x["name"]: x for x in json.load(f)["submissions"]}
        self.assertEqual({n: x["status"] for n, x in res.items()}, statuses,
                         {n: x["errors"] for n, x in res.items()})
        return res

    def handin(self, names, source="good.c"):
        d = os.path.join(self.tmp, "handin")
        os.makedirs(d, exist_ok=True)
        for n in names:
            shutil.copy(os.path.join(SUBS, source), os.path.join(d, n + ".c"))
        return [os.path.join(d, n + ".c") for n in names]

    def good_but(self, name, old, new):
        """good.c with old replaced by new, written as NAME.c: its path."""
        with open(os.path.join(SUBS, "good.c")) as f:
            src = f.read()
        self.assertIn(old, src)
        path = os.path.join(self.tmp, name + ".c")
        with open(path, "w") as f:
            f.write(src.replace(old, new))
        return path

    def test_submission_names_cannot_collide_with_scratch_folders(self):
        subs = self.handin(["harness", "traces", "subs"])
        r = grade("-j", "2", "-s", "2", "-t", self.traces, "-o", self.out, *subs)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.out, "results.json")) as f:
            res = json.load(f)["submissions"]
        self.assertEqual({x["name"]: x["status"] for x in res},
                         {"harness": "ok", "traces": "ok", "subs": "ok"}, r.stderr)

    @unittest.skipUnless(os.path.isdir(CSAPP), f"{CSAPP} is missing")
    def test_a_folder_of_the_original_traces_is_said_to_run_those_11(self):
        # The driver's rule: a folder holding the original lab's default traces runs those 11
        # alone. The grader's first line counts what is graded, not the folder's files.
        for f in os.listdir(CSAPP):
            if f.endswith(".rep"):
                shutil.copy(os.path.join(CSAPP, f), self.traces)
        files = len([f for f in os.listdir(self.traces) if f.endswith(".rep")])
        r = grade_loud("-s", "2", "-t", self.traces, "-o", self.out, *self.handin(["ada"]))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"grading 1 submission(s) on 11 traces (the original lab's defaults; the "
                      f"other {files - 11} trace files in {self.traces} are not run), -j ",
                      r.stderr.splitlines()[0])
        with open(os.path.join(self.out, "results.json")) as f:
            self.assertEqual(len(json.load(f)["grader"]["traces"]), 11)

    def test_a_shell_pattern_that_matched_nothing_is_skipped(self):
        # The README's `handin/*.c handin/*/` for a class that handed in files alone: the shell
        # passes `handin/*/` as it is. It names no submission; the files are graded.
        subs = self.handin(["ada"])
        unmatched = os.path.join(self.tmp, "handin", "*", "")
        r = grade("-s", "2", "-t", self.traces, "-o", self.out, *subs, unmatched)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"tools/grade: note: {unmatched}: a shell pattern that matched nothing, "
                      "skipped", r.stderr)
        with open(os.path.join(self.out, "results.json")) as f:
            self.assertEqual([x["name"] for x in json.load(f)["submissions"]], ["ada"])
        r = grade("-s", "2", "-t", self.traces, "-o", self.out, unmatched)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("no submission to grade", r.stderr)

    def test_a_renamed_submission_is_said_so(self):
        first = self.handin(["ada"])[0]
        again = os.path.join(self.tmp, "late", "ada.c")
        os.makedirs(os.path.dirname(again))
        shutil.copy(first, again)
        r = grade("-s", "2", "-t", self.traces, "-o", self.out, first, again)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"tools/grade: note: {again} is graded as ada-2 (ada is taken)", r.stderr)

    def test_a_name_with_other_characters_is_said_renamed(self):
        # Names become file names: "a b" is graded as a_b, "ünï" as _n_, each told.
        folders = [os.path.join(self.tmp, "handin", n) for n in ("a b", "ünï")]
        for d in folders:
            os.makedirs(d)
            shutil.copy(os.path.join(SUBS, "good.c"), os.path.join(d, "mm.c"))
        r = grade("-s", "2", "-t", self.traces, "-o", self.out, *folders)
        self.assert_graded(r, {"a_b": "ok", "_n_": "ok"})
        for d, name in zip(folders, ("a_b", "_n_")):
            self.assertIn(f"tools/grade: note: {d} is graded as {name} (a name keeps only ASCII "
                          "letters, digits, '.', '_' and '-')", r.stderr)

    def test_names_too_long_for_a_file_name_are_cut_and_graded_as_any(self):
        # A name is the stem of the submission's files (logs/NAME.build.log is the longest): one
        # of 248 or 251 characters is cut, with a hash that keeps two such names apart, and
        # graded on its code; the others' grades are all written.
        folders = [os.path.join(self.tmp, "handin", "M" * n) for n in (248, 251)]
        for d in folders:
            os.makedirs(d)
            shutil.copy(os.path.join(SUBS, "good.c"), os.path.join(d, "mm.c"))
        r = grade("-j", "2", "-s", "2", "-t", self.traces, "-o", self.out, *folders,
                  *self.handin(["ada"]))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.out, "results.json")) as f:
            res = json.load(f)["submissions"]
        self.assertEqual(sorted(x["status"] for x in res), ["ok"] * 3, r.stderr)
        cut = [x["name"] for x in res if x["name"] != "ada"]
        self.assertEqual(len(set(cut)), 2)
        for name in cut:
            self.assertRegex(name, r"^M{91}-[0-9a-f]{8}$")
        for d in folders:
            self.assertIn(f"tools/grade: note: {d} is graded as M", r.stderr)
        for x in res:
            for path in (x["log"], x["build_log"], os.path.join("autolab", x["name"] + ".json")):
                self.assertTrue(os.path.isfile(os.path.join(self.out, path)), path)

    def test_a_timeout_in_fractions_of_a_second_is_the_drivers(self):
        # The driver takes -s in fractions: a hang is told after 0.3 s, not a rounded second.
        r = grade("-s", "0.3", "-t", self.traces, "-o", self.out, *self.handin(["hang"], "hang.c"))
        res = self.assert_graded(r, {"hang": "incorrect"})
        self.assertIn("timed out (a pass took more than 0.3 s", res["hang"]["errors"][0])

    def test_a_folder_without_mm_c_is_graded_missing_and_the_others_still_are(self):
        ada = os.path.join(self.tmp, "handin", "ada")
        empty = os.path.join(self.tmp, "handin", "bob")
        os.makedirs(ada)
        os.makedirs(empty)
        shutil.copy(os.path.join(SUBS, "good.c"), os.path.join(ada, "mm.c"))
        r = grade("-s", "2", "-t", self.traces, "-o", self.out, ada, empty)
        res = self.assert_graded(r, {"ada": "ok", "bob": "missing"})
        self.assertIn(f"tools/grade: note: {empty}: no mm.c in this folder", r.stderr)
        self.assertEqual((res["bob"]["score"], res["bob"]["errors"]),
                         (0.0, [f"no mm.c in {empty}"]))

    def test_an_mm_c_that_is_a_link_a_fifo_or_huge_is_not_read(self):
        # A student's folder (a git repository, say) may hold mm.c as a symbolic link: to a
        # file only the grader (root) can read, whose lines the compiler would quote in the
        # build log, or to another student's mm.c; or as a FIFO; or be huge. None is read; the
        # others are graded.
        secret = os.path.join(self.tmp, "secret.txt")
        with open(secret, "w") as f:
            f.write("secret-token-42 = private;\n")
        os.chmod(secret, 0o600)
        bob, eve, mal, pip = (os.path.join(self.tmp, "handin", n)
                              for n in ("bob", "eve", "mal", "pip"))
        for d in (bob, eve, mal, pip):
            os.makedirs(d)
        shutil.copy(os.path.join(SUBS, "good.c"), os.path.join(bob, "mm.c"))
        os.symlink(os.path.join(bob, "mm.c"), os.path.join(eve, "mm.c"))
        os.symlink(secret, os.path.join(mal, "mm.c"))
        os.mkfifo(os.path.join(pip, "mm.c"))  # reading it would wait for a writer
        r = grade("-s", "2", "-t", self.traces, "-o", self.out, bob, eve, mal, pip)
        res = self.assert_graded(r, {"bob": "ok", "eve": "rejected", "mal": "rejected",
                                     "pip": "rejected"})
        self.assertEqual(res["pip"]["errors"], ["mm.c is not a regular file: not read"])
        for n in ("eve", "mal"):
            self.assertEqual((res[n]["score"], len(res[n]["errors"])), (0.0, 1))
            self.assertRegex(res[n]["errors"][0], r"mm\.c is a symbolic link \(to .*\): not read")
        for path in glob.glob(os.path.join(self.out, "**", "*"), recursive=True):
            if os.path.isfile(path):
                with open(path, errors="replace") as f:
                    self.assertNotIn("secret-token-42", f.read(), path)
        big = os.path.join(self.tmp, "handin", "big")
        os.makedirs(big)
        with open(os.path.join(big, "mm.c"), "wb") as f:
            f.truncate(grade_tool().SOURCE_MAX + 1)  # sparse: costs no disk
        r = grade("-s", "2", "-t", self.traces, "-o", self.out, big)
        with open(os.path.join(self.out, "results.json")) as f:
            res = json.load(f)["submissions"][0]
        self.assertEqual((res["status"], res["errors"]),
                         ("rejected", [f"mm.c is over {grade_tool().SOURCE_MAX} bytes: not read"]))

    def test_a_tar_archive_is_graded_as_the_mm_c_it_holds(self):
        # One holding one mm.c, in a folder or not, is graded as that file; the others are
        # refused, and none stops the grading of the class (a tarball did, with exit status 2).
        handin = os.path.join(self.tmp, "handin")
        os.makedirs(handin)

        def archive(name, members, mode="w"):
            path = os.path.join(handin, name)
            with tarfile.open(path, mode) as tar:
                for member, source in members:
                    tar.add(os.path.join(SUBS, source), arcname=member)
            return path

        subs = [archive("ada.tar.gz", [("handin/mm.c", "good.c"), ("handin/x.c", "wrong.c")],
                        "w:gz"),
                archive("bob.tar", [("a/mm.c", "good.c"), ("b/mm.c", "wrong.c")]),
                archive("cy.tar.xz", [("notes.c", "good.c")], "w:xz"),
                os.path.join(handin, "dee.tgz")]
        with open(subs[-1], "w") as f:
            f.write("not an archive\n")
        r = grade("-s", "2", "-t", self.traces, "-o", self.out, *subs)
        res = self.assert_graded(r, {"ada": "ok", "bob": "rejected", "cy": "rejected",
                                     "dee": "rejected"})
        self.assertEqual(res["bob"]["errors"],
                         ["bob.tar holds 2 files named mm.c (a/mm.c, b/mm.c): not read"])
        self.assertEqual(res["cy"]["errors"], ["cy.tar.xz holds no mm.c: not read"])
        self.assertRegex(res["dee"]["errors"][0],
                         r"^dee\.tgz is not a tar archive that can be read \(.+\): not read$")

    def skip_if_always_hidden(self, path):
        """Skips the test when path lies in a folder the sandbox always hides (/tmp, /home,
        ...), where hiding it proves nothing."""
        if re.match(r"/(tmp|var/tmp|run|home|root)(/|$)", os.path.realpath(path)):
            self.skipTest(f"{path} lies in a folder the sandbox always hides")

    def folder_outside_hidden_ones(self, prefix):
        """A new folder in the repository's build/, outside the folders the sandbox always
        hides: the test is skipped when the repository lies in one."""
        parent = os.path.join(ROOT, "build")
        self.skip_if_always_hidden(parent)
        os.makedirs(parent, exist_ok=True)
        d = tempfile.mkdtemp(prefix=prefix, dir=parent)
        self.addCleanup(shutil.rmtree, d, True)
        os.chmod(d, 0o755)
        return d

    def test_the_trace_folder_is_hidden_from_submissions(self):
        # Hidden traces kept outside the folders the sandbox always hides (/tmp, /home, ...):
        # a submission that embeds one in mm.o at build time (.incbin) could replay it as an
        # oracle or print it to its log. Only the driver's copy is visible, and only to it.
        traces = self.folder_outside_hidden_ones("hidden-traces.")
        for f in os.listdir(self.traces):
            shutil.copy(os.path.join(self.traces, f), traces)
        trace = os.path.join(traces, sorted(os.listdir(traces))[0])
        sub = os.path.join(self.tmp, "peek.c")
        with open(sub, "w") as f:
            f.write(embedding(trace))
        r = grade("-s", "2", "-t", traces, "-o", self.out, sub)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.out, "results.json")) as f:
            res = json.load(f)["submissions"][0]
        self.assertEqual(res["status"], "build-error", res)
        self.assertIn(f"file not found: {trace}", res["errors"][0])

    def test_hand_ins_inside_the_graders_repository_are_hidden_from_each_other(self):
        # A class handed in inside a repository of the grader (alice/ and mallory/ beside
        # tools/): mallory, which embeds alice's mm.c in its own object to print or replay it,
        # finds none, as anywhere else.
        repo = self.folder_outside_hidden_ones("repo.")
        copy_grader(repo)
        alice, mallory = os.path.join(repo, "alice"), os.path.join(repo, "mallory")
        for d, text in ((alice, embedding(None)), (mallory, embedding(alice + "/mm.c"))):
            os.makedirs(d)
            with open(os.path.join(d, "mm.c"), "w") as f:
                f.write(text)
        r = subprocess.run([sys.executable, os.path.join(repo, "tools", "grade"), "-q", "-s",
                            "2", "-t", self.traces, "-o", self.out, alice, mallory],
                           capture_output=True, text=True, timeout=300)
        res = self.assert_graded(r, {"alice": "ok", "mallory": "build-error"})
        self.assertIn(f"file not found: {alice}/mm.c", res["mallory"]["errors"][0])

    def test_the_graders_repository_is_hidden_from_submissions(self):
        # The reference mm.c included whole would score the reference's grade: the repository
        # is hidden (a build has its own copy of the harness), so such a submission fails to
        # build, while the others build as ever.
        self.skip_if_always_hidden(ROOT)
        sub = os.path.join(self.tmp, "reference.c")
        with open(sub, "w") as f:
            f.write(f'#include "{ROOT}/mm.c"\n')
        r = grade("-s", "2", "-t", self.traces, "-o", self.out, sub, *self.handin(["ada"]))
        res = self.assert_graded(r, {"ada": "ok", "reference": "build-error"})
        self.assertIn(f"{ROOT}/mm.c: No such file or directory", res["reference"]["errors"][0])

    def test_malformed_trace_stops_before_grading(self):
        bad = os.path.join(self.traces, "zz-bad.rep")
        with open(bad, "w") as f:
            f.write("0\n1\n2\n1\na 0 12\nq 0\n")  # an op the format does not have
        r = grade("-s", "2", "-t", self.traces, "-o", self.out, *self.handin(["ada"]))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertRegex(r.stderr, "^tools/grade: " + re.escape(bad) + r":\d+: ")
        self.assertFalse(os.path.exists(self.out), "outputs written despite a bad trace")

    def test_two_files_of_one_trace_stop_before_grading(self):
        # x.rep and x.rep.xz are both the trace x: results.csv would have columns for one only.
        rep = os.path.join(self.traces, sorted(os.listdir(self.traces))[0])
        with open(rep, "rb") as f, lzma.open(rep + ".xz", "wb") as g:
            g.write(f.read())
        r = grade("-s", "2", "-t", self.traces, "-o", self.out, *self.handin(["ada"]))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr, f"tools/grade: {rep} and {rep}.xz: two traces named "
                         f"{os.path.basename(rep)[:-4]}: keep one\n")
        self.assertFalse(os.path.exists(self.out), "outputs written despite a bad trace folder")

    def test_trace_name_that_is_not_utf8_stops_before_grading(self):
        # A trace's name heads columns of results.csv and the leaderboard, which are UTF-8
        # text: a name that is not is told, not a traceback halfway through.
        bad = os.path.join(os.fsencode(self.traces), b"caf\xe9.rep")
        shutil.copy(os.path.join(self.traces, os.listdir(self.traces)[0]), bad)
        r = grade("-s", "2", "-t", self.traces, "-o", self.out, *self.handin(["ada"]))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertNotIn("Traceback", r.stderr)
        self.assertIn(f"{self.traces}/caf\\xe9.rep: a trace's file name must be UTF-8 text",
                      r.stderr)
        self.assertFalse(os.path.exists(self.out), "outputs written despite a bad trace")

    def test_unwritable_outputs_fail_up_front(self):
        afile = os.path.join(self.tmp, "afile")
        open(afile, "w").close()
        sub = self.handin(["ada"])
        for args, path in ((["-o", afile], afile),
                           (["-o", self.out, "--gradescope", "/nonexistent/r.json"],
                            "/nonexistent/r.json")):
            with self.subTest(args=args):
                t0 = time.time()
                r = grade("-s", "2", "-t", self.traces, *args, *sub)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
                self.assertIn(path, r.stderr)
                self.assertFalse(os.path.exists(self.out))
                self.assertLess(time.time() - t0, 5, "failed only after grading")

    def test_a_run_into_an_earlier_runs_folder_leaves_none_of_its_files(self):
        # alice and bob graded, then alice alone with her mm.c gone: neither bob's files nor
        # alice's build log stay to be read as this run's, and each row names only logs that
        # exist (alice, missing, has no build log). What is not the grader's stays.
        alice = os.path.join(self.tmp, "handin", "alice")
        os.makedirs(alice)
        shutil.copy(os.path.join(SUBS, "good.c"), os.path.join(alice, "mm.c"))
        r = grade("-s", "2", "-t", self.traces, "-o", self.out, alice, *self.handin(["bob"]))
        self.assert_graded(r, {"alice": "ok", "bob": "ok"})
        mine = [os.path.join(self.out, f) for f in ("notes.txt", "logs/bob.notes.log")]
        for f in mine:
            open(f, "w").close()
        os.remove(os.path.join(alice, "mm.c"))
        r = grade("-s", "2", "-t", self.traces, "-o", self.out, alice)
        res = self.assert_graded(r, {"alice": "missing"})
        self.assertEqual((res["alice"]["log"], res["alice"]["build_log"]), ("logs/alice.log", ""))
        left = {os.path.relpath(p, self.out)
                for p in glob.glob(os.path.join(self.out, "**"), recursive=True)
                if os.path.isfile(p)}
        self.assertEqual(left - {"leaderboard.png"},
                         {"results.json", "results.csv", "leaderboard.html", "leaderboard.dat",
                          "logs/alice.log", "autolab/alice.json", "notes.txt",
                          "logs/bob.notes.log"})

    def test_results_that_cannot_be_published_are_kept(self):
        os.makedirs(self.out)
        open(os.path.join(self.out, "logs"), "w").close()  # where the logs folder must go
        work = os.path.join(self.tmp, "work")
        r = grade("-s", "2", "-t", self.traces, "-o", self.out, "--work", work,
                  *self.handin(["ada"]))
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertNotIn("Traceback", r.stderr)
        m = re.search(r"the results could not all be moved into \S+; those not moved are kept "
                      r"in (\S+)\n", r.stderr)
        self.assertIsNotNone(m, r.stderr)
        kept = m.group(1)
        self.assertTrue(kept.startswith(work), kept)
        moved = os.path.join(self.out, "results.json")
        with open(moved if os.path.exists(moved) else os.path.join(kept, "results.json")) as f:
            self.assertEqual(json.load(f)["submissions"][0]["name"], "ada")
        self.assertTrue(os.listdir(os.path.join(kept, "logs")), "the logs were lost")

    def test_gradescope_of_a_failing_submission_says_why(self):
        gs = os.path.join(self.tmp, "gs.json")
        r = grade("-t", self.traces, "-o", self.out, "--gradescope", gs,
                  *self.handin(["ada"], "compile_error.c"))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(gs) as f:
            tests = {t["name"]: t["output"] for t in json.load(f)["tests"]}
        parts = [v for k, v in tests.items() if k.startswith(("Utilization", "Throughput"))]
        self.assertEqual(len(parts), 2, tests)
        for out in parts:
            self.assertIn("not measured: build-error", out)

    def test_failure_reports_say_what_happened(self):
        subs = self.handin(["forbidden"], "forbidden.c") + \
            self.handin(["compile_error"], "compile_error.c")
        r = grade_loud("-j", "2", "-s", "2", "-t", self.traces, "-o", self.out, *subs)
        self.assertEqual(r.returncode, 0, r.stderr)
        line = [x for x in r.stderr.splitlines() if "forbidden:" in x][0]
        self.assertIn("(rejected) rejected: ", line)
        self.assertIn("aligned_alloc", line)
        with open(os.path.join(self.out, "logs", "compile_error.log")) as f:
            log = f.read()
        self.assertNotIn("nothing found", log)
        self.assertIn("static checks: not run", log)

    def test_an_empty_mm_c_is_told_what_it_lacks(self):
        # The build failed with the linker's undefined references from driver/mmshim.c in the
        # scratch folder, a path of the grader's, and not a word of the student's file.
        empty = os.path.join(self.tmp, "empty.c")
        open(empty, "w").close()
        r = grade("-s", "2", "-t", self.traces, "-o", self.out, empty)
        res = self.assert_graded(r, {"empty": "build-error"})["empty"]
        self.assertEqual(res["errors"], ["build failed: mm.c: error: defines no mm_init, "
                                         "mm_malloc, mm_free, mm_realloc (mdriver calls each)"])

    def test_incorrect_traces_show_no_utilization(self):
        # good.c with a calloc that does not zero: calloc-bal fails, mixed-bal (no calloc)
        # passes. Neither the failed trace nor the submission has a utilization in any output.
        dirty = self.good_but("dirty", "memset(p, 0, nmemb * size);",
                              "memset(p, 0xab, nmemb * size);")
        gs = os.path.join(self.tmp, "gs.json")
        r = grade("-s", "5", "-t", self.traces, "-o", self.out, "--gradescope", gs, "--autolab",
                  dirty)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.out, "results.json")) as f:
            res = json.load(f)["submissions"][0]
        self.assertEqual(res["status"], "incorrect")
        traces = {t["name"]: t for t in res["traces"]}
        self.assertEqual((traces["calloc-bal"]["valid"], traces["mixed-bal"]["valid"]),
                         (False, True))
        self.assertIsNone(traces["calloc-bal"]["util"])
        self.assertIsNotNone(traces["mixed-bal"]["util"])  # measured where the trace passed
        self.assertIsNone(res["util"])
        with open(os.path.join(self.out, "results.csv")) as f:
            row = list(csv.DictReader(f))[0]
        self.assertEqual((row["util"], row["calloc-bal util"]), ("", ""))
        with open(os.path.join(self.out, "leaderboard.html")) as f:
            self.assertIn('<td data-v="incorrect">incorrect</td><td data-v="-1"></td>', f.read())
        scoreboard = json.loads(r.stdout.strip().splitlines()[-1])["scoreboard"]
        self.assertEqual(scoreboard[1], 0.0)
        with open(gs) as f:
            tests = {t["name"]: t["output"] for t in json.load(f)["tests"]}
        self.assertEqual(tests["Utilization"], "utilization not measured: incorrect")

    def test_code_aligned_to_8_is_pointed_to_the_graders_option(self):
        # The driver tells code aligned as the original lab asks to build with `make
        # ALIGNMENT=8`; in the grader's reports the way there is the grader's -a 8.
        eight = self.good_but("eight", "#define ROUND(n) (((n) + ALIGNMENT - 1) / ALIGNMENT * "
                              "ALIGNMENT)", "#define ROUND(n) (((n) + 7) / 8 * 8)")
        r = grade("-s", "5", "-t", self.traces, "-o", self.out, eight)
        res = self.assert_graded(r, {"eight": "incorrect"})["eight"]
        with open(os.path.join(self.out, res["log"])) as f:
            log = f.read()
        self.assertIn("only to 8 (code written for the original lab's 8-byte rule builds with "
                      "`tools/grade -a 8`)", res["errors"][0])
        self.assertNotIn("make ALIGNMENT", log)
        # Both traces fail: each hint is in the table, the errors and the driver's stderr.
        self.assertEqual(log.count("`tools/grade -a 8`"), 6, log)

    def interrupt(self, names):
        """Ctrl-C to the grader while it runs the hanging submission under each of names at
        once; returns what it said on stderr after its first line ("grading N ...")."""
        p = subprocess.Popen([sys.executable, GRADE, "-s", "5", "-j", str(len(names)), "-t",
                              self.traces, "-o", self.out, *self.handin(names, "hang.c")],
                             stderr=subprocess.PIPE, text=True)
        self.assertIn(f"grading {len(names)} submission", p.stderr.readline())
        time.sleep(3)  # building or running by now
        p.send_signal(signal.SIGINT)
        err = p.stderr.read()
        self.assertEqual(p.wait(timeout=60), 128 + signal.SIGINT, err)
        return err

    def test_interrupt_leaves_no_outputs(self):
        self.assertIn("no results written", self.interrupt(["hang"]))
        self.assertFalse(os.path.exists(self.out), os.listdir(self.out)
                         if os.path.isdir(self.out) else "")

    def test_interrupt_says_only_that_it_was_interrupted(self):
        # The runs the interrupt kills end their workers' grading: none may say a grade (nor
        # anything else) before or after the grader's last line.
        err = self.interrupt(["hang", "hang2"])
        self.assertEqual(err, "tools/grade: interrupted (SIGINT); no results written\n")

    def term_once_started(self, name, stand_in, env):
        """Runs the grader on a good submission, a shell script named name standing in for a
        command (stand_in: its body; env(its path): the variables that put it in place), and
        SIGTERM once the stand-in has begun. It marks $STARTED when it begins and $WENT_ON if it
        lives on. Returns the work folder, and whether the stand-in went on."""
        work = os.path.join(self.tmp, "work")
        os.mkdir(work)
        # A trial run is a sandbox uid's: the stand-in and its marks must be open to it.
        bin_dir, marks = os.path.join(self.tmp, "bin"), os.path.join(self.tmp, "marks")
        started, went_on = os.path.join(marks, "started"), os.path.join(marks, "went-on")
        for d, mode in ((bin_dir, 0o755), (marks, 0o777)):
            os.mkdir(d)
            os.chmod(d, mode)
        os.chmod(self.tmp, 0o711)
        script = os.path.join(bin_dir, name)
        with open(script, "w") as f:
            f.write(f"#!/bin/sh\nSTARTED={started}\nWENT_ON={went_on}\n" + stand_in)
        os.chmod(script, 0o755)
        p = subprocess.Popen([sys.executable, GRADE, "-q", "-t", self.traces, "-o", self.out,
                              "--work", work, *self.handin(["good"])],
                             env=dict(os.environ, **env(script)), stderr=subprocess.PIPE,
                             text=True)
        for _ in range(600):
            if os.path.exists(started) or p.poll() is not None:
                break
            time.sleep(0.1)
        p.send_signal(signal.SIGTERM)
        err = p.communicate(timeout=60)[1]
        self.assertEqual(p.returncode, 128 + signal.SIGTERM, err)
        time.sleep(3)  # for a stand-in left running to go on
        return work, os.path.exists(went_on)

    def test_an_interrupt_while_the_harness_builds_ends_its_make(self):
        # SIGTERM reaches the grader alone: the make that builds the harness ran on, and its
        # compilers wrote into the work folder as the grader removed it, or after.
        work, went_on = self.term_once_started(
            "cc", '[ -e $STARTED ] || { touch $STARTED; sleep 2; touch $WENT_ON; }\nexec cc "$@"\n',
            lambda script: {"CC": script})
        self.assertEqual((went_on, os.listdir(work)), (False, []))

    @unittest.skipUnless(shutil.which("bwrap"), "bwrap is not installed: no trial run")
    def test_an_interrupt_while_the_sandbox_is_tried_leaves_nothing(self):
        # bwrap's trial run, the grader's first command, had its scratch folder in /tmp, which
        # an interrupt then left behind.
        tmp_dir = os.path.join(self.tmp, "system-tmp")  # the grader's TMPDIR: stays empty
        os.mkdir(tmp_dir)
        real = shutil.which("bwrap")
        work, went_on = self.term_once_started(
            "bwrap", f'touch $STARTED\nsleep 2\ntouch $WENT_ON\nexec {real} "$@"\n',
            lambda script: {"TMPDIR": tmp_dir,
                            "PATH": os.path.dirname(script) + os.pathsep + os.environ["PATH"]})
        self.assertEqual((went_on, os.listdir(work), os.listdir(tmp_dir)), (False, [], []))


class SandboxTest(unittest.TestCase):
    """The sandbox on its own, with ordinary programs standing in for hostile allocators."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="test_grade_sb.")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        os.chmod(cls.tmp, 0o755)
        cls.sb = sandbox.Sandbox([])

    def py(self, code, timeout=20, **limits):
        lim = sandbox.Limits(limits.pop("cpu", 10), limits.pop("mem", 1 << 30), **limits)
        self.sb.begin()
        try:
            d = tempfile.mkdtemp(dir=self.tmp)
            self.sb.give(d)
            return self.sb.run(["python3", "-c", code], d, lim, timeout)
        finally:
            self.sb.end()

    def test_nothing_starts_once_everything_was_killed(self):
        # Ctrl-C: a grading thread whose build was killed goes on to its next command, which
        # ran on (past the grader's end without bwrap) in a scratch folder being removed.
        sb = sandbox.Sandbox([], use_bwrap=self.sb.bwrap is not None)
        d = tempfile.mkdtemp(dir=self.tmp)
        sb.begin()
        sb.give(d)
        sb.kill_all()
        r = sb.run(["touch", "started"], d, sandbox.Limits(10, 1 << 30), 30)
        sb.end()
        self.assertEqual((r.returncode, os.listdir(d)), (-signal.SIGKILL, []))

    def test_scratch_is_writable_and_nothing_else(self):
        # The project is read-only; /tmp (where self.tmp lives) is an empty private tmpfs,
        # so a write there may succeed but never reaches the host's file.
        repo = os.path.join(ROOT, "tests", "escaped-sandbox-test")
        outside = os.path.join(self.tmp, "outside")
        r = self.py(f"open('inside', 'w').write('x')\n"
                    f"try:\n    open({repo!r}, 'w').write('x')\nexcept OSError as e:\n"
                    f"    print('refused', e.errno)\n"
                    f"try:\n    open({outside!r}, 'w').write('x')\nexcept OSError:\n    pass")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("refused", r.stdout)
        self.assertFalse(os.path.exists(repo))
        self.assertFalse(os.path.exists(outside))

    def test_hidden_folders_take_no_writes(self):
        # Each hidden folder is an empty tmpfs, and so is /dev: writable, they would hold what a
        # submission writes in the host's memory, beyond its limits. Temporary files go to the
        # scratch folder, as the compiler's do.
        if not self.sb.bwrap:
            self.skipTest("bwrap unusable here: " + self.sb.note)
        folders = [d for d in sandbox.ALWAYS_HIDDEN + ["/dev/shm"] if os.path.isdir(d)]
        r = self.py("import os, tempfile\n"
                    f"for d in {folders!r}:\n"
                    "    try:\n        open(d + '/x', 'w').write('x')\n        print('wrote', d)\n"
                    "    except OSError as e:\n        print('refused', d, e.errno)\n"
                    "print('temporary', os.path.dirname(tempfile.mkstemp()[1]) == os.getcwd())")
        self.assertEqual(r.stdout.splitlines(),
                         [f"refused {d} {errno.EROFS}" for d in folders] + ["temporary True"],
                         r.stderr)

    def test_huge_allocation_fails(self):
        r = self.py("try:\n    b = bytearray(20 << 30)\n"
                    "except MemoryError:\n    print('no memory')")
        self.assertIn("no memory", r.stdout)

    def test_fork_bomb_is_contained(self):
        r = self.py("import os, time\nn = 0\nfor i in range(10000):\n    try:\n"
                    "        if os.fork() == 0:\n"
                    "            time.sleep(30)\n            os._exit(0)\n"
                    "        n += 1\n    except OSError:\n        break\nprint('forked', n)",
                    timeout=20, nproc=16)
        self.assertIn("forked", r.stdout)
        self.assertLess(int(r.stdout.split()[-1]), 20)
        self.assertFalse(r.timed_out)

    def test_timeout_kills_everything(self):
        r = self.py("import os, time\nif os.fork() == 0:\n    os.setsid()\ntime.sleep(60)",
                    timeout=2)
        self.assertTrue(r.timed_out)

    def test_network_and_ptrace_refused(self):
        if not self.sb.bwrap:
            self.skipTest("bwrap unusable here: " + self.sb.note)
        # A server of the test's own on the loopback, which a sandbox that let the network
        # through would reach: a remote address would be refused on a machine without a route
        # out anyway, sandbox or not (and should not be a test's target).
        with socket.create_server(("127.0.0.1", 0)) as server:
            port = server.getsockname()[1]
            r = self.py("import socket\ntry:\n"
                        f"    socket.create_connection(('127.0.0.1', {port}), 2)\n"
                        "    print('connected')\n"
                        "except OSError as e:\n    print('refused', e.errno)\n"
                        "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                        "print('ptrace', libc.ptrace(16, os.getppid(), 0, 0), ctypes.get_errno())")
        self.assertIn("refused", r.stdout)
        self.assertIn("ptrace -1 1", r.stdout)  # PTRACE_ATTACH: EPERM

    def test_seccomp_program_shape(self):
        prog = sandbox.seccomp_program()
        self.assertEqual(len(prog) % 8, 0)
        self.assertEqual(len(prog) // 8, 6 + len(sandbox.SECCOMP_DENY))


class InterruptCleanupTest(unittest.TestCase):
    """What Ctrl-C or SIGTERM ends: the processes the grader started, and the work folder,
    removed against the grading threads that run on meanwhile, in the orders a race can give."""

    def setUp(self):
        self.tool = grade_tool()
        tmp = tempfile.mkdtemp(prefix="test_grade_rm.")
        self.addCleanup(shutil.rmtree, tmp, True)
        os.chmod(tmp, 0o711)
        self.work = self.tool.make_work_dir(tmp)
        os.mkdir(os.path.join(self.work.path, self.tool.SUBS_DIR))
        self.tmp = tmp

    def test_an_interrupt_ends_every_process_the_grader_started(self):
        # The handler's last resort: a command started a moment before Ctrl-C is not yet on
        # kill_all's list. Its process group goes (a child it started included); a process of
        # the caller's that is not the grader's child stays.
        grandchild = os.path.join(self.tmp, "grandchild")
        other = subprocess.Popen(["sleep", "60"])
        self.addCleanup(other.wait)
        self.addCleanup(other.kill)
        code = ("import os, subprocess, sys, time\n"
                f"sys.path.insert(0, {os.path.join(ROOT, 'tools', 'grade.d')!r})\n"
                "import sandbox\n"
                "p = subprocess.Popen(['sh', '-c', 'sleep 60 & echo $! > "
                f"{grandchild}; wait'], start_new_session=True,\n"
                "                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
                f"while not (os.path.exists({grandchild!r}) and os.path.getsize({grandchild!r})):\n"
                "    time.sleep(0.05)\n"
                "sandbox.kill_children()\n"
                "print(p.wait(timeout=10))\n")
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.stdout, f"{-signal.SIGKILL}\n", r.stderr)
        with open(grandchild) as f:
            pid = int(f.read())
        def ended():  # gone, or a zombie: orphaned, it may wait a moment to be reaped
            try:
                with open(f"/proc/{pid}/stat") as f:
                    return " Z " in f.read()
            except FileNotFoundError:
                return True
        for _ in range(100):
            if ended():
                break
            time.sleep(0.05)
        else:
            self.fail(f"the grandchild {pid} still runs")
        self.assertIsNone(other.poll())

    def test_a_thread_that_goes_on_after_the_removal_makes_nothing_again(self):
        # A thread that came to copy the harness into its scratch folder only once the handler
        # had removed the work folder made that folder, and the subs/ above it, again; its own
        # failure then removed its scratch folder and left subs/ behind, empty.
        harness = os.path.join(self.tmp, "harness")
        os.mkdir(harness)
        sb = sandbox.Sandbox([], use_bwrap=False)
        staged = os.path.join(self.work.path, "out")
        g = self.tool.Grader(self.tool.parse_args(["good.c"]), staged, self.work,
                             os.path.join(self.work.path, "traces"), [], sb, set(), harness)
        sb.kill_all()
        self.work.remove()
        with self.assertRaises(OSError):
            g.grade("late", os.path.join(SUBS, "good.c"))
        self.assertEqual(os.listdir(self.tmp), ["harness"])

    def test_the_removal_waits_for_a_write_under_way(self):
        removal = threading.Thread(target=self.work.remove)
        with self.work.writing():
            removal.start()
            removal.join(0.5)
            self.assertTrue(removal.is_alive())
            os.mkdir(os.path.join(self.work.path, self.tool.SUBS_DIR, "late"))
        removal.join()
        self.assertEqual(os.listdir(self.tmp), [])


class HelpersTest(unittest.TestCase):
    def test_output_is_capped(self):
        bufs = {}
        sandbox.read_capped(io.BufferedReader(io.BytesIO(b"x" * 100)), bufs, "out", cap=10)
        self.assertTrue(bufs["out"].startswith(b"x" * 10 + b"\n[... 90 more bytes dropped]"))
        self.assertEqual(bufs["out_dropped"], 90)

    def test_traces_copied_are_the_drivers_no_dot_file(self):
        # what mdriver -t DIR reads: an editor's lock beside a trace (emacs's .#NAME.rep, a link
        # to nowhere) is not copied, nor graded, and stops no run
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, "src"), os.path.join(d, "dst")
            os.mkdir(src)
            shutil.copy(os.path.join(SUBS, "traces", os.listdir(os.path.join(SUBS, "traces"))[0]),
                        os.path.join(src, "a.rep"))
            os.symlink("user@host.1234:1", os.path.join(src, ".#a.rep"))
            self.assertEqual(grade_tool().copy_traces(src, dst), ["a.rep"])
            self.assertEqual(os.listdir(dst), ["a.rep"])

    def test_traces_copied_are_regular_files_as_the_driver_takes_them(self):
        # mdriver -t DIR leaves out a folder, a FIFO and a link to nowhere named like a trace;
        # the grader, which copies the folder, failed on each with a traceback
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, "src"), os.path.join(d, "dst")
            os.mkdir(src)
            trace = os.path.join(SUBS, "traces", os.listdir(os.path.join(SUBS, "traces"))[0])
            shutil.copy(trace, os.path.join(src, "a.rep"))
            os.symlink("a.rep", os.path.join(src, "b.rep"))
            os.mkdir(os.path.join(src, "folder.rep"))
            os.mkfifo(os.path.join(src, "fifo.rep"))
            os.symlink("missing.rep", os.path.join(src, "gone.rep"))
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                self.assertEqual(grade_tool().copy_traces(src, dst), ["a.rep", "b.rep"])
            self.assertEqual(sorted(os.listdir(dst)), ["a.rep", "b.rep"])
            self.assertEqual(err.getvalue(), f"tools/grade: note: {src}/gone.rep: left out: a "
                             "symbolic link to a missing file\n")

    def test_every_hand_in_is_hidden_whatever_the_layout(self):
        # Hand-ins in the grader's repository, in the folder above it, at the top of the file
        # system, beside /usr/local/bin: each one is hidden, with the folder it was handed in
        # with unless that holds the compiler, headers or libraries, which no layout hides.
        tool = grade_tool()
        root = os.path.realpath(ROOT)
        subs = [("alice", os.path.join(root, "alice", "mm.c")),
                ("bob", os.path.join(os.path.dirname(root), "bob.c")),
                ("carol", "/carol/mm.c"), ("dan", "/dan.c"), ("eve", "/usr/local/eve.c")]
        hidden = tool.hidden_paths("/srv/out", subs, "/srv/traces")
        for name, src in subs:
            self.assertTrue(any(src.startswith(h + "/") or src == h for h in hidden), name)
        for h in hidden:
            self.assertNotRegex(h, r"^(/usr|/usr/local|/usr/(local/)?(bin|lib|include)(/.*)?"
                                r"|/(etc|bin|lib|lib64|sbin|dev)(/.*)?|/)$")
        self.assertIn(os.path.dirname(root), hidden)

    def test_only_a_path_that_names_nothing_is_a_pattern_that_matched_nothing(self):
        # The shell's wildcards are *, ? and [...]: a path holding one that names nothing is a
        # pattern passed as typed. A file that exists is a submission, whatever its name.
        unmatched = grade_tool().unmatched_pattern
        with tempfile.TemporaryDirectory() as d:
            for pattern in ("*", "?.c", "[ab]"):
                self.assertTrue(unmatched(os.path.join(d, "handin", pattern, "")), pattern)
            odd = os.path.join(d, "odd[1]*.c")
            open(odd, "w").close()
            self.assertFalse(unmatched(odd))
            self.assertFalse(unmatched(os.path.join(d, "missing.c")))

    def test_a_driver_that_gives_no_report_of_the_traces_stops_grading(self):
        # The stub-linked driver reads the traces before any submission runs: one that ends
        # without its report (killed, say) is named as such, not a traceback.
        tool = grade_tool()
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "mdriver"), "w") as f:
                f.write("#!/bin/sh\necho 'mdriver: killed' >&2\nexit 1\n")
            os.chmod(os.path.join(d, "mdriver"), 0o755)
            with self.assertRaisesRegex(tool.GradeError, "the driver gave no report of these "
                                        "traces: mdriver: killed"):
                tool.check_traces(d, os.path.join(SUBS, "traces"))

    def test_the_projects_own_mm_c_passes_the_static_checks(self):
        # The README grades the project's mm.c as a submission: it may call nothing a
        # submission may not (qsort in mm_check, say) nor hold more writable globals.
        with tempfile.TemporaryDirectory() as d:
            obj = os.path.join(d, "mm.o")
            subprocess.run(["cc", "-O2", "-std=c11", "-D_GNU_SOURCE", "-I.", "-c", "-o", obj,
                            "mm.c"], cwd=ROOT, check=True, timeout=120)
            parts = [subprocess.run(cmd + [obj], capture_output=True, text=True,
                                    check=True).stdout
                     for cmd in (["nm", "-P"], ["readelf", "-SW"], ["readelf", "-sW"])]
            with open(os.path.join(ROOT, "mm.c")) as f:
                source = f.read()
            findings, _ = checks.check(*parts, "", source, set(), 128, "mm.c")
        self.assertEqual([f["message"] for f in findings if f["blocking"]], [])

    def test_source_lines_skip_comments_strings_and_includes(self):
        code = checks.strip_comments('#include <sys/socket.h>\n/* socket( */ x = "socket";\n'
                                     "int s = socket(1, 2, 3); // socket\n")
        self.assertEqual(checks.lines_naming(code, "socket"), [3])


    def test_globals_count_objects_not_padding(self):
        secs = [("3", ".data", 1000, "WA"), ("4", ".bss", 136, "WA"),
                ("6", ".data.rel.ro.local", 32, "WA"), ("7", ".data.rel.local", 40, "WA")]
        objs = [("a", 32, "4"), ("b", 60, "4"), ("c", 24, "4"), ("names", 32, "6"),
                ("team", 40, "7"), ("x", 1, "3"), ("y", 16, "COM")]
        total, biggest = checks.writable_data(secs, objs)
        # .bss: 116 of objects + 20 of padding; .data: 999 bytes no object accounts for;
        # read-only-after-relocation and the team record do not count.
        self.assertEqual(total, 116 + 1 + 999 + 16)
        self.assertEqual(biggest[0], (60, "b"))

    def test_objects_of_100000_bytes_and_more_are_named(self):
        # readelf gives sizes from 100000 on in hex.
        symtab = ("     3: 0000000000000000 0x100000 OBJECT  LOCAL  DEFAULT    5 meta\n"
                  "     4: 0000000000000000 99999 OBJECT  GLOBAL DEFAULT    5 small\n")
        self.assertEqual(checks.parse_objects(symtab), [("meta", 1 << 20, "5"),
                                                        ("small", 99999, "5")])

    def test_a_team_record_bigger_than_team_t_counts_beyond_its_size(self):
        secs = [("3", ".bss", 50000, "WA")]
        objs = [("team", 50000, "3")]
        total, biggest = checks.writable_data(secs, objs)
        self.assertEqual(total, 50000 - checks.TEAM_BYTES)
        self.assertEqual(biggest, [(50000 - checks.TEAM_BYTES, "team")])

    def test_a_writable_section_named_like_a_constructor_table_counts(self):
        # .ctorsx is neither .ctors nor .ctors.N: the linker places it as plain writable data.
        secs = [("5", ".ctorsx", 1 << 20, "WA"), ("6", ".init_arrayx", 64, "WA")]
        objs = [("meta", 1 << 20, "5"), ("more", 64, "6")]
        self.assertEqual(checks.writable_data(secs, objs)[0], (1 << 20) + 64)


    def test_an_archive_is_read_no_further_than_it_may_unpack(self):
        # A few kilobytes that unpack to gigabytes cost no more than UNPACKED_MAX bytes read.
        tool = grade_tool()

        class Zeros:
            def read(self, n):
                return bytes(n)

        data = io.BytesIO()
        with tarfile.open(fileobj=data, mode="w:gz") as tar:
            tar.addfile(tarfile.TarInfo("filler"), io.BytesIO())
            big = tarfile.TarInfo("big")
            big.size = tool.UNPACKED_MAX
            tar.addfile(big, Zeros())
        self.assertEqual(tool.unpacked_source(data.getvalue(), "x.tgz"),
                         (None, f"x.tgz unpacks to over {tool.UNPACKED_MAX} bytes: not read"))

    def test_leaderboard_says_how_many_errors_it_leaves_out(self):
        r = {"name": "dave", "score": 0.0, "status": "incorrect", "util": None,
             "thru_ratio": None, "globals_bytes": 8, "findings": [], "log": "logs/dave.log",
             "errors": [f"t{i}: op 1 (line 6): timed out" for i in range(5)]}
        with tempfile.TemporaryDirectory() as out:
            report.write_html(out, {}, [r], None)
            with open(os.path.join(out, "leaderboard.html")) as f:
                page = f.read()
        self.assertIn("t2: op 1", page)
        self.assertNotIn("t3: op 1", page)
        self.assertIn('... and 2 more in <a href="logs/dave.log">logs/dave.log</a>', page)


    @unittest.skipUnless(shutil.which("gnuplot"), "gnuplot is not installed")
    def test_chart_draws_no_utilization_for_a_submission_never_run(self):
        base = {"status": "ok", "findings": [], "errors": []}
        rows = [dict(base, name="alice", score=58.6, util=0.825),
                dict(base, name="bob", score=0.0, status="build-error", util=None)]
        with tempfile.TemporaryDirectory() as out:
            self.assertEqual(report.write_chart(out, rows), "leaderboard.png")
            with open(os.path.join(out, "leaderboard.dat")) as f:
                dat = f.read().splitlines()
        self.assertEqual(dat[1:], ['1 "alice" 58.60 82.5', '2 "bob" 0.00 ?'])

    def test_chart_without_gnuplot_says_which_package(self):
        rows = [{"status": "ok", "findings": [], "errors": [], "name": "alice", "score": 58.6,
                 "util": 0.825}]
        err = io.StringIO()
        with tempfile.TemporaryDirectory() as out, without_path(), \
                contextlib.redirect_stderr(err):
            self.assertIsNone(report.write_chart(out, rows))
        self.assertEqual(err.getvalue(), "tools/grade: note: no leaderboard.png: gnuplot is not "
                                         "installed (Debian package gnuplot-nox)\n")

    def test_gradescope_says_why_a_measured_figure_earns_nothing(self):
        r = {"name": "carol", "score": 0.0, "status": "incorrect", "util": 0.8,
             "thru_ratio": 0.2, "kops": 1400.0, "findings": [], "traces": [],
             "errors": ["t: op 9 (line 14): signal SIGSEGV"]}
        with tempfile.TemporaryDirectory() as out:
            path = os.path.join(out, "gs.json")
            report.write_gradescope(path, r, 0.6, None)
            with open(path) as f:
                tests = {t["name"]: t for t in json.load(f)["tests"]}
        for name in ("Utilization", "Throughput (vs glibc, same run)"):
            self.assertEqual(tests[name]["score"], 0.0)
            self.assertIn("no credit: the submission is incorrect", tests[name]["output"])

    def test_gradescope_splits_the_index_by_the_weight(self):
        # 100 * (0.6 * 0.8 + 0.4 * 0.5) = 48 (util) + 20 (thru) = 68
        r = {"name": "erin", "score": 68.0, "status": "ok", "util": 0.8, "thru_ratio": 0.5,
             "kops": 5000.0, "findings": [], "traces": [], "errors": []}
        with tempfile.TemporaryDirectory() as out:
            path = os.path.join(out, "gs.json")
            report.write_gradescope(path, r, 0.6, None)
            with open(path) as f:
                doc = json.load(f)
        tests = {t["name"]: t for t in doc["tests"]}
        self.assertEqual(doc["score"], 68.0)
        self.assertEqual((tests["Utilization"]["score"], tests["Utilization"]["max_score"]),
                         (48.0, 60.0))
        thru = tests["Throughput (vs glibc, same run)"]
        self.assertEqual((thru["score"], thru["max_score"]), (20.0, 40.0))

    def test_outputs_name_the_fixed_reference_of_thru_ref(self):
        # With --thru-ref 5000, throughput is a ratio to 5000 Kops/s, not to glibc.
        r = {"name": "erin", "source": "erin.c", "score": 68.0, "status": "ok", "correct": True,
             "perfidx": 68.0, "util": 0.8, "kops": 2500.0, "thru_ref_kops": 5000.0,
             "thru_ratio": 0.5, "globals_bytes": 8, "findings": [], "traces": [],
             "errors": [], "log": "logs/erin.log", "build_log": "logs/erin.build.log",
             "sandbox": "bwrap"}
        with tempfile.TemporaryDirectory() as out:
            path = os.path.join(out, "gs.json")
            report.write_gradescope(path, r, 0.6, 5000.0)
            report.write_html(out, {"thru_ref": 5000.0}, [r], None)
            with open(path) as f:
                tests = {t["name"]: t for t in json.load(f)["tests"]}
            with open(os.path.join(out, "leaderboard.html")) as f:
                page = f.read()
        self.assertEqual(tests["Throughput (vs 5000 Kops/s)"]["output"],
                         "2500 Kops, ratio to 5000 Kops/s 0.500")
        self.assertIn("<th>thru / 5000 Kops/s</th>", page)
        self.assertIn("throughput relative to 5000 Kops/s.", page)
        self.assertNotIn("glibc", page)
        self.assertIn("reference (5000 Kops/s) kops 5000", report.submission_log(r, 5000.0))

    def test_equal_scores_are_ranked_by_name(self):
        rows = [{"name": n, "score": s} for n, s in (("bob", 50.0), ("carol", 70.0),
                                                     ("alice", 50.0))]
        self.assertEqual([r["name"] for r in report.ranked(rows)], ["carol", "alice", "bob"])

    def test_equal_scores_share_a_rank_listed_by_name_whatever_its_case(self):
        base = {"status": "ok", "correct": True, "perfidx": None, "util": None, "kops": None,
                "thru_ref_kops": None, "thru_ratio": None, "findings": [], "errors": [],
                "traces": [], "log": "", "build_log": ""}
        rows = [dict(base, name=n, score=s) for n, s in (("bob", 50.0), ("Zoe", 70.0),
                                                         ("Dave", 50.0), ("alice", 50.0),
                                                         ("carol", 10.0))]
        with tempfile.TemporaryDirectory() as out:
            report.write_csv(os.path.join(out, "r.csv"), rows)
            report.write_html(out, {}, rows, None)
            with open(os.path.join(out, "r.csv")) as f:
                ranks = [(r["rank"], r["name"]) for r in csv.DictReader(f)]
            with open(os.path.join(out, "leaderboard.html")) as f:
                page = f.read()
        self.assertEqual(ranks, [("1", "Zoe"), ("2", "alice"), ("2", "bob"), ("2", "Dave"),
                                 ("5", "carol")])
        self.assertEqual(re.findall(r'<tr><td data-v="(\d+)">\d+</td><td data-v="(\w+)"', page),
                         ranks)

    def test_leaderboard_with_one_error_beyond_those_shown_says_so(self):
        r = {"name": "dave", "score": 0.0, "status": "incorrect", "util": None,
             "thru_ratio": None, "globals_bytes": 8, "findings": [], "log": "logs/dave.log",
             "errors": [f"t{i}: op 1 (line 6): timed out" for i in range(report.ERRORS_SHOWN + 1)]}
        self.assertIn("... and 1 more in", report.errors_cell(r))
        r["errors"].pop()
        self.assertNotIn("more in", report.errors_cell(r))


class ScoreTest(unittest.TestCase):
    """A submission's score from the driver's report."""

    def test_score_is_the_index_to_a_hundredth(self):
        grader = bare_grader()
        rep = {"traces": [{"name": "t", "valid": True, "util": 0.8}],
               "total": {"valid": True, "util": 0.8, "kops": 900.0, "perfidx": 76.543},
               "thru_ref_kops": 1000.0}
        res = {"findings": [], "errors": []}
        grader._score(rep, res)
        self.assertEqual((res["status"], res["score"]), ("ok", 76.54))
        self.assertAlmostEqual(res["thru_ratio"], 0.9)

    def test_a_report_with_no_traces_is_not_correct(self):
        # a total that says valid, over no trace at all, graded nothing
        grader = bare_grader()
        rep = {"traces": [], "total": {"valid": True, "util": 0.8, "kops": 900.0,
                                       "perfidx": 76.5}, "thru_ref_kops": 1000.0}
        res = {"findings": [], "errors": []}
        grader._score(rep, res)
        self.assertEqual(res["status"], "incorrect")
        self.assertNotIn("score", res)


class MedianReportTest(unittest.TestCase):
    """-r N keeps the run whose perf index is the median: throughput is noisy, and the best of
    N runs would grade luck (the corpus runs use -r 2, where the median is also the best)."""

    @classmethod
    def setUpClass(cls):
        cls.grade = grade_tool()

    @staticmethod
    def report(perfidx, valid=True, kops=None):
        return {"total": {"valid": valid, "perfidx": perfidx, "util": 0.9, "kops": kops},
                "thru_ref_kops": 1000.0}

    def test_median_of_three_runs(self):
        runs = [self.report(70.0), self.report(90.0), self.report(80.0)]
        median = self.grade.median_report(runs, bare_grader().perf_index)
        self.assertEqual(median["total"]["perfidx"], 80.0)

    def test_median_of_two_runs_is_the_better(self):
        runs = [self.report(90.0), self.report(70.0)]
        self.assertIs(self.grade.median_report(runs, bare_grader().perf_index), runs[0])

    def test_failed_last_run_is_the_report(self):
        runs = [self.report(70.0), self.report(90.0), self.report(None, valid=False)]
        self.assertIs(self.grade.median_report(runs, bare_grader().perf_index), runs[-1])

    def test_under_w_runs_rank_by_the_graders_index(self):
        # The driver's figures (made up here) would make the first run the median; with -w 0.5
        # their throughput (0.5, 0.9, 0.7 of the reference) makes it the third, whose index at
        # the grader's weight is what the grade and the log show.
        runs = [self.report(80.0, kops=500.0), self.report(70.0, kops=900.0),
                self.report(90.0, kops=700.0)]
        self.assertIs(self.grade.median_report(runs, bare_grader().perf_index), runs[0])
        g = bare_grader(0.5)
        self.assertIs(self.grade.median_report(runs, g.perf_index), runs[2])
        self.assertAlmostEqual(g.perf_index(runs[2]), 100 * (0.5 * 0.9 + 0.5 * 0.7))


class BuildErrorTest(unittest.TestCase):
    def test_a_name_defined_twice_is_the_reason_given(self):
        # ld says which names mm.c defines again before its summary line, which says nothing.
        log = ("/usr/bin/ld: build/a16/mm/mm.o: in function `trace_parse':\n"
               "mm.c:171: multiple definition of `trace_parse'; build/a16/driver/trace.o:"
               "driver/trace.c:367: first defined here\n"
               "collect2: error: ld returned 1 exit status\n"
               "make: *** [Makefile:35: mdriver] Error 1\n")
        self.assertIn("multiple definition of `trace_parse'", grade_tool().first_errors(log))


class UnusableBwrapTest(unittest.TestCase):
    def test_detected_and_said(self):
        # A bwrap that fails the way it does where user namespaces are forbidden.
        d = tempfile.mkdtemp(prefix="test_grade_bw.")
        os.chmod(d, 0o755)
        fake = os.path.join(d, "bwrap")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\n"
                    "exit 1\n")
        os.chmod(fake, 0o755)
        path = os.environ["PATH"]
        os.environ["PATH"] = d + os.pathsep + path
        try:
            sb = sandbox.Sandbox([])
        finally:
            os.environ["PATH"] = path
            shutil.rmtree(d)
        self.assertIsNone(sb.bwrap)
        self.assertIn("bwrap unusable here (bwrap: No permissions", sb.note)
        self.assertIn("rlimits", sb.note)


    def test_missing_bwrap_says_which_package(self):
        with without_path():
            sb = sandbox.Sandbox([])
        self.assertIsNone(sb.bwrap)
        self.assertEqual(sb.note, "bwrap not installed (Debian package bubblewrap): rlimits and "
                                  "a separate uid only, no namespaces")


class FallbackSandboxTest(SandboxTest):
    """The same, as the grader runs where bwrap is absent or unusable: uid and rlimits only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sb = sandbox.Sandbox([], use_bwrap=False)


if __name__ == "__main__":
    unittest.main()
