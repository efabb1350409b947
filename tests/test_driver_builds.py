"""Submissions in both styles build and are graded; `make mdriver MM=...` leaves mm.c alone; the
checks that need a build of their own: -c, -D, --max-heap and the two kinds of NULL, -s; no
process of a job outlives mdriver, however mdriver ends; memlib's limits, through a program of
its own.

Builds go to build/td/builds-*. The classic traces are read from ../shared/traces/csapp/.
"""
import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures", "driver")
CLASSIC = os.path.join(os.path.dirname(ROOT), "shared", "traces", "csapp")
BUILD = os.path.join("build", "td")
SUBMISSIONS = {"original": "tests/fixtures/driver/bump.c", "cmu": "tests/fixtures/driver/cmu_mm.c",
               "no-checker": "tests/submissions/globals.c"}
FAST = ["--thru-ref", "1"]


def mdriver(name):
    return os.path.join(ROOT, BUILD, f"builds-{name}", "mdriver")


def make(name, mm):
    return subprocess.run(["make", "-s", "mdriver", f"MM={mm}", f"BUILD={BUILD}/builds-{name}",
                           f"MDRIVER={BUILD}/builds-{name}/mdriver"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


mm_before = None


def setUpModule():
    global mm_before
    mm = os.path.join(ROOT, "mm.c")
    mm_before = (digest(mm), os.stat(mm).st_mtime_ns)
    for name, src in SUBMISSIONS.items():
        p = make(name, src)
        if p.returncode != 0:
            raise RuntimeError(f"building {src} failed:\n{p.stdout}{p.stderr}")


def run(name, *args, env=None):
    return subprocess.run([mdriver(name)] + list(args), cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)


def classic(*names):
    args = []
    for n in names:
        args += ["-f", os.path.join(CLASSIC, n + ".rep")]
    return args


class Submissions(unittest.TestCase):
    def test_make_leaves_mm_c_untouched(self):
        mm = os.path.join(ROOT, "mm.c")
        self.assertEqual((digest(mm), os.stat(mm).st_mtime_ns), mm_before)

    def test_both_styles_are_graded(self):
        traces = classic("short1-bal", "short2-bal", "amptjp-bal", "binary-bal")
        for name in SUBMISSIONS:
            with self.subTest(name):
                p = run(name, "-g", *FAST, *traces, "-f", os.path.join(FIX, "ops.rep"))
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(p.stdout.splitlines()[0], "correct:5")

    def test_knobs_only_config_h_sets_are_refused_on_makes_command_line(self):
        # config.h's UTIL_WEIGHT and MAX_HEAP are compiled in and read by the tools from that
        # file: `make UTIL_WEIGHT=1` would build a driver with 0.60 all the same, so make refuses
        # it, naming the file to edit, rather than let a lab scored with the wrong weight pass
        for knob, value in (("UTIL_WEIGHT", "1.0"), ("MAX_HEAP", "1UL<<20")):
            p = subprocess.run(["make", "-n", f"{knob}={value}"], cwd=ROOT, capture_output=True,
                               text=True, timeout=60)
            self.assertNotEqual(p.returncode, 0, knob)
            self.assertIn(f"{knob} is set in config.h", p.stderr, knob)
        p = subprocess.run(["make", "-n", "ALIGNMENT=8"], cwd=ROOT, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_cflags_on_makes_command_line_keep_the_flags_the_build_needs(self):
        # `make CFLAGS='-Og -g'`, as a student builds for gdb, replaces make's -O2 -g only: the
        # include path, -D_GNU_SOURCE and ALIGNMENT still reach every object, the plugins' path
        # too (--vs finds naive)
        build = f"{BUILD}/builds-cflags"
        p = subprocess.run(["make", "-s", "mdriver", "peers", "CFLAGS=-O0 -g", f"BUILD={build}",
                            f"MDRIVER={build}/mdriver"], cwd=ROOT, capture_output=True,
                           text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = subprocess.run([os.path.join(ROOT, build, "mdriver"), "-c",
                            os.path.join(FIX, "ops.rep"), "--vs", "naive"], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        # a plain make after it rebuilds every object with make's flags, not only mm.c's
        p = subprocess.run(["make", "mdriver", "peers", f"BUILD={build}",
                            f"MDRIVER={build}/mdriver"], cwd=ROOT, capture_output=True,
                           text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        for obj in ("mdriver.o", "driver/replay.o", "memlib.o", "peers/naive.so"):
            self.assertRegex(p.stdout, rf"-O2 -g .*-o {build}/a\d+/{obj} ")
        p = subprocess.run(["make", "mdriver", f"BUILD={build}", f"MDRIVER={build}/mdriver"],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
        self.assertNotRegex(p.stdout, r"-c -o \S*/mdriver.o")  # and only once

    def test_driver_builds_warning_free_at_other_optimization_levels(self):
        # -Og (gdb), -Os and -O3 let gcc see other paths than -O2 does: a warning there is one
        # a student building so would take for a fault of theirs. The allocator is a fixture,
        # whose warnings are not the driver's.
        for flags in ("-Og -g", "-Os", "-O3"):
            with self.subTest(flags):
                build = f"{BUILD}/builds-werror{flags.split()[0]}"
                p = subprocess.run(["make", "-s", "mdriver", "peers", f"CFLAGS={flags} -Werror",
                                    f"MM={SUBMISSIONS['original']}", f"BUILD={build}",
                                    f"MDRIVER={build}/mdriver"], cwd=ROOT, capture_output=True,
                                   text=True, timeout=300)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_make_skips_a_peer_whose_header_is_missing(self):
        # a fresh machine without libjemalloc-dev must still build with a plain `make`: with no
        # header on the include path (-nostdinc) no real peer is planned, the simulated ones are
        headers = {"jemalloc": "jemalloc/jemalloc.h", "mimalloc": "mimalloc.h",
                   "tcmalloc": "gperftools/tcmalloc.h"}

        def planned(cc):
            p = subprocess.run(["make", "-n", "-B", "peers", f"CC={cc}", f"BUILD={BUILD}/plan"],
                               cwd=ROOT, capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            return {n for n in (*headers, "naive", "implicit") if f"/{n}.so " in p.stdout}

        self.assertEqual(planned("cc -nostdinc"), {"naive", "implicit"})
        for name, header in headers.items():
            if any(os.path.exists(os.path.join(d, header)) for d in ("/usr/include",
                                                                     "/usr/local/include")):
                self.assertIn(name, planned("cc"))

    def test_cmu_style_heap_checker_is_called(self):
        # -D runs mm_checkheap before every op; this one passes, so every trace is correct.
        p = run("cmu", "-D", "-c", os.path.join(FIX, "ops.rep"), "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIs(json.loads(p.stdout)["traces"][0]["valid"], True)

    def derived_build(self, name, fixture, *edits):
        """Builds the fixture with each (old, new) of edits made to its text."""
        with open(os.path.join(FIX, fixture)) as f:
            src = f.read()
        for old, new in edits:
            self.assertIn(old, src)
            src = src.replace(old, new)
        mm = os.path.join(ROOT, BUILD, f"{name}.c")
        with open(mm, "w") as f:
            f.write(src)
        p = make(name, mm)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_null_for_zero_bytes_is_no_failure(self):
        # malloc(0) and realloc(p, 0) may return NULL (C allows it): a trace of 0-byte requests
        # passes an allocator that does so, and a block realloc'ed to 0 is no longer live.
        self.derived_build("null0", "bump.c", ("void *mm_malloc(size_t size)\n{",
                                               "void *mm_malloc(size_t size)\n{\n"
                                               "    if (!size)\n        return NULL;"))
        path = os.path.join(ROOT, BUILD, "builds-null0.rep")
        with open(path, "w") as f:
            f.write("0\n2\n5\n1\na 0 0\na 1 24\nr 1 0\nf 0\nf 1\n")
        p = run("null0", "-c", path)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_calloc_of_a_submission_without_one_is_malloc_zeroed(self):
        # A submission without mm_calloc (the original lab's) gets calloc's ops as mm_malloc plus
        # the driver's zeroing. This one hands out blocks full of DIRTY and exits at a free that
        # finds a byte of it still there; -d 0 writes no payload, so only the zeroing clears it.
        dirty = "0xa5"
        self.derived_build("nocalloc", "bump.c",
                           ("    *(size_t *)p = size;\n",
                            f"    *(size_t *)p = size;\n    memset(p + HDR, {dirty}, size);\n"),
                           ("    size_t size = *(size_t *)((char *)ptr - HDR);\n",
                            "    size_t size = *(size_t *)((char *)ptr - HDR);\n"
                            f"    if (memchr(ptr, {dirty}, size))\n        exit(7);\n"))
        path = os.path.join(ROOT, BUILD, "builds-nocalloc.rep")
        with open(path, "w") as f:
            f.write("0\n2\n4\n1\nc 0 5 8\nc 1 1 100\nf 0\nf 1\n")
        p = run("nocalloc", "-d", "0", "-c", path)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(path, "w") as f:  # the fixture's own check can fail: a malloc'ed block
            f.write("0\n1\n2\n1\na 0 40\nf 0\n")
        p = run("nocalloc", "-d", "0", "-c", path)
        self.assertEqual(p.returncode, 1)
        self.assertIn("exited with status 7", p.stdout)

    def test_a_file_without_the_functions_the_driver_calls_is_told_what_it_lacks(self):
        # The linker named them undefined in lines of driver/mmshim.c, a file the student never
        # saw (in a temporary folder when graded), and not the file that lacks them.
        with open(os.path.join(FIX, "bump.c")) as f:
            src = f.read()
        variants = {"empty": ("", "mm_init, mm_malloc, mm_free, mm_realloc"),
                    "partial": (src.replace("void mm_free(void *ptr)", "void mm_release(void "
                                            "*ptr)").replace("mm_realloc", "mm_resize"),
                                "mm_free, mm_realloc")}
        for name, (text, missing) in variants.items():
            with self.subTest(name):
                mm = os.path.join(ROOT, BUILD, f"{name}.c")
                with open(mm, "w") as f:
                    f.write(text)
                p = make(name, mm)
                self.assertNotEqual(p.returncode, 0)
                self.assertEqual(p.stderr.splitlines()[0],
                                 f"{mm}: error: defines no {missing} (mdriver calls each)")
                self.assertNotIn("mmshim", p.stdout + p.stderr)

    def handout_build(self, name, checker):
        """Builds bump.c with its heap checker declared `checker`, as the original lab's handout
        has it (no verbose flag)."""
        self.derived_build(name, "bump.c", ("int mm_check(int verbose)\n{",
                                            checker + "\n{\n    int verbose = 0;"))

    def void_checker_build(self, name, head):
        """Builds bump.c with its heap checker's head (up to its `{`) made head, and, having no
        result, exiting where it would have returned false."""
        self.derived_build(name, "bump.c", ("int mm_check(int verbose)\n{", head),
                           ("    return !max || mem_heapsize() < (size_t)atol(max);",
                            "    if (max && mem_heapsize() >= (size_t)atol(max))\n"
                            "        exit(1);"))

    def test_cmu_2015_void_checkheap_is_called(self):
        # The 2015 CMU lab's `int mm_init` and `void mm_checkheap(int lineno)`, which tells of
        # a bad heap by printing and exiting: -D calls it, and its exit names the op it ran
        # before, as the checker's.
        self.void_checker_build("cmu2015", "void mm_checkheap(int lineno)\n{\n"
                                "    int verbose = lineno < 0;")
        small = os.path.join(FIX, "small.rep")
        p = run("cmu2015", "-D", "-c", small)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr.count("bump checker: heap"), 5, p.stderr)
        env = dict(os.environ, MMLAB_FIXTURE_CHECK_MAX="200")
        p = run("cmu2015", "-D", "-c", small, env=env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("small: op 2 (line 9): heap checker: exited with status 1 (the allocator "
                      "called exit), in mm's check before this op", p.stderr)
        # the check before the first op is the checker's too
        p = run("cmu2015", "-D", "-c", small, env=dict(os.environ, MMLAB_FIXTURE_CHECK_MAX="0"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("small: op 0 (line 7): heap checker: exited with status 1 (the allocator "
                      "called exit), in mm's check before this op", p.stderr)

    def test_checkers_with_a_verbose_flag_or_no_result_are_called_quietly(self):
        # The CS:APP textbook's `void mm_checkheap(int verbose)` prints every block when
        # verbose: -D calls it with 0, not with the line (which printed the whole heap before
        # every op). The original lab's mm.h declared no checker, so a `void mm_check` built
        # too, with or without a verbose flag: -D calls it, quiet. An exit is the checker's.
        heads = (("textbook", "void mm_checkheap(int verbose)\n{"),
                 ("void-check", "void mm_check(void)\n{\n    int verbose = 0;"),
                 ("void-check-verbose", "void mm_check(int verbose)\n{"))
        small = os.path.join(FIX, "small.rep")
        for name, head in heads:
            with self.subTest(name):
                self.void_checker_build(name, head)
                p = run(name, "-D", "-c", small)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(p.stderr.count("bump checker: heap"), 5, p.stderr)
                self.assertNotIn("(verbose)", p.stderr)
                p = run(name, "-D", "-c", small,
                        env=dict(os.environ, MMLAB_FIXTURE_CHECK_MAX="200"))
                self.assertEqual(p.returncode, 1)
                self.assertIn("small: op 2 (line 9): heap checker: exited with status 1",
                              p.stderr)

    def test_checker_failing_after_the_last_op_is_told_so(self):
        # The heap reaches 240 bytes with the last op: only the check after it fails.
        self.handout_build("handout", "int mm_check(void)")
        env = dict(os.environ, MMLAB_FIXTURE_CHECK_MAX="230")
        p = run("handout", "-D", "-c", os.path.join(FIX, "small.rep"), env=env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("mdriver: mm: small: after the last op: heap checker: mm's check reported "
                      "an inconsistent heap; op 3 (line 10) left it so\n", p.stderr)

    def test_a_hang_in_an_op_after_a_passing_check_is_the_ops(self):
        # -D checks the heap before every op; the third malloc (op 3) hangs once the check
        # before it has passed: the op timed out, not the checker.
        env = dict(os.environ, MMLAB_FIXTURE_HANG="3")
        p = run("original", "-D", "-s", "0.5", "-c", os.path.join(FIX, "small.rep"), env=env)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("small: op 3 (line 10): timed out", p.stderr)
        self.assertNotIn("heap checker", p.stderr)

    def test_cmu_checker_gets_the_line_of_the_op(self):
        # mm_checkheap(lineno) is told the trace line of the op it runs before (0 after the
        # last), which the driver's report names too: a line of the driver's source would
        # send the student looking in mm.c.
        self.derived_build("cmu-lines", "cmu_mm.c", ("    (void)lineno;\n",
                           "    fprintf(stderr, \"cmu checker: line %d\\n\", lineno);\n"))
        p = run("cmu-lines", "-D", "-c", os.path.join(FIX, "small.rep"))
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = [x for x in p.stderr.splitlines() if x.startswith("cmu checker:")]
        self.assertEqual(lines, [f"cmu checker: line {n}" for n in (7, 8, 9, 10, 0)])

    def test_checker_without_verbose_flag_explains_a_failure_once(self):
        # A failing checker is asked again, verbosely, only when it has a verbose flag: the
        # handout's mm_check(void) and CMU's mm_checkheap would print the same lines twice.
        env = dict(os.environ, MMLAB_FIXTURE_CHECK_MAX="200")
        small = os.path.join(FIX, "small.rep")
        self.handout_build("handout", "int mm_check(void)")
        self.derived_build("cmu-failing", "cmu_mm.c", ("    (void)lineno;\n    return ",
                           "    fprintf(stderr, \"cmu checker: heap %zu bytes\\n\", "
                           "mem_heapsize());\n    return mem_heapsize() < 200 && "))
        for name, says in (("handout", "bump checker: heap 208 bytes"),
                           ("cmu-failing", "cmu checker: heap 208 bytes")):
            with self.subTest(name):
                p = run(name, "-D", "-c", small, env=env)
                self.assertEqual(p.returncode, 1)
                self.assertIn("small: op 2 (line 9): heap checker", p.stderr)
                self.assertEqual(p.stderr.count(says), 1, p.stderr)
        p = run("original", "-D", "-c", small, env=env)  # mm_check(int verbose): asked again
        self.assertIn("bump checker: heap 208 bytes (verbose)", p.stderr)

    def test_handout_style_heap_checker_builds_and_is_called(self):
        # The original lab's handout asks for `int mm_check(void)`: it builds, -D calls it, and
        # a failure names the op (the heap is 128 bytes after op 0, 208 after op 1).
        self.handout_build("handout", "int mm_check(void)")
        small = os.path.join(FIX, "small.rep")
        p = run("handout", "-D", "-c", small)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr.count("bump checker: heap"), 5)  # before each op, after last
        env = dict(os.environ, MMLAB_FIXTURE_CHECK_MAX="200")
        p = run("handout", "-D", "-c", small, env=env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("small: op 2 (line 9): heap checker: mm's check reported an inconsistent "
                      "heap before this op; op 1 (line 8) left it so\n", p.stderr)

    def test_mentioning_mm_check_does_not_make_it_the_handout_style(self):
        # Only a declaration `int mm_check(void)` makes the handout's style: with a comment
        # that says mm_check(), the checker keeps its verbose flag (quiet, then verbose).
        self.derived_build("mentions", "bump.c", ("int mm_check(int verbose)\n",
                                                  "/* mm_check() is the heap checker */\n"
                                                  "int mm_check(int verbose)\n"))
        env = dict(os.environ, MMLAB_FIXTURE_CHECK_MAX="200")
        p = run("mentions", "-D", "-c", os.path.join(FIX, "small.rep"), env=env)
        self.assertIn("bump checker: heap 208 bytes\n", p.stderr)
        self.assertIn("bump checker: heap 208 bytes (verbose)\n", p.stderr)

    def test_the_style_is_told_by_the_code_not_its_comments_or_strings(self):
        # A comment and a string quoting the CMU lab's `bool mm_init` leave an `int mm_init`
        # the original lab's; a CMU `bool mm_init` split over two lines is the CMU lab's.
        quoted = ("/* Unlike the CMU handout, where bool mm_init(void) is required, this returns "
                  "int. */\nint mm_init(void)\n{\n    (void)\"bool mm_init\";")
        self.derived_build("quotes-cmu", "bump.c", ("int mm_init(void)\n{", quoted))
        self.derived_build("cmu-split", "cmu_mm.c", ("(bool mm_init,", "(CMU's init,"),
                           ("bool mm_init(void)", "bool\nmm_init(void)"))
        for name in ("quotes-cmu", "cmu-split"):
            p = run(name, "-c", os.path.join(FIX, "small.rep"))
            self.assertEqual(p.returncode, 0, p.stderr)

    def test_handout_style_static_heap_checker_builds(self):
        # A static mm_check is the submission's own business, whatever its parameters (the
        # original lab's mm.h declared none): it builds, and -D says there is no heap checker
        # to call.
        self.handout_build("handout-static", "static int mm_check(void)")
        self.derived_build("static-verbose", "bump.c", ("int mm_check(int verbose)\n{",
                                                        "static int mm_check(int verbose)\n{"))
        for name in ("handout-static", "static-verbose"):
            with self.subTest(name):
                p = run(name, "-D", "-c", os.path.join(FIX, "small.rep"))
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn("mm has no heap checker", p.stderr)


class Checks(unittest.TestCase):
    def test_heap_checker_output_goes_to_stderr(self):
        # bump.c's checker prints to stdout; under -D that is allowed and passed to stderr
        p = run("original", "-D", "-g", *FAST, "-f", os.path.join(FIX, "small.rep"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines()[0], "correct:1")
        self.assertNotIn("bump checker", p.stdout)
        self.assertEqual(p.stderr.count("bump checker: heap"), 5)  # before each op, after last

    def test_d2_without_a_heap_checker_says_so(self):
        # A clean -D run must not let one believe the heap was checked: one note on stderr.
        small = os.path.join(FIX, "small.rep")
        for level in (["-D"], ["-d", "2"]):
            p = run("no-checker", *level, "-c", small)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stderr, "mdriver: note: mm has no heap checker (mm_check or "
                             "mm_checkheap), so -D (-d 2) calls none; its other checks run\n")
        self.assertEqual(run("no-checker", "-c", small).stderr, "")
        self.assertNotIn("no heap checker", run("original", "-D", "-c", small).stderr)

    def test_heap_checker_failure_names_the_op(self):
        # the heap passes 200 bytes after op 1 (128 + 80): the check before op 2 fails
        env = dict(os.environ, MMLAB_FIXTURE_CHECK_MAX="200")
        p = run("original", "-D", "-g", *FAST, "-f", os.path.join(FIX, "small.rep"), env=env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("small: op 2 (line 9): heap checker", p.stderr)
        self.assertIn("bump checker: heap 208 bytes (verbose)", p.stderr)
        self.assertEqual(run("original", "-g", *FAST, "-f", os.path.join(FIX, "small.rep"),
                             env=env).returncode, 0)  # no checker without -D

    def test_correctness_only_has_no_timing(self):
        p = run("original", "--json", "-c", os.path.join(FIX, "small.rep"))
        t = json.loads(p.stdout)["traces"][0]
        self.assertIs(t["valid"], True)
        self.assertIsNone(t["secs"])
        self.assertAlmostEqual(t["util"], 150 / 240, places=5)

    def oom_trace(self, path, blocks, size):
        with open(path, "w") as f:
            f.write(f"0\n{blocks}\n{blocks}\n1\n")
            f.write("".join(f"a {i} {size}\n" for i in range(blocks)))

    def test_out_of_memory_is_told_from_a_false_null(self):
        path = os.path.join(ROOT, BUILD, "builds-oom.rep")
        self.oom_trace(path, 8, 512 * 1024)  # 4 MiB of blocks in a 2 MiB heap
        p = run("original", "-g", *FAST, "--max-heap", "2M", "-f", path)
        self.assertEqual(p.returncode, 1)
        self.assertIn("op 3 (line 8): out of memory", p.stderr)
        self.assertIn("max 2097152 bytes", p.stderr)
        p = run("original", "-g", *FAST, "--max-heap", "4096K", "-f", path)
        self.assertIn("op 7 (line 12): out of memory", p.stderr)
        p = run("original", "-g", *FAST, "--max-heap", "1G", "-f", path)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_max_heap_is_the_figure_given_not_rounded_to_pages(self):
        # two 4000-byte blocks take 8032 bytes of bump's heap: more than --max-heap 5000, though
        # within the two pages 5000 bytes span
        path = os.path.join(ROOT, BUILD, "builds-max5000.rep")
        with open(path, "w") as f:
            f.write("0\n2\n4\n1\na 0 4000\na 1 4000\nf 0\nf 1\n")
        p = run("original", "-c", path, "--max-heap", "5000")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("op 1 (line 6): out of memory: 4000 bytes for block 1 do not fit (heap 4016 "
                      "of max 5000 bytes)", p.stderr)
        self.assertEqual(run("original", "-c", path, "--max-heap", "8032").returncode, 0)

    def test_heap_that_cannot_be_reserved_is_not_blamed_on_the_allocator(self):
        # Under an address-space limit (a grader's rlimit) below --max-heap, the driver's own
        # reservation fails: the report says so, not that the allocator called exit.
        limit = 1 << 30
        p = subprocess.run([mdriver("original"), "-c", os.path.join(FIX, "small.rep"),
                            "--max-heap", "2G"], cwd=ROOT, capture_output=True, text=True,
                           timeout=120, preexec_fn=lambda: resource.setrlimit(
                               resource.RLIMIT_AS, (limit, limit)))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("small: cannot reserve the simulated heap (2147483648 bytes, --max-heap): "
                      "Cannot allocate memory", p.stderr)
        self.assertNotIn("exited", p.stderr)

    def test_timeout_is_prompt(self):
        env = dict(os.environ, MMLAB_FIXTURE_HANG="1")
        t0 = time.time()
        p = run("original", "-s", "0.5", *FAST, "-f", os.path.join(FIX, "small.rep"),
                "-f", os.path.join(FIX, "shrink.rep"), env=env)
        self.assertLess(time.time() - t0, 10)
        self.assertEqual(p.returncode, 1)
        self.assertIn("small: op 0 (line 7): timed out", p.stderr)
        self.assertIn("shrink: op 0 (line 6): timed out", p.stderr)


def started(pid):
    """The start time of a live process (field 22 of /proc/PID/stat), None when it is gone or a
    zombie: with the pid, it names the process even if the pid is reused."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in "ZX" else fields[19]


# How long the driver and what it started may take to end once signalled: generous, for a loaded
# machine, yet well below the sleeper's 60 s (tests/fixtures/driver/bump.c), so a survivor fails.
GRACE_SECS = 20


MEMLIB_EDGES = """empty: hi is lo - 1: 1
grow 100: ok, size 100
hi is lo + 99: 1
shrink 101: refused (ENOMEM), size 100
shrink 100: ok, size 0
grow max + 1: refused (ENOMEM), size 0
grow max: ok, size 1048576
grow 1 more: refused (ENOMEM), size 1048576
peak 1048576
after reset: size 0, peak 0
regrown after a shrink: the old bytes: 1
grown after a reset: zeros: 1
"""


class MemLib(unittest.TestCase):
    """tests/fixtures/driver/memlib_limits.c calls memlib directly, with a 1 MiB maximum."""

    @classmethod
    def setUpClass(cls):
        cls.exe = os.path.join(ROOT, BUILD, "memlib_limits")
        os.makedirs(os.path.dirname(cls.exe), exist_ok=True)
        subprocess.run(["cc", "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror", "-I.",
                        "-o", cls.exe, os.path.join(FIX, "memlib_limits.c"), "memlib.c"],
                       cwd=ROOT, check=True, capture_output=True, timeout=300)

    def test_sbrk_refuses_past_the_maximum_and_below_the_start(self):
        p = subprocess.run([self.exe], capture_output=True, text=True, timeout=60)
        self.assertEqual((p.returncode, p.stdout), (0, MEMLIB_EDGES))

    def test_the_heap_asks_for_transparent_huge_pages(self):
        if not os.path.exists("/sys/kernel/mm/transparent_hugepage/enabled"):
            self.skipTest("this kernel has no transparent huge pages")
        p = subprocess.run([self.exe, "vm-flags"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"^VmFlags:.*\bhg\b", "madvise(MADV_HUGEPAGE) marks it hg")

    def test_lowering_the_break_takes_access_away_above_it(self):
        p = subprocess.run([self.exe, "write-after-shrink"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, -signal.SIGSEGV, p.stdout)
        self.assertNotIn("wrote above the break", p.stdout)


class Lifetime(unittest.TestCase):
    """bump.c's first mm_init forks a sleeper (MMLAB_FIXTURE_FORK) and its first malloc spins
    (MMLAB_FIXTURE_HANG): mdriver is in the middle of a job when it is killed."""

    def scratch_file(self, name):
        """A path named name in a folder of its own, removed after the test."""
        d = tempfile.mkdtemp(dir=os.path.join(ROOT, BUILD))
        self.addCleanup(shutil.rmtree, d)
        return os.path.join(d, name)

    def fork_env(self, **more):
        """The environment that makes bump.c fork its sleeper, and the file it names."""
        pidfile = self.scratch_file("pids")
        return dict(os.environ, MMLAB_FIXTURE_FORK=pidfile, **more), pidfile

    def orphans_after(self, sig, **more):
        env, pidfile = self.fork_env(MMLAB_FIXTURE_HANG="1", **more)
        # SIGINT's default action, whatever the caller does with it (a shell's background job
        # starts with it ignored, and mdriver then leaves it so)
        p = subprocess.Popen([mdriver("original"), "-s", "60", *FAST, "-f",
                              os.path.join(FIX, "small.rep")], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        try:
            deadline = time.time() + 20
            while not os.path.exists(pidfile) and time.time() < deadline:
                time.sleep(0.02)
            with open(pidfile) as f:
                pids = [int(x) for x in f.read().split()]  # the sleeper, the sandbox child
            procs = [(pid, started(pid)) for pid in pids]
            for pid, start in procs:
                self.addCleanup(lambda pid=pid, start=start: started(pid) == start and
                                os.kill(pid, signal.SIGKILL))
            p.send_signal(sig)
            self.assertEqual(p.wait(timeout=GRACE_SECS), -sig)  # by the signal, as without handler
        finally:
            p.kill()
            p.wait()
        deadline = time.time() + GRACE_SECS
        alive = procs
        while alive and time.time() < deadline:
            time.sleep(0.02)
            alive = [(pid, start) for pid, start in procs if started(pid) == start]
        return [pid for pid, _ in alive]

    def test_sigterm_ends_what_the_allocator_forked(self):
        self.assertEqual(self.orphans_after(signal.SIGTERM), [])

    def test_sigint_ends_what_the_allocator_forked(self):
        self.assertEqual(self.orphans_after(signal.SIGINT), [])

    def test_sigkill_ends_what_the_allocator_forked(self):
        self.assertEqual(self.orphans_after(signal.SIGKILL), [])

    def test_sigterm_ends_a_process_that_left_the_group(self):
        self.assertEqual(self.orphans_after(signal.SIGTERM, MMLAB_FIXTURE_SETSID="1"), [])

    def test_a_process_that_left_the_group_ends_with_the_job(self):
        env, pidfile = self.fork_env(MMLAB_FIXTURE_SETSID="1")
        # the sleeper holds the pipes it inherited: while it lives, run() cannot return
        p = subprocess.run([mdriver("original"), *FAST, "-f", os.path.join(FIX, "small.rep")],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=GRACE_SECS)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(pidfile) as f:
            sleeper = int(f.read().split()[0])
        self.assertIsNone(started(sleeper), "the sleeper outlived mdriver")

    def test_a_child_mdriver_had_before_its_jobs_is_left_alone(self):
        pidfile = self.scratch_file("pid")
        # the shell's background sleep becomes mdriver's child when the shell execs it
        script = (f"sleep {GRACE_SECS * 3} >/dev/null 2>&1 & echo $! > {pidfile}; "
                  f"exec {mdriver('original')} --thru-ref 1 -f {FIX}/small.rep")
        p = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True,
                           timeout=GRACE_SECS)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(pidfile) as f:
            pid = int(f.read())
        self.addCleanup(lambda: started(pid) and os.kill(pid, signal.SIGKILL))
        self.assertTrue(started(pid), "mdriver ended a process that was not a job's")


ASAN_MDRIVER = os.path.join(ROOT, BUILD, "asan", "mdriver")
SANITIZER_RE = r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:"


class Sanitized(unittest.TestCase):
    """`make asan`: the driver under AddressSanitizer, LeakSanitizer and UBSan reports nothing,
    whether it runs traces in every mode, rejects a trace or rejects a flag."""

    @classmethod
    def setUpClass(cls):
        p = subprocess.run(["make", "-s", "asan", f"BUILD={BUILD}"], cwd=ROOT,
                           capture_output=True, text=True, timeout=600)
        if p.returncode != 0 and "asan" in p.stderr and "cannot find" in p.stderr:
            raise unittest.SkipTest(f"no AddressSanitizer runtime (Debian: libasan8):\n{p.stderr}")
        if p.returncode != 0:
            raise RuntimeError(f"make asan failed:\n{p.stdout}{p.stderr}")

    def run_asan(self, *args):
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1", UBSAN_OPTIONS="print_stacktrace=1")
        return subprocess.run([ASAN_MDRIVER] + list(args), cwd=ROOT, capture_output=True,
                              text=True, timeout=300, env=env)

    def test_runs_leave_no_report(self):
        series = tempfile.mkdtemp(dir=os.path.join(ROOT, BUILD))
        self.addCleanup(shutil.rmtree, series)
        traces = classic("short1-bal", "short2") + ["-f", os.path.join(FIX, "ops.rep")]
        for args in (["-v", "-l", "--vs", "naive,implicit", *traces],
                     ["-D", "--json", "--series", series, *FAST, *traces],
                     ["-c", os.path.join(ROOT, "tests", "bad-traces", "valid",
                                         "ids-sparse-and-huge.rep")]):
            with self.subTest(args=args):
                p = self.run_asan(*args)
                self.assertNotRegex(p.stderr, SANITIZER_RE)
                self.assertEqual(p.returncode, 0, p.stderr[-3000:])

    def test_prefetching_replay_reads_no_op_past_the_trace(self):
        # A timed replay of more ids than a cached pointer table holds (1 MiB of 8-byte
        # pointers: replay.c's PTR_TABLE_CACHED) fetches the pointers of the ops ahead early:
        # none past the last op, though the trace's op array ends with it (its size a power of
        # two, as the parser grows the array from 1024).
        ops, ids = 1 << 18, (1 << 17) + 4
        with tempfile.NamedTemporaryFile("w", suffix=".rep", dir=os.path.join(ROOT, BUILD)) as f:
            f.write(f"0\n{ids}\n{ops}\n1\n")
            f.writelines(f"a {i} 16\n" for i in range(ids))
            f.writelines(f"f {i}\n" for i in range(ops - ids))
            f.flush()
            p = self.run_asan(*FAST, "-f", f.name)
        self.assertNotRegex(p.stderr, SANITIZER_RE)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])

    def test_rejections_leave_no_report(self):
        for args in (["-f", os.path.join(ROOT, "tests", "bad-traces", "op-unknown.L6.rep")],
                     ["-v2", "--vs", "naive", "-s", "0"]):
            with self.subTest(args=args):
                p = self.run_asan(*args)
                self.assertNotRegex(p.stderr, SANITIZER_RE)
                self.assertEqual(p.returncode, 2, p.stderr[-3000:])


if __name__ == "__main__":
    unittest.main()
