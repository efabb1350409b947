"""The driver catches every deliberately broken allocator in tests/broken/ with the right message.

Each tests/broken/X.c is an allocator with one fault (its header comment names it): the correct
allocator of tests/broken/base.h with the few lines that make the fault, which the file holds.
tests/broken/traces/X.rep is a small trace on which the fault shows at a known op. The driver is
built around each one (`make mdriver MM=tests/broken/X.c ...`), run on that trace, and must exit
with status 1 and report `X: op N (line L): <what>` with the substring the team's conventions
give for that fault. Two correct allocators, one per submission style, are controls: the same
driver must pass them on every trace with status 0, so a driver that rejects everything fails.
"""
import concurrent.futures
import fcntl
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BROKEN = os.path.join("tests", "broken")
TRACES = os.path.join(BROKEN, "traces")
CLASSIC = os.path.join(os.path.dirname(ROOT), "shared", "traces", "csapp")

# name: (substring of the failure, op, line); op and line None where no op is to blame.
# Ops count from 0, as the driver numbers them; the traces have four header lines.
FAULTS = {
    "misaligned": ("not aligned", 2, 7),
    "overlap": ("overlaps", 2, 7),
    "enclosing": ("overlaps", 4, 9),
    "inside": ("(it lies inside that block)", 3, 8),
    "outside_heap": ("outside the heap", 1, 6),
    "beyond_break": ("outside the heap", 4, 9),
    "tail_past_break": ("outside the heap", 0, 5),
    "corrupt_neighbour": ("corrupted", None, None),  # op 2 or 3: checked in its own test
    # Found under -D after unswept ops, then pinned by a second replay with a clock of its own.
    "corrupt_slow": ("corrupted at byte 312; op 5 (line 10) changed it", 6, 11),
    "realloc_drop": ("realloc did not preserve", 1, 6),
    "realloc_truncate": ("realloc did not preserve", 1, 6),
    "realloc_last_byte": ("byte 12 of the first 13 differs", 1, 6),
    # The bytes a shrinking realloc keeps are checked to the last one too.
    "realloc_shrink_last_byte": ("byte 12 of the first 13 differs", 1, 6),
    # The new block holds what the same id's earlier allocation left there: a different pattern.
    "realloc_drop_reused": ("realloc did not preserve", 3, 8),
    "calloc_nozero": ("calloc did not zero", 2, 7),
    # Memory regrown after a shrink holds its old bytes; only a reset heap reads as zeros.
    "trusts_regrown_heap": ("calloc did not zero", 2, 7),
    "false_null": ("returned NULL", 1, 6),
    "segfault": ("signal SIGSEGV (Segmentation fault) at 0x", 1, 6),
    "write_past_break": ("signal SIGSEGV (Segmentation fault) at 0x", 1, 6),
    # Endless recursion faults below the stack, far above the heap: told so, with no heap offset.
    "stack_overflow": (", past the end of the stack (a stack overflow: endless recursion, or a "
                       "huge local array)", 2, 7),
    "print_crash": ("signal SIGSEGV (Segmentation fault) at 0x0, near NULL", 119, 124),
    # Its stdout, a memory file, stops growing there: killed, not left to fill memory until -s.
    "print_flood": ("printed more than 64 MiB to stdout (debugging output belongs on stderr)", 2,
                    7),
    "abort": ("signal SIGABRT", 1, 6),
    "exit": ("exited", 2, 7),
    # Its replays all end well; the child's pipe for the result is gone, which the message says.
    "close_fds": ("the trace ran to its end, but its result could not be sent to the driver (Bad "
                  "file descriptor)", None, None),
    "hang": ("timed out", 4, 9),
    "fake_score": ("printed to stdout", 0, 5),
    "init_fail": ("mm_init failed", None, None),
    "shrink_heap": ("beyond the break", 2, 7),
    "checker_fails": ("heap checker", 3, 8),
    # A crash in the checker is the checker's, not the op's it runs before.
    "checker_crash": ("heap checker: signal SIGSEGV (Segmentation fault) at 0x0, near NULL, in "
                      "mm's check before this op", 3, 8),
    # Caught on the checked replay after a heap reset, which the message says.
    "stale_init": ("after mem_reset_brk and mm_init again", 0, 5),
    "write_after_reset": ("bytes past the break", None, None),  # in mm_init: its own test
    "pass_bump": ("timed out (a pass took more than 0.2 s: an endless loop, or an allocator too "
                  "slow for this trace; -s SECS sets the limit) (the allocator wrote into the "
                  "driver's pass counter)", 2, 7),
    # The counter set to the first number no replay of a job has, and left there.
    "pass_forge": ("timed out (a pass took more than 0.2 s: an endless loop, or an allocator too "
                   "slow for this trace; -s SECS sets the limit) (the allocator wrote into the "
                   "driver's pass counter)", 2, 7),
    # The checker's field set to an op the trace does not have: the op timed out, not a check.
    "checking_forge": ("timed out (a pass took more than 0.2 s", 2, 7),
    "timed_switch": ("a timing run's heap peaked at 160 bytes, the checked pass's at 80", None,
                     None),
    "timed_crash": ("in mm_init: signal SIGSEGV (Segmentation fault) at 0x0, near NULL (in a "
                    "timing run)", None, None),
    "peak_forge": ("heap's high-water mark (2741 bytes) is below the 8192 bytes", None, None),
}
# Extra driver flags per case: a short timeout for the hang, the heap checker for the checker,
# a timeout shorter than two replays of the slow corruption.
FLAGS = {"hang": ["-s", "1"], "print_flood": ["-s", "20"], "pass_bump": ["-s", "0.2"],
         "pass_forge": ["-s", "0.2"], "checking_forge": ["-s", "0.2"], "checker_fails": ["-D"],
         "checker_crash": ["-D"], "corrupt_slow": ["-D", "-s", "2.6"]}
