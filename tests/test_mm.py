"""mm.c, the reference allocator: its heap checker catches each corruption it claims to detect,
the interface's edges behave (calloc overflow, out of memory, failed realloc, realloc in place,
heap shrinking), and `mdriver -D` (heap checker before every op) passes on the classic traces.

The corruptions are made by tests/fixtures/mm/heapcheck.c, which includes mm.c itself and so can
reach the block layout its design note documents. Both alignments are tested."""
import os
import subprocess
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CSAPP = os.path.join(os.path.dirname(ROOT), "shared", "traces", "csapp")
BUILD = os.path.join("build", "t", "mm")
FIXTURE = os.path.join("tests", "fixtures", "mm", "heapcheck.c")
CLASSIC = ["amptjp-bal", "cccp-bal", "cp-decl-bal", "expr-bal", "coalescing-bal", "random-bal",
           "random2-bal", "binary-bal", "binary2-bal", "realloc-bal", "realloc2-bal"]
ALIGNMENTS = (16, 8)

# scenario -> substring mm_check must print (case-insensitive) when it returns 0
CORRUPTIONS = {
    "size": "bad size",                       # size field running past the epilogue
    "size-zero": "bad size 0",                # size field below the smallest block
    "footer": "footer",                       # free block's footer disagrees with its header
    "prevbit": "prev_alloc bit",              # PREV_ALLOC bit that lies about the left block
    "alloc-tag": "is allocated",              # block of a big class tagged allocated
    "list-link": "prev link",                 # broken free-list link
    "big-link": "big class",                  # big-class link pointing at an allocated block
    "big-bitmap": "big class bitmap bit",     # bitmap bit set for an empty big class
    "big-class": "of another class",          # big free block listed in the wrong class
    "uncoalesced": "not coalesced",           # two adjacent free blocks
    "overlap": "overlapping blocks",          # a block's size swallows its free neighbour
    "missing": "missing from its free big class",  # big free block left out of its class
    "missing-small": "missing from its free list",
    "slot-bitmap": "slot bitmap",             # run bitmap marks slots past the run's end
    "slot-full": "slot bitmap says it is full",  # full run still on its class's list
    "run-map": "not marked in the run map",   # run start missing from the run map
    "heap-size": "recorded heap size",        # heap size kept in the globals disagrees
    "map-len": "recorded run map length",     # map length kept in the globals disagrees
    "run-count": "recorded run count",        # run count kept in the globals disagrees
    "runs-sparse": "quick exit",              # run_of's sparse-runs switch out of step
    "padding": "padding word",                # offset 0, read by free's lookup, not 0
    "table-fits": "table is not retried",     # no table, a free block fits it, no retry due
}


def build_fixture(alignment):
    os.makedirs(os.path.join(ROOT, BUILD), exist_ok=True)
    exe = os.path.join(BUILD, f"heapcheck{alignment}")
    cmd = ["cc", "-O2", "-g", "-std=c11", "-Wall", "-Wextra", "-Werror", "-D_GNU_SOURCE",
           f"-DALIGNMENT={alignment}", "-I.", "-o", exe, FIXTURE, "memlib.c"]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError(f"cannot build {FIXTURE}:\n{p.stderr}")
    return exe


def build_mdriver(alignment):
    if alignment == 16 and os.path.exists(os.path.join(ROOT, "mdriver")):
        return "mdriver"
    out = os.path.join(BUILD, f"a{alignment}", "mdriver")
    cmd = ["make", "-s", "mdriver", f"ALIGNMENT={alignment}",
           f"BUILD={os.path.join(BUILD, f'a{alignment}')}", f"MDRIVER={out}"]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f"cannot build mdriver at ALIGNMENT={alignment}:\n{p.stderr}")
    return out


def run(exe, *args, timeout=120):
    return subprocess.run([os.path.join(".", exe)] + list(args), cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def values(stdout):
    return dict(line.split("=", 1) for line in stdout.splitlines() if "=" in line)


class HeapChecker(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.exe = {a: build_fixture(a) for a in ALIGNMENTS}

    def scenario(self, alignment, name):
        p = run(self.exe[alignment], name)
        self.assertEqual(p.returncode, 0, f"{name} at {alignment}: {p.stdout}{p.stderr}")
        return values(p.stdout), p.stderr

    def test_clean_heap_passes(self):
        for a in ALIGNMENTS:
            v, err = self.scenario(a, "clean")
            self.assertEqual(v.get("mm_check"), "1", err)
            self.assertNotIn("mm_check:", err.replace("mm_check: ok", ""))

    def test_each_corruption_is_caught_and_named(self):
        for a in ALIGNMENTS:
            for name, message in CORRUPTIONS.items():
                with self.subTest(alignment=a, corruption=name):
                    v, err = self.scenario(a, name)
                    self.assertEqual(v.get("mm_check"), "0", f"{name} went unnoticed: {err}")
                    self.assertIn(message, err.lower(), f"{name}: wrong diagnosis")
                    self.assertIn("offset", err, f"{name}: the message must say where")


class Interface(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.exe = {a: build_fixture(a) for a in ALIGNMENTS}

    def check(self, name, expected):
        for a in ALIGNMENTS:
            with self.subTest(alignment=a):
                p = run(self.exe[a], name)
                self.assertEqual(p.returncode, 0, p.stderr)
                v = values(p.stdout)
                for key, want in expected.items():
                    self.assertEqual(v.get(key), want, f"{name}: {key} ({p.stdout}{p.stderr})")
                self.assertEqual(v.get("mm_check"), "1", f"{name}: heap unsound: {p.stderr}")

    def test_calloc_overflow_gives_null(self):
        self.check("calloc-overflow", {"calloc": "NULL"})

    def test_out_of_memory_gives_null_and_a_sound_heap(self):
        self.check("oom", {"big": "NULL", "filled": "1"})

    def test_failed_realloc_leaves_the_block_intact(self):
        self.check("realloc-fail", {"realloc": "NULL", "intact": "1"})

    def test_realloc_grows_in_place_at_the_top(self):
        self.check("realloc-top", {"same": "1"})

    def test_realloc_grows_into_a_free_neighbour_and_shrinks_in_place(self):
        self.check("realloc-neighbour", {"same": "1", "shrink": "1"})

    def test_heap_shrinks_after_a_big_top_block_is_freed(self):
        self.check("shrink-heap", {"grew": "1", "shrank": "1"})

    def test_free_top_block_serves_only_what_fits_nowhere_else(self):
        self.check("top-last", {"interior": "1"})

    def test_shrink_threshold_doubles_when_given_back_memory_is_wanted_again(self):
        self.check("shrink-backoff", {"first": "1", "kept": "1", "again": "1"})


@unittest.skipUnless(os.path.isdir(CSAPP), "classic traces not found")
class CheckerBeforeEveryOp(unittest.TestCase):
    """mdriver -D: mm_check before every op (correctness-only runs, no timing)."""

    def replay(self, alignment, traces):
        exe = build_mdriver(alignment)
        args = ["-D", "-s", "600"]  # the checker is O(heap) per op: slow on a busy machine
        for t in traces:
            args += ["-c", os.path.join(CSAPP, t + ".rep")]
        p = run(exe, *args, timeout=600)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertNotIn("heap checker", (p.stdout + p.stderr).lower())

    def test_every_classic_trace_at_alignment_16(self):
        self.replay(16, CLASSIC)

    def test_some_classic_traces_at_alignment_8(self):
        self.replay(8, ["amptjp-bal", "coalescing-bal", "binary2-bal", "realloc2-bal"])


if __name__ == "__main__":
    unittest.main()
