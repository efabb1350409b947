"""tools/gentrace: every family makes valid, reproducible traces; check validates and counts;
resample keeps the distributions; bad input gets a clear error and exit status 2."""
import json
import lzma
import os
import re
import resource
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

import ctrl_c

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENTRACE = os.path.join(ROOT, "tools", "gentrace")
MDRIVER = os.path.join(ROOT, "mdriver")

# One small configuration per family (and per variant a family is known for).
FAMILIES = {
    "random-uniform-short": ["random", "--dist", "uniform", "--lifetime", "short"],
    "random-exp-long": ["random", "--dist", "exp", "--mean", "300", "--lifetime", "long"],
    "random-power-mixed": ["random", "--dist", "power", "--max", "1M", "--lifetime", "mixed",
                           "--realloc", "0.1", "--calloc", "0.1", "--live", "200"],
    "binary": ["binary", "--small", "16", "--large", "112", "--grow", "16"],
    "binary-free-small": ["binary", "--free", "small", "--jitter", "8", "--rounds", "3"],
    "coalescing": ["coalescing", "--live", "200", "--order", "forward"],
    "realloc-vector": ["realloc", "--pattern", "vector"],
    "realloc-append": ["realloc", "--pattern", "append", "--count", "8"],
    "realloc-shrink": ["realloc", "--pattern", "shrink", "--max", "1M"],
    "phased": ["phased", "--phases", "3"],
    "tiny-huge": ["tiny-huge", "--live", "300", "--huge-rate", "0.01"],
    "calloc": ["calloc", "--live", "200"],
}
SEEDS = (1, 2, 3)
OPS = 3000
RUNNING_SECS = 1  # how long a run goes before the Ctrl-C test interrupts it
MEMORY_LIMIT = 120 << 20  # address space in which a run of 10^8 ops runs out within seconds
SUBCOMMANDS = ("random", "binary", "coalescing", "realloc", "phased", "tiny-huge", "calloc",
               "resample", "suite", "check")
# What `gentrace suite` writes: one trace per variant.
SUITE_NAMES = ("random-uniform", "random-exp", "random-power", "random-unbal", "random-resize",
               "binary", "coalescing", "coalescing-large", "realloc-vector", "realloc-append",
               "realloc-shrink", "phased", "tiny-huge", "tiny-many", "calloc", "calloc-tables")


def run(args, **kw):
    return subprocess.run([sys.executable, GENTRACE] + args, capture_output=True, text=True,
                          **kw)


def check_json(path):
    p = run(["check", "--json", path])
    if p.returncode != 0:
        raise AssertionError(f"gentrace check {path}: {p.stderr}")
    return json.loads(p.stdout)[0]