# The live block a message must name.
BLOCK = {"overlap": 1, "enclosing": 2, "inside": 1, "corrupt_neighbour": 1, "corrupt_slow": 1}
CONTROLS = ["control_original", "control_cmu"]

builds = {}  # name -> (mdriver path, None) or (None, build output)
lock = None


def mdriver_of(name):
    return os.path.join("build", "t", name, "mdriver")


def build(name):
    cmd = ["make", "-s", "mdriver", f"MM={BROKEN}/{name}.c", f"BUILD=build/t/{name}",
           f"MDRIVER={mdriver_of(name)}"]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if p.returncode != 0 or not os.path.exists(os.path.join(ROOT, mdriver_of(name))):
        return name, (None, f"{' '.join(cmd)} failed:\n{p.stdout}{p.stderr}")
    return name, (mdriver_of(name), None)


def seed_objects(src, dst):
    """Copies the driver's object files (times kept, so make finds them up to date) from the
    build of src into that of dst: the driver is the same for every allocator, and compiling
    it twenty times would take most of this module's time. allocator.o is left out: it has the
    build directory compiled in. The allocator's own objects are rebuilt by make anyway."""
    base = os.path.join(ROOT, "build", "t")
    shutil.rmtree(os.path.join(base, dst), ignore_errors=True)
    shutil.copytree(os.path.join(base, src), os.path.join(base, dst),
                    ignore=lambda d, names: [n for n in names
                                             if n in ("mm", "mdriver", "allocator.o", "peers")])


