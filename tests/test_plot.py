"""tools/plot: every plot kind renders to a non-empty PNG and SVG from mdriver's output on small
traces, `suite` draws a directory's plots, and malformed input gets a clear error (exit 2)."""
import importlib.machinery
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

import ctrl_c

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLOT = os.path.join(ROOT, "tools", "plot")
BUILD = os.path.join("build", "t", "plot")
MDRIVER = os.path.join(ROOT, BUILD, "mdriver")
RUNNING_SECS = 2  # how long a suite runs before the Ctrl-C test interrupts it


def plot(*args, env=None):
    return subprocess.run([sys.executable, PLOT] + list(args), capture_output=True, text=True,
                          env=env)


def plot_module():
    """tools/plot loaded as a module (its file has no .py suffix)."""
    loader = importlib.machinery.SourceFileLoader("plot_tool", PLOT)
    module = importlib.util.module_from_spec(
        importlib.util.spec_from_file_location(loader.name, PLOT, loader=loader))
    loader.exec_module(module)
    return module


# A driver that says its allocator is called ada: it writes the series of a real run (copied
# from SERIES) and its --json output (JSON with "allocator" changed).
NAMED_DRIVER = """#!{python}
import json, os, shutil, sys
dst = sys.argv[sys.argv.index("--series") + 1]
for f in os.listdir({series!r}):
    shutil.copy(os.path.join({series!r}, f), dst)
with open({json!r}) as f:
    doc = json.load(f)
doc["allocator"] = "ada"
print(json.dumps(doc))
"""


def write_trace(path, n_blocks, seed):
    """A valid balanced trace: n_blocks mallocs, a few reallocs, frees in random order."""
    rnd = random.Random(seed)
    ops = [f"a {i} {rnd.randint(1, 600)}" for i in range(n_blocks)]
    ops += [f"r {i} {rnd.randint(1, 900)}" for i in range(0, n_blocks, 7)]
    order = list(range(n_blocks))
    rnd.shuffle(order)
    ops += [f"f {i}" for i in order]
    with open(path, "w") as f:
        f.write(f"0\n{n_blocks}\n{len(ops)}\n1\n" + "\n".join(ops) + "\n")


def assert_image(test, path):
    test.assertTrue(os.path.exists(path), path)
    with open(path, "rb") as f:
        data = f.read()
    test.assertGreater(len(data), 1000, path)
    if path.endswith(".png"):
        test.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n", path)
    else:
        test.assertIn(b"<svg", data[:2000], path)