class Families(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.files = {}
        for name, args in FAMILIES.items():
            for seed in SEEDS:
                path = os.path.join(cls.tmp.name, f"{name}-{seed}.rep")
                p = run(args + ["--seed", str(seed), "--ops", str(OPS), "-o", path])
                if p.returncode != 0:
                    raise AssertionError(f"gentrace {' '.join(args)}: {p.stderr}")
                cls.files[name, seed] = path

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def read(self, name, seed):
        with open(self.files[name, seed], "rb") as f:
            return f.read()

    def test_valid_and_balanced(self):
        for (name, seed), path in self.files.items():
            with self.subTest(family=name, seed=seed):
                s = check_json(path)
                # an even count is all a balanced trace without reallocs can have
                self.assertIn(s["ops"], (OPS - 1, OPS))
                self.assertTrue(s["balanced"])
                self.assertGreater(s["ops_by_kind"]["a"] + s["ops_by_kind"]["c"], 0)
                with open(path) as f:
                    head = [f.readline().strip() for _ in range(4)]
                self.assertEqual(int(head[2]), s["ops"])
                self.assertEqual(head[3], "1")
                # num_ids is exactly what is used: ids are reused from the lowest
                self.assertEqual(s["num_ids"], s["ids_used"])

    def test_header_suggests_the_peak_live_bytes(self):
        for (name, seed), path in self.files.items():
            with self.subTest(family=name, seed=seed):
                with open(path) as f:
                    suggested = int(f.readline())
                self.assertEqual(suggested, check_json(path)["peak_live_bytes"])

    def test_new_blocks_take_the_lowest_free_id(self):
        for (name, seed), path in self.files.items():
            with self.subTest(family=name, seed=seed):
                with open(path) as f:
                    ops = [line.split() for line in f.read().splitlines()[4:]]
                live = set()
                for op in ops:
                    if op[0] == "f":
                        live.discard(int(op[1]))
                    elif op[0] in "ac":
                        lowest = min(i for i in range(len(live) + 1) if i not in live)
                        self.assertEqual(int(op[1]), lowest, " ".join(op))
                        live.add(lowest)

    @unittest.skipUnless(os.access(MDRIVER, os.X_OK), "./mdriver is not built")
    def test_driver_reads_them(self):
        # A copy, so that a `make` elsewhere replacing ./mdriver meanwhile changes nothing here.
        mdriver = os.path.join(self.tmp.name, "mdriver")
        shutil.copy2(MDRIVER, mdriver)
        # Exit status 2 would be a trace the driver rejects; 1 would be mm.c's fault, which
        # its own tests catch, so only a rejection fails here.
        for (name, seed), path in self.files.items():
            with self.subTest(family=name, seed=seed):
                p = subprocess.run([mdriver, "-c", path], capture_output=True, text=True,
                                   timeout=120)
                self.assertIn(p.returncode, (0, 1), p.stderr)
                self.assertNotIn(f"{path}:", p.stderr)

    def test_same_seed_same_bytes(self):
        for name, args in FAMILIES.items():
            with self.subTest(family=name):
                p = run(args + ["--seed", "2", "--ops", str(OPS)])
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(p.stdout.encode(), self.read(name, 2))

    def test_different_seeds_differ(self):
        for name in FAMILIES:
            with self.subTest(family=name):
                texts = {self.read(name, seed) for seed in SEEDS}
                self.assertEqual(len(texts), len(SEEDS))

    def test_families_do_what_they_say(self):
        s = check_json(self.files["realloc-append", 1])
        self.assertGreater(s["realloc_share"], 0.3)
        s = check_json(self.files["calloc", 1])
        self.assertGreater(s["ops_by_kind"]["c"], 2 * s["ops_by_kind"]["a"])
        s = check_json(self.files["tiny-huge", 1])
        self.assertLessEqual(s["block_size"]["p90"], 64)
        self.assertGreaterEqual(s["block_size"]["max"], 1 << 20)
        s = check_json(self.files["binary", 1])
        self.assertEqual(set(s["size_histogram"]), {"16-31", "64-127", "128-255"})


class Options(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def test_unbalanced_leaves_blocks_live(self):
        out = self.path("u.rep")
        p = run(["random", "--unbalanced", "--ops", "2001", "--live", "300", "-o", out])
        self.assertEqual(p.returncode, 0, p.stderr)
        s = check_json(out)
        self.assertEqual(s["ops"], 2001)
        self.assertFalse(s["balanced"])
        self.assertGreater(s["final_live_blocks"], 100)

    def test_calloc_arrays_stay_within_max(self):
        out = self.path("c.rep")
        p = run(["calloc", "--max", "2K", "--max-nmemb", "100000", "--ops", "3000", "-o", out])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertLessEqual(check_json(out)["block_size"]["max"], 2048)

    def test_closing_frees_come_in_no_order(self):
        # a balanced trace ends by freeing what is live, shuffled as programs tear down: not in
        # id order, which would hand an allocator neighbours freed in a row
        p = run(["random", "--lifetime", "long", "--live", "200", "--ops", "2000"])
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()[4:]
        tail = []
        while lines and lines[-1].startswith("f "):
            tail.append(int(lines.pop().split()[1]))
        self.assertGreater(len(tail), 50)
        self.assertNotIn(tail, (sorted(tail), sorted(tail, reverse=True)))

    def test_a_share_of_zero_makes_no_calloc(self):
        # With blocks dying young, the realloc share often meets a heap with none live: those
        # draws make plain mallocs, not callocs the zero share never asked for.
        for fam, share in (("random", "--calloc"), ("calloc", "--share")):
            p = run([fam, share, "0", "--realloc", "0.5", "--lifetime", "short", "--live", "2",
                     "--ops", "5000"])
            self.assertEqual(p.returncode, 0, p.stderr)
            kinds = {line.split()[0] for line in p.stdout.splitlines()[4:]}
            with self.subTest(family=fam):
                self.assertEqual(kinds, {"a", "f", "r"})

    def test_live_blocks_settle_near_live_for_every_lifetime(self):
        # Each lifetime kind has mean --live (Little's law): the peak count of live blocks is
        # of that order (mixed's long-lived tenth is still building up at 4000 ops), not a
        # small fraction of it.
        for kind in ("short", "long", "mixed"):
            out = self.path(f"{kind}.rep")
            p = run(["random", "--lifetime", kind, "--live", "200", "--ops", "4000", "-o", out])
            self.assertEqual(p.returncode, 0, p.stderr)
            with self.subTest(lifetime=kind):
                self.assertGreaterEqual(check_json(out)["peak_live_blocks"], 200 // 2)

    def test_fresh_ids(self):
        out = self.path("f.rep")
        self.assertEqual(run(["random", "--fresh-ids", "--ops", "2000", "-o", out]).returncode, 0)
        s = check_json(out)
        self.assertEqual(s["num_ids"], s["ops_by_kind"]["a"])

    def test_xz_output_without_xz_says_which_package(self):
        """No xz on PATH: one line naming the Debian package, status 2, no file."""
        out = self.path("t.rep.xz")
        p = run(["random", "--ops", "10", "-o", out], env=dict(os.environ, PATH=self.tmp.name))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stderr, f"gentrace: {out}: cannot compress: xz is not installed "
                                   "(Debian package xz-utils)\n")
        self.assertFalse(os.path.exists(out))

    def test_xz_output_is_the_same_trace(self):
        out = self.path("t.rep.xz")
        self.assertEqual(run(["phased", "--ops", "2000", "-o", out]).returncode, 0)
        with lzma.open(out, "rt") as f:
            self.assertEqual(f.read(), run(["phased", "--ops", "2000"]).stdout)
        with open(out, "rb") as f:
            first = f.read()
        self.assertEqual(run(["phased", "--ops", "2000", "-o", out]).returncode, 0)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), first)
        self.assertTrue(check_json(out)["balanced"])

    def test_sizes_take_k_m_g_suffixes_up_to_the_drivers_heap(self):
        for size, largest in (("4K", 4 << 10), ("2M", 2 << 20), ("1G", 1 << 30), ("1g", 1 << 30)):
            with self.subTest(size=size):
                out = self.path("s.rep")
                p = run(["random", "--dist", "uniform", "--min", size, "--max", size, "--ops",
                         "4", "-o", out])
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(check_json(out)["block_size"]["max"], largest)
        p = run(["random", "--max", "2G"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("too large: '2G' (at most 1G, the driver's heap)", p.stderr)
        help_text = " ".join(run(["random", "--help"]).stdout.split())
        self.assertIn("optional K, M or G suffix (powers of 1024), at most 1G", help_text)

    def made(self, args):
        """gentrace check's statistics of the trace that args make."""
        out = self.path("t.rep")
        p = run(args + ["-o", out])
        self.assertEqual(p.returncode, 0, p.stderr)
        return check_json(out)

    def test_every_byte_option_takes_a_suffix(self):
        for args in (["realloc", "--pattern", "append", "--step", "4K"],
                     ["binary", "--jitter", "1K", "--small", "2K", "--large", "4K"]):
            with self.subTest(args=args):
                self.assertTrue(self.made(args + ["--ops", "200"])["balanced"])

    def test_no_family_asks_for_more_than_the_drivers_heap(self):
        # binary's requests are its sizes plus --grow and --jitter: past the heap, refused
        for args, what in ((["binary", "--large", "1G", "--small", "1G"], "--large + --grow"),
                           (["binary", "--free", "small", "--grow", "1G"], "--small + --grow"),
                           (["binary", "--small", "1G", "--jitter", "8"], "--small + --jitter")):
            with self.subTest(args=args):
                p = run(args + ["--ops", "200"])
                self.assertEqual(p.returncode, 2)
                self.assertEqual(p.stdout, "")
                self.assertIn(f"gentrace binary: error: {what}", p.stderr)
                self.assertIn("above the driver's heap (1073741824 bytes)", p.stderr)
        # phased's odd blocks (up to 4 x --max) and coalescing's merges (a group's total) stay
        # within it: gentrace check, as the driver, refuses any request past it
        for args in (["phased", "--min", "256M", "--max", "1G"],
                     ["coalescing", "--min", "512M", "--max", "1G", "--live", "4"]):
            with self.subTest(args=args):
                self.assertLessEqual(self.made(args + ["--ops", "300"])["block_size"]["max"],
                                     1 << 30)

    def test_help(self):
        self.assertEqual(run(["--help"]).returncode, 0)
        for fam in SUBCOMMANDS:
            with self.subTest(family=fam):
                p = run([fam, "--help"])
                self.assertEqual(p.returncode, 0)
                self.assertIn("usage", p.stdout)

    def test_every_option_says_what_it_is(self):
        for fam in SUBCOMMANDS:
            with self.subTest(family=fam):
                text = " ".join(run([fam, "--help"]).stdout.split())
                bare = re.findall(r"--[\w-]+ [A-Z_]+ \(default", text)
                self.assertEqual(bare, [], "options whose help is only a default")


class Resample(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.src = os.path.join(cls.tmp.name, "src.rep.xz")
        p = run(["random", "--seed", "5", "--ops", "40000", "--dist", "exp", "--min", "8",
                 "--max", "8K", "--mean", "300", "--lifetime", "mixed", "--live", "500",
                 "--realloc", "0.05", "--calloc", "0.05", "-o", cls.src])
        if p.returncode != 0:
            raise AssertionError(p.stderr)
        cls.out = os.path.join(cls.tmp.name, "out.rep")
        p = run(["resample", cls.src, "--seed", "9", "--ops", "40000", "-o", cls.out])
        if p.returncode != 0:
            raise AssertionError(p.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def assertClose(self, a, b, rel, what):
        self.assertLessEqual(abs(a - b), rel * max(abs(a), abs(b), 1),
                             f"{what}: {a} vs {b}")

    def test_distributions_kept(self):
        a, b = check_json(self.src), check_json(self.out)
        self.assertTrue(b["balanced"])
        for q in ("mean", "p10", "p50", "p90"):
            self.assertClose(a["block_size"][q], b["block_size"][q], 0.15, f"size {q}")
        for q in ("mean", "p50", "p90"):
            self.assertClose(a["lifetime_ops"][q], b["lifetime_ops"][q], 0.25, f"lifetime {q}")
        self.assertClose(a["realloc_share"], b["realloc_share"], 0.3, "realloc share")
        self.assertClose(a["calloc_share"], b["calloc_share"], 0.3, "calloc share")
        self.assertClose(a["peak_live_bytes"], b["peak_live_bytes"], 0.3, "peak live bytes")

    def test_new_order(self):
        with lzma.open(self.src, "rt") as f, open(self.out) as g:
            self.assertNotEqual(f.read(), g.read())

    def test_default_ops_is_the_source_count(self):
        p = run(["resample", self.src, "--seed", "1"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(p.stdout.splitlines()[2], ("39999", "40000"))


class Check(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, text, name="t.rep"):
        path = os.path.join(self.tmp.name, name)
        with open(path, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())
        return path

    def test_statistics(self):
        path = self.write("# handmade\n0\n4\n10\n1\n"
                          "a 0 100\nc 1 10 8\nr 0 300   # grows\nf 1\nf 1\nf -1\n"
                          "r 2 5\nf 0\na 0 16\n\nf 2\n")
        s = check_json(path)
        self.assertEqual(s["ops"], 10)
        self.assertEqual(s["ops_by_kind"], {"a": 2, "c": 1, "r": 1, "f": 3, "f_null": 2,
                                            "r_null": 1})
        self.assertEqual(s["peak_live_bytes"], 380)        # 300 + 80
        self.assertEqual(s["peak_live_blocks"], 2)
        self.assertEqual(s["final_live_blocks"], 1)
        self.assertEqual(s["final_live_bytes"], 16)
        self.assertEqual(s["ids_used"], 3)
        self.assertEqual(s["realloc_share"], 0.2)
        self.assertEqual(s["size_histogram"],
                         {"4-7": 1, "16-31": 1, "64-127": 2, "256-511": 1})
        p = run(["check", path])
        self.assertEqual(p.returncode, 0)
        self.assertIn("peak live: 380 bytes, 2 blocks", p.stdout)

    def test_block_size_percentiles(self):
        # sizes 1..10: p10 is the 2nd smallest, p50 the 6th, p90 the 10th
        path = self.write("0\n10\n10\n1\n" + "".join(f"a {i} {i + 1}\n" for i in range(10)))
        b = check_json(path)["block_size"]
        self.assertEqual((b["p10"], b["p50"], b["p90"], b["max"], b["mean"]), (2, 6, 10, 10, 5.5))

    def test_table(self):
        path = self.write("0\n1\n2\n1\na 0 8\nf 0\n", "small.rep")
        origins = self.write("small.rep=by hand\n", "origins")
        p = run(["check", "--table", "--origins", origins, path])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("| small | by hand | 2 | 8 | 1 |", p.stdout)

    BAD = [
        ("", 1, "empty file"),
        ("0\n1\n1\n", 3, "incomplete header"),
        ("0\nx\n1\n1\na 0 1\n", 2, "num_ids"),
        ("0\n1 2\n1\n1\na 0 1\n", 2, "header line 2"),
        ("0\n1\n1\nw\na 0 1\n", 4, "weight"),
        ("0\n1\n1\n1\nm 0 1\n", 5, "unknown op"),
        ("0\n1\n1\n1\na 0\n", 5, "takes 2 fields"),
        ("0\n1\n1\n1\nf 0 9\n", 5, "takes 1 field"),
        ("0\n1\n1\n1\na 1 8\n", 5, "id '1' out of range (num_ids 1)"),
        ("0\n1\n1\n1\na -3 8\n", 5, "out of range"),
        ("0\n1\n1\n1\na 0 -8\n", 5, "size out of range"),
        ("0\n1\n1\n1\na 0 2000000000\n", 5, "size out of range"),
        ("0\n1\n1\n1\nc 0 1000000 1000000\n", 5, "calloc size overflows"),
        ("0\n1\n3\n1\na 0 1\nf 0\n", 6, "header says 3 ops, file has 2"),
        ("0\n1\n1\n1\na 0 1\nf 0\n", 6, "more ops than"),
        ("0\n2\n3\n1\na 0 1\na 1 1\na 0 2\n", 7, "still live"),
        ("0\n1\n2\n1\na 0 1\nf 0\x01\n", 6, "non-text byte 0x01"),
        ("0\n1\n2\n1\na 0 1\nf 0\xff\n", 6, "id '0\ufffd' out of range"),  # UTF-8 is text
        # a field is quoted as the UTF-8 it is (here written as its two bytes), as the driver does
        ("0\n1\n1\n1\na 0 1\u00c3\u00a9\n", 5, "size out of range: '1\u00e9'"),
        # the first error in file order is the one reported, as by the driver
        ("0\n2\n3\n1\na 0 1\na 0 2\nq\xff\n", 6, "still live"),
        ("0\n1\n1\n1\na 0 1\nzz\n", 6, "more ops than"),
        # a weight is digits with at most one point, as the driver reads it: no sign, exponent
        # or digit separator, which Python's float() would take
        ("-0\n1\n1\n1\na 0 1\n", 1, "bad heap size or weight '-0'"),
        ("1e3\n1\n1\n1\na 0 1\n", 1, "bad heap size or weight '1e3'"),
        ("0\n1\n1\n1_0\na 0 1\n", 4, "bad weight or max live bytes '1_0'"),
        # fields are split at spaces, tabs and CRs only, as by the driver: bytes a0 and 85,
        # white space to Python's str.split() once read as Latin-1, are part of a field
        ("0\n1\n1\n1\na\xa00\x851\n", 5, "unknown op"),
    ]

    def test_malformed(self):
        for text, line, what in self.BAD:
            with self.subTest(trace=text):
                path = self.write(text.encode("latin-1"))
                for cmd in (["check", path], ["resample", path, "--ops", "10"]):
                    p = run(cmd)
                    self.assertEqual(p.returncode, 2, p.stdout)
                    self.assertEqual(p.stdout, "")
                    self.assertIn(f"{path}:{line}: ", p.stderr)
                    self.assertIn(what, p.stderr)

    def test_agrees_with_the_driver_corpus(self):
        # tests/bad-traces: each file names the line the driver reports (L<n>, or Leof for the
        # end of the file); valid/ holds traces the driver accepts.
        corpus = os.path.join(ROOT, "tests", "bad-traces")
        if not os.path.isdir(corpus):
            self.skipTest("no tests/bad-traces")
        for name in sorted(os.listdir(corpus)):
            m = re.search(r"\.L(\d+|eof)\.rep(\.xz)?$", name)
            if not m:
                continue
            with self.subTest(trace=name):
                path = os.path.join(corpus, name)
                p = run(["check", path])
                self.assertEqual(p.returncode, 2, p.stdout)
                if m.group(1) != "eof":
                    self.assertTrue(p.stderr.startswith(f"{path}:{m.group(1)}: "), p.stderr)
        valid = os.path.join(corpus, "valid")
        for name in sorted(os.listdir(valid)) if os.path.isdir(valid) else []:
            with self.subTest(trace=name):
                p = run(["check", os.path.join(valid, name)])
                self.assertEqual(p.returncode, 0, p.stderr)

    def test_unreadable(self):
        missing = os.path.join(self.tmp.name, "missing.rep")
        p = run(["check", missing])
        self.assertEqual(p.returncode, 2)
        self.assertIn(f"{missing}:0: cannot open", p.stderr)
        notxz = self.write("0\n1\n0\n1\n", "plain.rep.xz")
        p = run(["check", notxz])
        self.assertEqual(p.returncode, 2)
        self.assertIn(f"{notxz}:0: cannot decompress", p.stderr)

    def test_bad_file_among_good_ones(self):
        good = self.write("0\n1\n2\n1\na 0 8\nf 0\n", "good.rep")
        bad = self.write("0\n1\n2\n1\na 0 8\n", "bad.rep")
        p = run(["check", "--json", good, bad])
        self.assertEqual(p.returncode, 2)
        self.assertEqual([s["name"] for s in json.loads(p.stdout)], ["good"])
        self.assertIn(f"{bad}:5: header says 2 ops", p.stderr)

    def test_nothing_to_resample(self):
        path = self.write("0\n1\n1\n1\nf -1\n")
        p = run(["resample", path])
        self.assertEqual(p.returncode, 2)
        self.assertIn("allocates nothing", p.stderr)


class Interrupted(unittest.TestCase):
    def test_ctrl_c_ends_quietly_and_writes_nothing(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "big.rep")
            p, _, err = ctrl_c.interrupt([sys.executable, GENTRACE, "random", "--ops",
                                          "100000000", "-o", out], RUNNING_SECS, ROOT)
            self.assertEqual(os.listdir(tmp), [])
        self.assertEqual(p.returncode, 130, err)
        self.assertEqual(err, "gentrace: interrupted\n")


class BadFlags(unittest.TestCase):
    CASES = [
        (["nosuch"], "invalid choice"),
        ([], "required"),
        (["random", "--ops", "0"], "--ops"),
        (["random", "--ops", "many"], "not an integer"),
        (["random", "--ops", "1"], "--ops 1 makes no balanced trace"),
        (["resample", "x.rep", "--ops", "1"], "--ops 1 makes no balanced trace"),
        (["random", "--dist", "normal"], "--dist"),
        (["random", "--min", "100", "--max", "10"], "--min (100 bytes) is above --max (10 bytes)"),
        # a default named with its value: --start is 32 unless given
        (["realloc", "--pattern", "shrink", "--max", "8"], "--start (32 bytes) is above --max"),
        (["random", "--min", "8", "--max", "64", "--mean", "100"], "--mean"),
        (["random", "--realloc", "1.5"], "[0, 1]"),
        (["random", "--realloc", "0.6", "--calloc", "0.6"], "add up to more than 1"),
        (["random", "--max", "4G"], "--max"),
        (["random", "--bogus"], "unrecognized arguments"),
        (["binary", "--jitter", "64"], "--jitter"),
        (["binary", "--pairs", "-1"], "must not be negative"),
        (["phased", "--live", "-5"], "must not be negative"),
        (["coalescing", "--group", "1"], "--group"),
        (["realloc", "--pattern", "grow"], "--pattern"),
        (["realloc", "--factor", "1"], "--factor"),
        (["tiny-huge", "--huge-min", "2M", "--huge-max", "1M"],
         "--huge-min (2097152 bytes) is above"),
        (["resample"], "required: input"),
        (["check"], "required: FILE"),
        (["check", "--json", "--table", "x"], "not allowed with"),
    ]

    def test_bad_flags(self):
        for args, what in self.CASES:
            with self.subTest(args=args):
                p = run(args)
                self.assertEqual(p.returncode, 2, p.stdout)
                self.assertIn(what, p.stderr)
                self.assertEqual(p.stdout, "")

    def test_cross_option_errors_name_the_family(self):
        for args, what in [(["random", "--min", "100", "--max", "10"], "--min (100 bytes) is"),
                           (["coalescing", "--group", "1"], "--group must be at least 2")]:
            with self.subTest(args=args):
                p = run(args)
                self.assertEqual(p.returncode, 2)
                self.assertIn(f"usage: gentrace {args[0]} ", p.stderr)
                self.assertIn(f"gentrace {args[0]}: error: {what}", p.stderr)

    def test_output_the_driver_would_skip_gets_a_note(self):
        with tempfile.TemporaryDirectory() as d:
            for name, noted in (("t.txt", True), ("t.xz", True), ("t.rep", False),
                                ("t.rep.xz", False), (".t.rep", True)):
                with self.subTest(name=name):
                    p = run(["random", "--ops", "10", "-o", os.path.join(d, name)])
                    self.assertEqual(p.returncode, 0, p.stderr)
                    self.assertEqual("read only .rep and .rep.xz files" in p.stderr, noted)

    def test_trace_whose_live_blocks_outgrow_the_heap_gets_a_note(self):
        # two live blocks of 1G cannot both sit in the driver's 1 GiB heap: every allocator would
        # run out of memory on the trace, so gentrace says so (and still writes it)
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "t.rep")
            for size, noted in (("1G", True), ("1M", False)):
                with self.subTest(size=size):
                    p = run(["random", "--ops", "4", "--min", size, "--max", size, "--live", "2",
                             "-o", out])
                    self.assertEqual(p.returncode, 0, p.stderr)
                    self.assertTrue(os.path.exists(out))
                    self.assertEqual("above the driver's heap" in p.stderr, noted, p.stderr)

    def test_unwritable_output(self):
        p = run(["random", "--ops", "10", "-o", "/nonexistent/dir/t.rep"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("/nonexistent/dir/t.rep: cannot write: No such file", p.stderr)
        with tempfile.TemporaryDirectory() as d:
            p = run(["random", "--ops", "10", "-o", d])
            self.assertEqual(p.returncode, 2)
            # the error alone: no note that a file of that name would not be read as a trace
            self.assertEqual(p.stderr, f"gentrace: {d}: cannot write: Is a directory\n")
            self.assertEqual(os.listdir(d), [], "a temp file was left behind")


class Output(unittest.TestCase):
    """-o FILE: a regular file is replaced whole; a link and a FIFO (or device) stay what they
    are, the trace going where they lead."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.trace = run(["random", "--ops", "10"]).stdout

    def test_a_symlink_stays_and_its_target_gets_the_trace(self):
        target, link = (os.path.join(self.tmp.name, n) for n in ("target.rep", "link.rep"))
        with open(target, "w") as f:
            f.write("old\n")
        os.symlink("target.rep", link)
        p = run(["random", "--ops", "10", "-o", link])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.islink(link))
        with open(target) as f:
            self.assertEqual(f.read(), self.trace)
        self.assertEqual(sorted(os.listdir(self.tmp.name)), ["link.rep", "target.rep"])

    def test_a_fifo_stays_and_its_reader_gets_the_trace(self):
        fifo = os.path.join(self.tmp.name, "pipe.rep")
        os.mkfifo(fifo)
        reader = subprocess.Popen(["cat", fifo], stdout=subprocess.PIPE, text=True)
        for end in (reader.stdout.close, reader.wait, reader.kill):  # run last to first
            self.addCleanup(end)  # (when no trace comes, cat waits for ever)
        p = run(["random", "--ops", "10", "-o", fifo], timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(reader.communicate(timeout=10)[0], self.trace)
        self.assertTrue(stat.S_ISFIFO(os.stat(fifo).st_mode))
        self.assertEqual(os.listdir(self.tmp.name), ["pipe.rep"])

    def test_a_stdout_that_cannot_take_the_trace_is_one_line_and_status_2(self):
        with open("/dev/full", "w") as full:
            p = subprocess.run([sys.executable, GENTRACE, "random", "--ops", "10000"],
                               stdout=full, stderr=subprocess.PIPE, text=True)
        self.assertEqual((p.returncode, p.stderr),
                         (2, "gentrace: cannot write to stdout: No space left on device\n"))
        p = subprocess.run(["sh", "-c", '"$0" "$@" >&-', sys.executable, GENTRACE, "random",
                            "--ops", "10"], capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stderr),
                         (2, "gentrace: cannot write to stdout: Bad file descriptor\n"))

    def test_a_reader_that_stops_early_is_no_error(self):
        p = subprocess.run(["sh", "-c", '"$0" "$@" | head -1', sys.executable, GENTRACE,
                            "random", "--ops", "100000"], capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        self.assertEqual(len(p.stdout.splitlines()), 1)

    def test_running_out_of_memory_is_one_line_and_status_2(self):
        def little_memory():
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        p = run(["random", "--ops", "100000000"], preexec_fn=little_memory, timeout=120)
        self.assertEqual((p.returncode, p.stderr), (2, "gentrace: out of memory\n"))


class Suite(unittest.TestCase):
    """`gentrace suite`: a held-out suite, every family with parameters drawn from one seed."""

    def suite(self, *args):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        out = os.path.join(d, "held")
        p = self.suite_in(out, *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        return out

    def suite_in(self, out, *args):
        return run(["suite", "-o", out, *args], timeout=300)

    def contents(self, d):
        files = {}
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), "rb") as f:
                files[name] = f.read()
        return files

    def test_every_variant_is_a_valid_trace_with_its_command(self):
        d = self.suite("--seed", "3")
        names = sorted(f"{n}.rep" for n in SUITE_NAMES)
        self.assertEqual(sorted(os.listdir(d)), sorted(names + ["commands.txt"]))
        p = run(["check", "--json"] + [os.path.join(d, n) for n in names])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(all(s["balanced"] or "unbal" in s["file"] for s in json.loads(p.stdout)))
        with open(os.path.join(d, "commands.txt")) as f:
            lines = f.read().splitlines()
        self.assertEqual([shlex.split(x)[-1] for x in lines], [os.path.join(d, n) for n in
                         (f"{n}.rep" for n in SUITE_NAMES)])

    def test_each_command_remakes_its_trace(self):
        d = self.suite("--seed", "4")
        with open(os.path.join(d, "commands.txt")) as f:
            lines = f.read().splitlines()
        for line in lines:
            argv = shlex.split(line)
            with self.subTest(trace=os.path.basename(argv[-1])):
                again = argv[-1] + ".again"
                p = subprocess.run([sys.executable] + argv[:-1] + [again], cwd=ROOT,
                                   capture_output=True, text=True, timeout=120)
                self.assertEqual(p.returncode, 0, p.stderr)
                with open(argv[-1], "rb") as a, open(again, "rb") as b:
                    self.assertEqual(a.read(), b.read())

    def test_same_seed_same_suite_another_seed_another(self):
        a, b = self.contents(self.suite("--seed", "5")), self.contents(self.suite("--seed", "5"))
        self.assertEqual({k: v for k, v in a.items() if k != "commands.txt"},
                         {k: v for k, v in b.items() if k != "commands.txt"})
        c = self.contents(self.suite("--seed", "6"))
        self.assertTrue(all(a[k] != c[k] for k in a))

    def test_count_numbers_the_traces_of_each_variant(self):
        files = self.contents(self.suite("--seed", "7", "--count", "2"))
        self.assertEqual(len(files), 2 * len(SUITE_NAMES) + 1)
        for n in SUITE_NAMES:
            self.assertNotEqual(files[f"{n}-1.rep"], files[f"{n}-2.rep"], n)

    def test_a_missing_parent_directory_or_a_file_in_the_way_is_told(self):
        p = run(["suite", "-o", "/nonexistent/dir/held"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("/nonexistent/dir/held: its parent directory does not exist", p.stderr)
        with tempfile.NamedTemporaryFile() as f:
            p = run(["suite", "-o", f.name])
            self.assertEqual(p.returncode, 2)
            self.assertIn(f"{f.name}: cannot make: File exists", p.stderr)

    def test_a_suite_replaces_the_one_before_and_keeps_clear_of_other_traces(self):
        d = self.suite("--seed", "5", "--count", "2")
        self.assertEqual(self.suite_in(d, "--seed", "6").returncode, 0)
        with open(os.path.join(d, "commands.txt")) as f:
            listed = sorted(os.path.basename(shlex.split(x)[-1]) for x in f)
        self.assertEqual(sorted(n for n in os.listdir(d) if n.endswith(".rep")), listed)
        self.assertEqual(len(listed), len(SUITE_NAMES))
        # a trace no suite wrote is not ours to remove, nor to mix with one
        with open(os.path.join(d, "mine.rep"), "w") as f:
            f.write("0\n0\n0\n1\n")
        p = self.suite_in(d, "--seed", "7")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr, f"gentrace: {d} holds traces that no earlier `gentrace suite` "
                                   "wrote there (mine.rep): move them out or give another "
                                   "folder\n")
        self.assertEqual(len(os.listdir(d)), len(SUITE_NAMES) + 2)


if __name__ == "__main__":
    unittest.main()