def setUpModule():
    # Other runs of this module in the same tree (make test by someone else) would rebuild the
    # same drivers under our feet: one run at a time, the lock held until the module ends.
    global lock
    os.makedirs(os.path.join(ROOT, "build", "t"), exist_ok=True)
    lock = open(os.path.join(ROOT, "build", "t", ".broken.lock"), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    # Two builds at a time: the machine has two cores and other test modules run alongside.
    # The controls are built from scratch; the broken ones reuse the driver's objects.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        builds.update(ex.map(build, CONTROLS))
        if builds[CONTROLS[0]][0]:
            for name in FAULTS:
                seed_objects(CONTROLS[0], name)
        builds.update(ex.map(build, FAULTS))


def tearDownModule():
    lock.close()


def run(name, args, timeout=60):
    """Runs the driver built around tests/broken/NAME.c; returns the CompletedProcess."""
    exe, err = builds[name]
    if exe is None:
        raise AssertionError(err)
    return subprocess.run([os.path.join(".", exe)] + args, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def failure_re(trace, what, op, line):
    where = rf"op {op} \(line {line}\): " if op is not None else ""
    return re.compile(rf"{re.escape(trace)}: {where}[^\n]*{re.escape(what)}[^\n]*", re.I)


def check_caught(tc, name):
    """Asserts that the driver around tests/broken/NAME.c fails NAME.rep as FAULTS says; returns
    the failure message."""
    what, op, line = FAULTS[name]
    trace = os.path.join(TRACES, name + ".rep")
    p = run(name, FLAGS.get(name, []) + ["-f", trace])
    out = p.stdout + p.stderr
    tc.assertEqual(p.returncode, 1, f"exit status for {name}; output:\n{out}")
    m = failure_re(name, what, op, line).search(out)
    tc.assertIsNotNone(m, f"no `{name}: op {op} (line {line}): ...{what}...` in:\n{out}")
    if name in BLOCK:
        tc.assertRegex(m.group(0), rf"\bblock {BLOCK[name]}\b", "the message names the block")
    return m.group(0)


def fails_saying(tc, name, trace, pattern, flags=()):
    """Asserts that the driver around tests/broken/NAME.c (given flags) fails
    tests/broken/traces/TRACE.rep with status 1 and a message matching pattern on stderr."""
    p = run(name, list(flags) + ["-f", os.path.join(TRACES, trace + ".rep")])
    tc.assertEqual(p.returncode, 1, p.stdout + p.stderr)
    tc.assertRegex(p.stderr, pattern)


class BrokenAllocators(unittest.TestCase):
    """One test per broken allocator (added below from FAULTS)."""


def make_case(name):
    def test(self):
        check_caught(self, name)
    test.__doc__ = f"tests/broken/{name}.c is caught: {FAULTS[name][0]}"
    return test


for _name in FAULTS:
    setattr(BrokenAllocators, f"test_{_name}", make_case(_name))


class Details(unittest.TestCase):
    """What the table alone does not say: the fault's op where the driver may see it at one of
    two points, the exit status, and that a forged report never reaches the driver's stdout."""

    def test_corrupt_neighbour_op(self):
        # The neighbour's bytes change when block 0 is freed (op 2); a driver that verifies only
        # the block being freed notices at op 3, when block 1 is freed. Both are right.
        msg = check_caught(self, "corrupt_neighbour")
        self.assertRegex(msg, r"op (2 \(line 7\)|3 \(line 8\))")

    def test_corruption_pinned_under_big_heap(self):
        # Under -D with 2 MB live, payloads are swept before about one op in eight, not before
        # every op; block 0's free at op 5 corrupts block 1, and the driver must still name
        # op 6, the op before which a sweep would first see it (line 11), not a later sweep's.
        trace = os.path.join(TRACES, "corrupt_neighbour_big.rep")
        p = run("corrupt_neighbour", ["-D", "-f", trace])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertRegex(p.stdout + p.stderr, r"corrupt_neighbour_big: op 6 \(line 11\): payload "
                                              r"of block 1 \[[^)]*\) corrupted")

    def test_corruption_found_at_realloc(self):
        # Block 1 is corrupted when block 0 is freed (op 2) and reallocated next (op 3): the
        # driver verifies it before the call, so it names the corruption, not the realloc.
        trace = os.path.join(TRACES, "corrupt_neighbour_realloc.rep")
        p = run("corrupt_neighbour", ["-f", trace])
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, 1, out)
        self.assertRegex(out, r"corrupt_neighbour_realloc: op 3 \(line 8\): payload of block 1 "
                              r"\[[^)]*\) corrupted")
        self.assertNotIn("realloc did not preserve", out)

    def test_corruption_found_at_trace_end(self):
        # Block 1 is corrupted by the last op and never freed: only the check of every live
        # payload after the last op can see it.
        trace = os.path.join(TRACES, "corrupt_neighbour_end.rep")
        p = run("corrupt_neighbour", ["-f", trace])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertRegex(p.stdout + p.stderr, r"corrupt_neighbour_end: after the last op: payload "
                                              r"of block 1 \[[^)]*\) corrupted")

    def test_corruption_names_the_op_that_made_it(self):
        # A corruption is found later than made: -D names the op that made it (block 0's free,
        # op 2, line 7), and without -D the message says that -D would.
        trace = os.path.join(TRACES, "corrupt_neighbour.rep")
        p = run("corrupt_neighbour", ["-D", "-c", trace])
        self.assertRegex(p.stderr, r"corrupt_neighbour: op 3 \(line 8\): payload of block 1 "
                                   r"\[[^)]*\) corrupted at byte \d+; op 2 \(line 7\) changed it\n")
        p = run("corrupt_neighbour", ["-c", trace])
        self.assertRegex(p.stderr, r"corrupted at byte \d+ \(-D names the op that changed it\)\n")
        p = run("corrupt_neighbour", ["-D", "-f", os.path.join(TRACES,
                                                               "corrupt_neighbour_big.rep")])
        self.assertRegex(p.stderr, r"corrupt_neighbour_big: op 6 \(line 11\): payload of block 1 "
                                   r"\[[^)]*\) corrupted at byte \d+; op 5 \(line 10\) changed it")

    def test_outside_an_empty_heap_says_it_is_empty(self):
        # The first block comes from the static pool before the heap has a byte: there is no
        # range [lo, hi] to give (hi would be below lo).
        fails_saying(self, "outside_heap", "outside_empty_heap",
                     r"outside_empty_heap: op 0 \(line 5\): block 0 \[0x[0-9a-f]+, \+16\) is "
                     r"outside the heap, which is empty \(it starts at 0x[0-9a-f]+\)")

    def test_renumbered_ids_are_told_as_the_file_gives_them(self):
        # overlap.rep with num_ids above what the file could use and ids 1000000000 and
        # 1000000001: the driver numbers them densely inside, but names the file's ids.
        with open(os.path.join(ROOT, TRACES, "overlap.rep")) as f:
            lines = f.read().splitlines()
        lines[1] = str(2**31 - 1)
        lines[4:] = [re.sub(r"^(\w) (\d+)", lambda m: f"{m[1]} {int(m[2]) + 10**9}", ln)
                     for ln in lines[4:]]
        path = os.path.join(ROOT, "build", "t", "overlap-far-ids.rep")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        p = run("overlap", ["-f", path])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertRegex(p.stderr, r"op 2 \(line 7\): block 1000000000 \[[^)]*\) overlaps live "
                                   r"block 1000000001 ")

    def test_stale_init_caught_under_c(self):
        # -c times nothing, but replays after a reset all the same: a student who debugs with -c
        # meets the failure that -f and the grader would report.
        p = run("stale_init", ["-c", os.path.join(TRACES, "stale_init.rep")])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertRegex(p.stderr, r"stale_init: op 0 \(line 5\): [^\n]*after mem_reset_brk and "
                                   r"mm_init again")

    def test_exit_status_named(self):
        msg = check_caught(self, "exit")
        self.assertRegex(msg, r"\b3\b", "the message gives exit()'s status, 3")

    def test_checker_with_d2(self):
        # -d 2 is -D's long form: the same check, the same op.
        p = run("checker_fails", ["-d", "2", "-f", os.path.join(TRACES, "checker_fails.rep")])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        expected = failure_re("checker_fails", *FAULTS["checker_fails"])
        self.assertRegex(p.stdout + p.stderr, expected)

    def test_unpinned_corruption_names_the_unswept_ops(self):
        # --series replays once, so a corruption found after ops that went unswept (2 MB live)
        # is not pinned: the message names every op since the last clean sweep.
        with tempfile.TemporaryDirectory() as series:
            p = run("corrupt_neighbour", ["-D", "--series", series, "-f",
                                          os.path.join(TRACES, "corrupt_neighbour_big.rep")])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertRegex(p.stderr, r"corrupt_neighbour_big: op 10 \(line 15\): payload of block 1 "
                         r"\[0x[0-9a-f]+, \+512\) corrupted at byte 312; one of ops 2 \(line 7\) "
                         r"to 9 \(line 14\) changed it")

    def test_failing_checker_is_asked_again_to_say_why(self):
        p = run("checker_fails", ["-D", "-f", os.path.join(TRACES, "checker_fails.rep")])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertRegex(p.stderr, r"mm_check: free block 0x[0-9a-f]+ is not marked allocated")

    def test_checker_runs_after_the_last_op(self):
        # The only free is the last op: the checker's one chance to fail is after it.
        fails_saying(self, "checker_fails", "checker_fails_end", r"checker_fails_end: after the "
                     r"last op: heap checker: mm's check reported an inconsistent heap; op 2 "
                     r"\(line 7\) left it so", flags=["-D"])

    def test_checker_crash_after_the_last_op_is_the_checkers(self):
        # The only free is the last op: the checker crashes after it, where no op runs.
        fails_saying(self, "checker_crash", "checker_fails_end", r"checker_fails_end: after the "
                     r"last op: heap checker: signal SIGSEGV \(Segmentation fault\) at 0x0, near "
                     r"NULL, in mm's check\n", flags=["-D"])

    def test_overlap_across_shadow_chunks(self):
        # Blocks of 70000 bytes span two 64 KiB chunks of the driver's shadow; block 0 grows
        # to 140000 bytes over block 1.
        fails_saying(self, "overlap", "overlap_big",
                     r"overlap_big: op 2 \(line 7\): block 0 \[0x[0-9a-f]+, \+140000\) "
                     r"overlaps live block 1")

    def test_payload_one_byte_past_the_break_is_outside_the_heap(self):
        # 57 bytes: the block takes 16 + 64 bytes, the heap grows by 72, the payload ends at 73.
        fails_saying(self, "tail_past_break", "tail_past_break_by_one",
                     r"tail_past_break_by_one: op 0 \(line 5\): block 0 \[0x[0-9a-f]+, \+57\) "
                     r"is outside the heap")

    def test_checker_passes_without_debug(self):
        # The allocator is correct; only its checker is wrong, so without -D the trace passes.
        p = run("checker_fails", ["-f", os.path.join(TRACES, "checker_fails.rep")])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_real_exhaustion_is_not_a_false_null(self):
        # The same trace as false_null's, with a correct allocator and a heap of 1 MiB: the
        # second 600000 bytes really do not fit, and the driver must say so, not blame it.
        p = run("control_original", ["--max-heap", "1M", "-f",
                                     os.path.join(TRACES, "false_null.rep")])
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, 1, out)
        self.assertRegex(out, r"false_null: op 1 \(line 6\): [^\n]*out of memory")
        self.assertNotIn("returned NULL", out)

    def test_fake_score_g(self):
        p = run("fake_score", ["-g", "-f", os.path.join(TRACES, "fake_score.rep")])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        lines = p.stdout.splitlines()
        perf = [ln for ln in lines if ln.startswith("perfidx:")]
        correct = [ln for ln in lines if ln.startswith("correct:")]
        self.assertEqual(len(perf), 1, f"one perfidx line, the driver's own:\n{p.stdout}")
        self.assertEqual(correct, ["correct:0"], f"the one trace is not correct:\n{p.stdout}")
        self.assertNotEqual(perf[0], "perfidx:100", "the forged perf index got through")
        self.assertNotIn("99999", p.stdout, "the forged table got through")
        # The perf index is the driver's own computation: the one --json reports too.
        j = run("fake_score", ["--json", "-f", os.path.join(TRACES, "fake_score.rep")])
        self.assertEqual(perf[0], f"perfidx:{json.loads(j.stdout)['total']['perfidx']:.0f}")

    def test_fake_score_json(self):
        p = run("fake_score", ["--json", "-f", os.path.join(TRACES, "fake_score.rep")])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        doc = json.loads(p.stdout)  # the whole stdout is the driver's one JSON object
        self.assertEqual([t["name"] for t in doc["traces"]], ["fake_score"])
        t = doc["traces"][0]
        self.assertIs(t["valid"], False)
        self.assertIn("printed to stdout", t["error"])
        self.assertIs(doc["total"]["valid"], False)
        self.assertNotEqual(doc["total"]["perfidx"], 100.0)

    def test_payload_aligned_to_8_points_to_the_original_rule(self):
        # Textbook code aligns to 8: the message says how to build for the original lab's rule.
        p = run("misaligned", ["-c", os.path.join(TRACES, "misaligned.rep")])
        self.assertRegex(p.stderr, r"misaligned: op 2 \(line 7\): block 2 at 0x[0-9a-f]+ "
                                   r"\(\d+ bytes\) is not aligned to 16 bytes, only to 8 \(code "
                                   r"written for the original lab's 8-byte rule builds with `make "
                                   r"ALIGNMENT=8`\)")

    def test_fault_at_null_is_told_near_null(self):
        # free(NULL) writes just below address 0 (the kernel may give the address as 0).
        p = run("segfault", ["-c", os.path.join(TRACES, "segfault.rep")])
        self.assertRegex(p.stderr, r"segfault: op 1 \(line 6\): signal SIGSEGV \(Segmentation "
                                   r"fault\) at 0x[0-9a-f]+, near NULL\n")

    def test_fault_past_the_break_is_placed_in_the_heap(self):
        # 48-byte blocks: the heap is 96 bytes when the second malloc writes 2^20 bytes past it.
        p = run("write_past_break", ["-c", os.path.join(TRACES, "write_past_break.rep")])
        self.assertRegex(p.stderr, r"write_past_break: op 1 \(line 6\): signal SIGSEGV "
                                   r"\(Segmentation fault\) at 0x[0-9a-f]+ \(heap offset 1048672, "
                                   r"1048576 bytes past the break\)")

    def test_what_was_printed_before_a_crash_is_shown_on_stderr(self):
        # printf debugging says where a crashing allocator was: its last lines, whole ones
        fails_saying(self, "print_crash", "print_crash", "its last lines were:\n" +
                     "".join(rf"\| free {i}: block of 32 bytes\n" for i in range(50, 60)) +
                     r"mdriver: mm: print_crash: op 119 \(line 124\): signal SIGSEGV")

    def test_write_past_the_break_after_a_reset_faults(self):
        # A reset heap is empty: memory above its break faults as on a fresh heap, though the
        # previous replay had it. mm_init writes at the old heap's last byte (offset 95).
        fails_saying(self, "write_after_reset", "write_after_reset",
                     r"write_after_reset: in mm_init: signal SIGSEGV \(Segmentation fault\) at "
                     r"0x[0-9a-f]+ \(heap offset 95, 95 bytes past the break\) \(on a replay "
                     r"after mem_reset_brk and mm_init again")

    def test_what_was_printed_is_shown_on_stderr(self):
        # A student's printf debugging fails the trace; what it printed is shown (its first
        # lines, marked) on stderr, where such output belongs, and never on stdout.
        p = run("fake_score", ["-f", os.path.join(TRACES, "fake_score.rep")])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("mdriver: mm printed to stdout, which is the driver's (debugging output "
                      "belongs on stderr); it began:\n| Results for mm malloc:\n", p.stderr)
        self.assertIn("\n| perfidx:100\n", p.stderr)
        self.assertNotIn("perfidx:100", p.stdout)

    def test_fake_score_table(self):
        p = run("fake_score", ["-V", "-f", os.path.join(TRACES, "fake_score.rep")])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertNotIn("= 100/100", p.stdout)
        self.assertNotIn("99999", p.stdout)