@unittest.skipUnless(shutil.which("gnuplot"), "gnuplot is not installed (.ci/run installs it)")
class PlotsFromDriver(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        subprocess.run(["make", "-s", "-C", ROOT, "mdriver", f"BUILD={BUILD}",
                        f"MDRIVER={os.path.relpath(MDRIVER, ROOT)}"], check=True,
                       stdout=subprocess.DEVNULL)
        cls.tmp = tempfile.TemporaryDirectory()
        cls.traces = os.path.join(cls.tmp.name, "traces")
        cls.series = os.path.join(cls.tmp.name, "series")
        os.mkdir(cls.traces)
        os.mkdir(cls.series)
        write_trace(os.path.join(cls.traces, "small.rep"), 60, 1)
        # more placements than the heap map draws one by one: exercises the shaded grid
        write_trace(os.path.join(cls.traces, "big.rep"), 3000, 2)
        cls.json = os.path.join(cls.tmp.name, "result.json")
        with open(cls.json, "w") as f:
            r = subprocess.run([MDRIVER, "--series", cls.series, "--json", "--vs", "libc",
                                "-t", cls.traces], stdout=f, stderr=subprocess.PIPE, text=True)
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def out(self, name):
        return os.path.join(self.tmp.name, name)

    def test_util(self):
        for trace in ("small", "big", "small@libc"):
            for ext in ("png", "svg"):
                with self.subTest(trace=trace, ext=ext):
                    r = plot("util", self.series, trace, "-o", self.out(f"u-{trace}.{ext}"))
                    self.assertEqual(r.returncode, 0, r.stderr)
                    assert_image(self, self.out(f"u-{trace}.{ext}"))

    def test_heapmap(self):
        for trace in ("small", "big"):
            for ext in ("png", "svg"):
                with self.subTest(trace=trace, ext=ext):
                    r = plot("heapmap", self.series, trace, "-o", self.out(f"h-{trace}.{ext}"))
                    self.assertEqual(r.returncode, 0, r.stderr)
                    assert_image(self, self.out(f"h-{trace}.{ext}"))

    def test_compare(self):
        for ext in ("png", "svg"):
            r = plot("compare", self.json, "-o", self.out(f"c.{ext}"))
            self.assertEqual(r.returncode, 0, r.stderr)
            assert_image(self, self.out(f"c.{ext}"))
        with open(self.out("c.svg")) as f:
            svg = f.read()
        for name in ("small", "big", "libc", "mm"):
            self.assertIn(name, svg)

    def test_util_leaves_out_a_peer_that_failed(self):
        # naive never reuses a block: in a 4 KiB heap it runs out where mm does not. Its series
        # says why instead of holding the ops it did before; util draws mm and libc, and says
        # why naive is not there.
        trace = self.out("reuse.rep")
        with open(trace, "w") as f:
            f.write("0\n2\n4\n1\na 0 3000\nf 0\na 1 3000\nf 1\n")
        series = self.out("reuse-series")
        subprocess.run(["make", "-s", "-C", ROOT, f"BUILD={BUILD}",
                        os.path.join(BUILD, "a16", "peers", "naive.so")], check=True,
                       stdout=subprocess.DEVNULL)
        r = subprocess.run([MDRIVER, "--series", series, "--vs", "libc,naive", "--max-heap", "4K",
                            "-f", trace], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = plot("util", series, "reuse", "-o", self.out("u-reuse.svg"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stderr, r"plot: .*reuse@naive.series.tsv:2: no series: naive failed: "
                         r"reuse: op 2 \(line 7\): out of memory.*; left out of the plot\n")
        with open(self.out("u-reuse.svg")) as f:
            svg = f.read()
        self.assertIn("heap size (libc)", svg)
        self.assertNotIn("heap size (naive)", svg)

    def test_heapmap_names_the_allocator(self):
        for trace, title in (("small", "small under mm: heap map"),
                             ("small@libc", "small under libc: heap map")):
            with self.subTest(trace=trace):
                out = self.out(f"named-{trace}.svg")
                r = plot("heapmap", self.series, trace, "-o", out)
                self.assertEqual(r.returncode, 0, r.stderr)
                with open(out) as f:
                    self.assertTrue(title in f.read(), f"no title {title!r}")

    def scripts_of(self, *argv):
        """{output file: gnuplot script} of what tools/plot would draw for argv."""
        plot_tool, scripts = plot_module(), {}
        plot_tool.run_gnuplot = lambda script, out: scripts.update({os.path.basename(out): script})
        self.assertIn(plot_tool.main(list(argv)), (0, 1))
        return scripts

    def test_plots_name_the_allocator_the_driver_names(self):
        # The driver's --json says whose series these are: suite's plots use that name, not mm.
        fake = self.out("named-mdriver")
        with open(fake, "w") as f:
            f.write(NAMED_DRIVER.format(python=sys.executable, series=self.series,
                                        json=self.json))
        os.chmod(fake, 0o755)
        scripts = self.scripts_of("suite", "--out", self.out("named"), "-t", self.traces,
                                  "--vs", "libc", "--mdriver", fake)
        self.assertIn("title 'heap size (ada)'", scripts["small-util.png"])
        self.assertIn("title 'heap size (libc)'", scripts["small-util.png"])
        self.assertIn("'small under ada: heap map", scripts["small-heapmap.png"])
        self.assertNotIn("(mm)", scripts["small-util.png"])
        # util and heapmap name the driver's own series as --name says; NAME@ALLOC by ALLOC.
        for kind, trace, text in (("util", "small", "title 'heap size (ada)'"),
                                  ("heapmap", "small", "'small under ada: heap map"),
                                  ("util", "small@libc", "title 'heap size (ada)'"),
                                  ("heapmap", "small@libc", "'small under libc: heap map")):
            with self.subTest(kind=kind, trace=trace):
                script = self.scripts_of(kind, self.series, trace, "--name", "ada", "-o",
                                         self.out("n.svg"))["n.svg"]
                self.assertIn(text, script)

    def test_each_plot_says_where_it_wrote(self):
        out = self.out("said.png")
        for args in (("util", self.series, "small"), ("heapmap", self.series, "small"),
                     ("compare", self.json)):
            with self.subTest(args[0]):
                r = plot(*args, "-o", out)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn(f"plot: wrote {out}", r.stderr)

    def test_compare_tells_apart_the_same_allocator_in_two_files(self):
        for stem in ("alice", "bob"):
            shutil.copy(self.json, self.out(f"{stem}.json"))
        r = plot("compare", self.out("alice.json"), self.out("bob.json"), "-o", self.out("ab.svg"))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.out("ab.svg")) as f:
            svg = f.read()
        for label in ("mm (alice)", "mm (bob)", "libc (alice)", "libc (bob)"):
            self.assertTrue(label in svg, f"no bars labelled {label}")

    def test_suite(self):
        out = self.out("suite")
        r = plot("suite", "--out", out, "-t", self.traces, "--vs", "libc", "--mdriver", MDRIVER)
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in ("small-util.png", "small-heapmap.png", "big-util.png", "big-heapmap.png",
                     "compare.png", "compare.svg"):
            assert_image(self, os.path.join(out, name))
        with open(os.path.join(out, "results.json")) as f:
            self.assertEqual(len(json.load(f)["traces"]), 2)

    def test_suite_with_a_trace_of_no_ops(self):
        # A header and no ops is a valid trace: it has nothing to draw over time, and the
        # other traces' plots must still be drawn.
        traces = self.out("with-empty")
        os.makedirs(traces, exist_ok=True)
        shutil.copy(os.path.join(self.traces, "small.rep"), traces)
        shutil.copy(os.path.join(ROOT, "tests", "bad-traces", "valid", "zero-ops.rep"), traces)
        out = self.out("suite-with-empty")
        r = plot("suite", "--out", out, "-t", traces, "--vs", "", "--mdriver", MDRIVER)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("plot: zero-ops: no ops, so no util or heap map plot", r.stderr)
        for name in ("small-util.png", "small-heapmap.png", "compare.png", "compare.svg"):
            assert_image(self, os.path.join(out, name))
        self.assertFalse(os.path.exists(os.path.join(out, "zero-ops-util.png")))


@unittest.skipUnless(shutil.which("gnuplot"), "gnuplot is not installed (.ci/run installs it)")
class SuiteWithFailures(unittest.TestCase):
    """`suite` over a driver whose allocator crashes on one of two traces."""
    BUILD = os.path.join("build", "t", "plot-segfault")
    MDRIVER = os.path.join(ROOT, BUILD, "mdriver")

    @classmethod
    def setUpClass(cls):
        subprocess.run(["make", "-s", "-C", ROOT, "mdriver", "MM=tests/broken/segfault.c",
                        f"BUILD={cls.BUILD}", f"MDRIVER={os.path.relpath(cls.MDRIVER, ROOT)}"],
                       check=True, stdout=subprocess.DEVNULL)
        cls.tmp = tempfile.TemporaryDirectory()
        cls.traces = os.path.join(cls.tmp.name, "traces")
        os.mkdir(cls.traces)
        write_trace(os.path.join(cls.traces, "small.rep"), 60, 1)
        shutil.copy(os.path.join(ROOT, "tests", "broken", "traces", "segfault.rep"), cls.traces)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_util_and_heapmap_of_a_failed_run_say_why(self):
        # The run crashed at op 1: its series, cut off by the crash, is replaced by the
        # driver's error, which the plots give instead of drawing (or misreading) it.
        series = os.path.join(self.tmp.name, "crashed")
        r = subprocess.run([self.MDRIVER, "--series", series, "-f",
                            os.path.join(self.traces, "segfault.rep")], capture_output=True)
        self.assertEqual(r.returncode, 1)
        for kind, tsv in (("util", "series"), ("heapmap", "blocks")):
            with self.subTest(kind=kind):
                out = os.path.join(self.tmp.name, f"crashed-{kind}.png")
                r = plot(kind, series, "segfault", "-o", out)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertRegex(r.stderr, rf"^plot: .*segfault\.{tsv}\.tsv:2: no series: mm "
                                 r"failed: segfault: op 1 \(line 6\): signal SIGSEGV")
                self.assertFalse(os.path.exists(out))

    def test_suite_shows_progress_and_why_a_trace_failed(self):
        out = os.path.join(self.tmp.name, "plots")
        r = plot("suite", "--out", out, "-t", self.traces, "--vs", "libc",
                 "--mdriver", self.MDRIVER)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stderr, r"\[1/2\] segfault .* with mm", "no progress per trace")
        self.assertRegex(r.stderr, r"plot: segfault: mm failed \(.*signal SIGSEGV.*\)")
        for name in ("small-util.png", "small-heapmap.png", "compare.png"):
            assert_image(self, os.path.join(out, name))
        self.assertFalse(os.path.exists(os.path.join(out, "segfault-util.png")))


@unittest.skipUnless(shutil.which("gnuplot"), "gnuplot is not installed (.ci/run installs it)")
class Interrupted(unittest.TestCase):
    def test_ctrl_c_ends_suite_quietly(self):
        # Ctrl-C while the driver runs: one line, status 130, no traceback, nothing left.
        with tempfile.TemporaryDirectory() as tmp:
            os.symlink(os.path.join(ROOT, "traces", "random-1m.rep.xz"),
                       os.path.join(tmp, "random-1m.rep.xz"))
            p, _, err = ctrl_c.interrupt([sys.executable, PLOT, "suite", "--out",
                                          os.path.join(tmp, "plots"), "-t", tmp, "--vs", "libc"],
                                         RUNNING_SECS, ROOT)
        self.assertEqual(p.returncode, 130, err)
        self.assertNotIn("Traceback", err)
        self.assertEqual(err.splitlines()[-1], "plot: interrupted")
        self.assertEqual(ctrl_c.left_running(p), [])


class Units(unittest.TestCase):
    def test_a_unit_is_taken_from_twice_its_size(self):
        # so that an axis reads 1500 bytes or 2 KiB, never 1.46 KiB
        byte_unit = plot_module().byte_unit
        self.assertEqual(byte_unit(2047), ("bytes", 1))
        self.assertEqual(byte_unit(2048), ("KiB", 1 << 10))
        self.assertEqual(byte_unit((2 << 20) - 1), ("KiB", 1 << 10))
        self.assertEqual(byte_unit(2 << 20), ("MiB", 1 << 20))
        self.assertEqual(byte_unit(2 << 30), ("GiB", 1 << 30))


@unittest.skipUnless(shutil.which("gnuplot"), "gnuplot is not installed (.ci/run installs it)")
class Errors(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(text)

    def assertFails(self, r, text):
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(text, r.stderr.strip().split("\n")[-1])

    def test_malformed_tsv(self):
        out = os.path.join(self.dir, "x.png")
        cases = [
            ("op\tlive\theap\n1\t2\t3\n", ":1: expected the header"),
            ("# op\tlive_payload\theap_size\n0\t16\t32\n1\t16\n",
             "t.series.tsv:3: expected 3 fields"),
            ("# op\tlive_payload\theap_size\n0\t16\t32\t8\n", "t.series.tsv:2: expected 3 fields"),
            ("# op\tlive_payload\theap_size\n0\tx\t32\n", "t.series.tsv:2: not an integer"),
            ("# op\tlive_payload\theap_size\n0\t-5\t32\n", "t.series.tsv:2: negative"),
            ("# op\tlive_payload\theap_size\n0\t16\t-1\n", "t.series.tsv:2: negative"),
            ("# op\tlive_payload\theap_size\n", "no rows"),
        ]
        for text, msg in cases:
            with self.subTest(msg):
                self.write("t.series.tsv", text)
                self.assertFails(plot("util", self.dir, "t", "-o", out), msg)
                self.assertFalse(os.path.exists(out))
        self.write("t.series.tsv", "# op\tlive_payload\theap_size\n0\t16\t32\n")
        self.write("t.blocks.tsv", "# id\tstart_op\tend_op\toffset\tsize\n0\t5\t4\t0\t16\n")
        self.assertFails(plot("heapmap", self.dir, "t", "-o", out), "t.blocks.tsv:2: end_op 4")
        self.assertFails(plot("util", self.dir, "none", "-o", out),
                         "none.series.tsv:0: cannot open")
        self.assertFails(plot("util", self.dir, "t", "-o", os.path.join(self.dir, "x.jpg")),
                         "must end in .png or .svg")
        self.assertFails(plot("util", self.dir, "t", "-o", "/nonexistent/dir/x.png"),
                         "/nonexistent/dir/x.png: cannot write: no directory /nonexistent/dir")

    def test_malformed_json(self):
        out = os.path.join(self.dir, "c.png")
        cases = [("{not json", "not valid JSON"),
                 ('{"allocator": "mm"}', "no \"traces\" list"),
                 ('{"traces": [{"util": 0.5}]}', "trace entry 1 has no \"name\""),
                 ('{"traces": [{"name": "t", "util": 1, "kops": 1}, {"name": 1}]}',
                  "trace entry 2 has a \"name\" that is not a string"),
                 ('{"traces": [7]}', "trace entry 1 is not an object"),
                 ('{"traces": [{"name": "t", "util": "high", "kops": 1}]}',
                  "\"util\" is not a number"),
                 ('{"traces": []}', "no traces")]
        for text, msg in cases:
            with self.subTest(msg):
                self.write("r.json", text)
                self.assertFails(plot("compare", os.path.join(self.dir, "r.json"), "-o", out), msg)
        self.assertFails(plot("compare", os.path.join(self.dir, "none.json"), "-o", out),
                         "cannot open")

    def test_compare_of_failed_runs(self):
        out = os.path.join(self.dir, "c.png")
        failed = {"valid": False, "error": "t: op 1 (line 6): signal SIGSEGV", "util": None,
                  "kops": None}
        for peer, drawn in (({"valid": False, "error": "timeout after 30 s", "util": None,
                              "kops": None}, False),
                            ({"valid": True, "error": None, "util": None, "kops": 900.0}, True)):
            with self.subTest(drawn=drawn):
                self.write("r.json", json.dumps({"allocator": "mm", "traces": [
                    dict(failed, name="t", vs={"libc": peer})]}))
                r = plot("compare", os.path.join(self.dir, "r.json"), "-o", out)
                if drawn:   # the failed run and the missing utilization leave gaps
                    self.assertEqual(r.returncode, 0, r.stderr)
                    assert_image(self, out)
                else:
                    self.assertFails(r, "every run failed: t (mm): t: op 1 (line 6): signal "
                                        "SIGSEGV; t (libc): timeout after 30 s")

    def test_compare_of_correctness_only_runs(self):
        # mdriver -c --json: utilizations and no throughput at all; the throughput panel is
        # drawn empty, not refused by gnuplot.
        out = os.path.join(self.dir, "c.png")
        run = {"valid": True, "error": None, "util": 0.8, "kops": None}
        self.write("r.json", json.dumps({"allocator": "mm", "traces": [
            dict(run, name="t", vs={"naive": dict(run, util=0.5)})]}))
        r = plot("compare", os.path.join(self.dir, "r.json"), "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        assert_image(self, out)

    def test_missing_gnuplot(self):
        self.write("t.series.tsv", "# op\tlive_payload\theap_size\n0\t16\t32\n")
        r = plot("util", self.dir, "t", "-o", os.path.join(self.dir, "x.png"),
                 env={"PATH": "/nonexistent"})
        self.assertFails(r, "gnuplot not found")

    def test_an_output_that_cannot_be_written_is_one_line_naming_it(self):
        # A folder, and a file gnuplot cannot open (it then writes the image to stdout).
        self.write("t.series.tsv", "# op\tlive_payload\theap_size\n0\t16\t32\n")
        folder = os.path.join(self.dir, "d.png")
        os.mkdir(folder)
        for out in (folder, "/proc/x.png"):
            with self.subTest(out):
                r = plot("util", self.dir, "t", "-o", out)
                self.assertFails(r, f"{out}")
                self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        self.assertEqual(os.listdir(folder), [])

    def test_suite_without_driver(self):
        r = plot("suite", "--out", self.dir, "--mdriver", os.path.join(self.dir, "mdriver"))
        self.assertFails(r, "not built")

    def test_suite_makes_its_folder_only_where_the_parent_is(self):
        # a mistyped path is told, not made, as mdriver --series and gentrace suite tell it
        missing = os.path.join(self.dir, "missing")
        r = plot("suite", "--out", os.path.join(missing, "plots"), "-t", self.dir)
        self.assertFails(r, f"plot: {missing}/plots: its parent directory does not exist")
        self.assertFalse(os.path.exists(missing))

    def test_option_errors_name_the_subcommand(self):
        r = plot("util", self.dir)
        self.assertEqual(r.returncode, 2)
        self.assertIn("plot util: error: the following arguments are required", r.stderr)

    def test_bad_arguments(self):
        self.assertEqual(plot("bogus").returncode, 2)
        self.assertEqual(plot("util", self.dir).returncode, 2)
        r = plot("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("heapmap", r.stdout)


if __name__ == "__main__":
    unittest.main()