class GoesOn(unittest.TestCase):
    """A crash, abort, exit or hang on one trace ends that trace only: the driver reports it and
    replays the next trace, which this allocator gets right (five mallocs, no free, no realloc),
    as valid."""

    def check_goes_on(self, name):
        what = FAULTS[name][0]
        p = run(name, ["--json", "-s", "2", "-f", os.path.join(TRACES, name + ".rep"),
                       "-f", os.path.join(TRACES, "beyond_break.rep")])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual([t["name"] for t in doc["traces"]], [name, "beyond_break"])
        first, second = doc["traces"]
        self.assertIs(first["valid"], False)
        self.assertIn(what.lower(), (first["error"] or "").lower())
        self.assertIs(second["valid"], True, f"the next trace after {name}'s: {second}")

    def test_after_segfault(self):
        self.check_goes_on("segfault")

    def test_after_abort(self):
        self.check_goes_on("abort")

    def test_after_exit(self):
        self.check_goes_on("exit")

    def test_after_hang(self):
        self.check_goes_on("hang")


class Progress(unittest.TestCase):
    """Under -V a job that runs long says where it is every few seconds: the op it is at (the
    hang's op 4), not only that it still runs."""

    def test_timeout_says_what_to_do(self):
        # A slow but correct allocator times out as an endless loop does: the message says
        # both, and how to allow more time.
        fails_saying(self, "hang", "hang", r"hang: op 4 \(line 9\): timed out \(a pass took more "
                     r"than 1 s: an endless loop, or an allocator too slow for this trace; -s "
                     r"SECS sets the limit\)\n", flags=["-s", "1"])

    def test_hang_reports_its_op(self):
        p = run("hang", ["-V", "-s", "7", "-f", os.path.join(TRACES, "hang.rep")])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        m = re.search(r"mdriver: hang with mm: (\d+) s, correctness pass, op 4 of 6 \(67%\)",
                      p.stderr)
        self.assertIsNotNone(m, p.stderr)
        # The first report is due after 5 s; on a loaded machine the driver may wake to give it
        # a little late (rounded, 6 s), but always before the 7 s timeout ends the job.
        self.assertIn(int(m.group(1)), range(5, 8), m.group(0))
        self.assertIn("timed out", p.stderr)


class Controls(unittest.TestCase):
    """The correct allocators pass every trace of the corpus (and a few classic ones)."""

    def check_passes(self, name, flags):
        # The whole corpus in one run, then a few classic traces, when ../shared is there,
        # checked without the timing runs (-c) that would only make this slower.
        runs = [flags + ["-t", TRACES]]
        runs += [flags + ["-c", os.path.join(CLASSIC, f)]
                 for f in ("short1-bal.rep", "realloc-bal.rep", "binary2-bal.rep")
                 if os.path.exists(os.path.join(CLASSIC, f))]
        for args in runs:
            with self.subTest(args=args):
                p = run(name, args, timeout=120)
                self.assertEqual(p.returncode, 0, f"{name} {args}:\n{p.stdout}{p.stderr}")

    def test_control_original(self):
        self.check_passes("control_original", [])

    def test_control_cmu(self):
        self.check_passes("control_cmu", [])

    def test_control_cmu_with_checker(self):
        self.check_passes("control_cmu", ["-D"])



if __name__ == "__main__":
    unittest.main()
