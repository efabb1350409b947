"""tools/rectrace: recording a program with known heap calls, the conversion rules, --max-ops,
.xz output, and clear errors for malformed logs and bad arguments."""
import lzma
import os
import shutil
import struct
import signal
import subprocess
import sys
import tempfile
import unittest

import ctrl_c

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECTRACE = os.path.join(ROOT, "tools", "rectrace")
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "rectrace", "calls.c")
ENDS = os.path.join(ROOT, "tests", "fixtures", "rectrace", "ends.c")
RUNNING_SECS = 2  # how long a recorded program runs before the Ctrl-C test interrupts it

# What calls.c does between its two markers in the main thread (see the comments there).
MAIN_OPS = """a 0 100003
a 1 10
c 2 3 40
r 1 1000
r 1 20
a 3 50
a 4 200
a 5 96
f 2
a 2 7
f 3
f 4
f 5
f 2
f 1
f 0""".split("\n")

# What ends.c does before it ends as its argument says.
ENDS_OPS = ["a 0 100003", "c 1 4 25", "r 0 300", "a 2 50", "f 1"]
NO_END_RECORD = "(log has no end record: the process ended by _exit, a signal or an exec)"

# The log layout of tools/rectrace.d/format.h, to write logs by hand.
HEADER = struct.Struct("=8sIIIII36x192s")
REC = struct.Struct("=B3xIQQQQ")


def run(*args, **kw):
    return subprocess.run([RECTRACE] + list(args), capture_output=True, text=True, **kw)


def parse(text):
    """Returns (num_ids, num_ops, ops) and checks the trace is valid in the SPEC's sense."""
    lines = [l for l in text.split("\n") if l.strip() and not l.startswith("#")]
    num_ids, num_ops = int(lines[1]), int(lines[2])
    ops = lines[4:]
    assert len(ops) == num_ops, f"header says {num_ops} ops, file has {len(ops)}"
    live = set()
    for op in ops:
        f = op.split()
        kind, bid = f[0], int(f[1])
        assert 0 <= bid < num_ids, f"id out of range: {op}"
        assert len(f) == {"a": 3, "r": 3, "f": 2, "c": 4}[kind], op
        if kind in "ac":
            assert bid not in live, f"`{kind}` on a live id: {op}"
            live.add(bid)
        elif kind == "f":
            live.discard(bid)
        else:
            assert bid in live, f"realloc of a dead id: {op}"
    return num_ids, num_ops, ops


def write_log(path, records, magic=b"RTLOG\0\0\0", version=1, rec_size=40, tail=b""):
    with open(path, "wb") as f:
        f.write(HEADER.pack(magic, version, rec_size, 100, 1, 0, b"/bin/handmade"))
        for op, a, b, c, r in records:
            f.write(REC.pack(ord(op), 7, a, b, c, r))
        f.write(tail)


class RecordKnownProgram(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.prog = os.path.join(cls.tmp.name, "calls")
        subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-O0", "-pthread",
                        "-o", cls.prog, FIXTURE], check=True)
        cls.out = os.path.join(cls.tmp.name, "calls.rep")
        r = run("record", "-o", cls.out, "--", cls.prog)
        assert r.returncode == 0, r.stderr
        with open(cls.out) as f:
            cls.text = f.read()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_main_thread_ops_exact(self):
        _, _, ops = parse(self.text)
        start = ops.index("a 0 100003")
        self.assertEqual(ops[start:start + len(MAIN_OPS)], MAIN_OPS)

    def test_second_thread_counts(self):
        _, _, ops = parse(self.text)
        ids = [o.split()[1] for o in ops if o.endswith(" 333") and o.startswith("a ")]
        self.assertEqual(len(ids), 50)
        frees = [o for o in ops if o.startswith("f ") and o.split()[1] in ids]
        self.assertGreaterEqual(len(frees), 50)
        self.assertIn("a 1 100019", ops[-2:])   # the end marker reuses the smallest free id

    def test_max_ops_keeps_trace_valid(self):
        for n in (1, 5, 12, 60):
            out = os.path.join(self.tmp.name, f"cut{n}.rep")
            r = run("record", "-o", out, "--max-ops", str(n), "--", self.prog)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(out) as f:
                num_ids, num_ops, ops = parse(f.read())
            self.assertEqual(num_ops, n)
            self.assertEqual(num_ids, 1 + max(int(o.split()[1]) for o in ops))

    def test_xz_output_and_kept_log(self):
        out = os.path.join(self.tmp.name, "calls.rep.xz")
        r = run("record", "-o", out, "--keep-log", "--", self.prog)
        self.assertEqual(r.returncode, 0, r.stderr)
        with lzma.open(out, "rt") as f:
            self.assertEqual(f.read(), self.text)
        logdir = r.stderr.split("logs kept in ")[1].split()[0]
        try:
            again = os.path.join(self.tmp.name, "again.rep")
            r = run("convert", logdir, "-o", again)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(again) as f:
                self.assertEqual(f.read(), self.text)
        finally:
            subprocess.run(["rm", "-rf", logdir])


    def test_child_processes_have_their_own_logs(self):
        # sh forks a child that execs the program: the child's log holds exactly its calls,
        # and it is the one --process busiest picks.
        out = os.path.join(self.tmp.name, "sh.rep")
        r = run("record", "-o", out, "--keep-log", "--process", "busiest", "--",
                "/bin/sh", "-c", f"{self.prog}; true")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            _, _, ops = parse(f.read())
        self.assertIn("a 0 100003", ops)
        logdir = r.stderr.split("logs kept in ")[1].split()[0]
        try:
            logs = sorted(f for f in os.listdir(logdir) if f.endswith(".log"))
            self.assertGreaterEqual(len(logs), 2, logs)
            found = 0
            for log in logs:
                each = os.path.join(self.tmp.name, log + ".rep")
                if run("convert", os.path.join(logdir, log), "-o", each).returncode != 0:
                    continue   # an image that made no heap call
                with open(each) as f:
                    _, _, ops = parse(f.read())
                if "a 0 100003" in ops:
                    start = ops.index("a 0 100003")
                    self.assertEqual(ops[start:start + len(MAIN_OPS)], MAIN_OPS)
                    found += 1
            self.assertEqual(found, 1)
        finally:
            subprocess.run(["rm", "-rf", logdir])


class EndedByExecOrSignal(unittest.TestCase):
    """An exec or a fatal signal ends a program without its destructor: the calls still in the
    library's buffer must be written before the exec, or before the signal ends it."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.prog = os.path.join(cls.tmp.name, "ends")
        subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-O0", "-o", cls.prog,
                        ENDS], check=True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def assertRecords(self, how, ops, killed_by=None):
        """Records ends.c ending as how says: its trace must be ops, and rectrace must succeed
        with its summary, after a note of the signal that killed the program, if one did."""
        out = os.path.join(self.tmp.name, how + ".rep")
        r = run("record", "-o", out, "--", self.prog, how, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            self.assertEqual(parse(f.read())[2], ops)
        note = (f"rectrace: note: {self.prog} was killed by signal {killed_by}\n"
                if killed_by else "")
        self.assertEqual(r.stderr, f"{note}rectrace: {out}: {len(ops)} ops, 3 ids, peak live 100103"
                                   f" bytes, from {self.prog} {NO_END_RECORD}\n")

    def test_a_program_that_execs_keeps_its_ops_up_to_the_exec(self):
        for how in ("execl", "execvp"):
            with self.subTest(how):
                self.assertRecords(how, ENDS_OPS)

    def test_a_program_that_aborts_keeps_its_ops_up_to_the_abort(self):
        self.assertRecords("abort", ENDS_OPS, killed_by=6)

    def test_a_program_killed_by_sigsegv_keeps_its_ops_up_to_the_fault(self):
        self.assertRecords("segv", ENDS_OPS, killed_by=11)

    def test_a_program_that_sets_the_default_action_again_keeps_its_ops_up_to_the_signal(self):
        # it sees the default action where the library's handler stands in for it, and sets it
        # with signal and sigaction before it is killed by SIGTERM (any other end is an exit)
        self.assertRecords("term", ENDS_OPS, killed_by=15)

    def test_a_vfork_child_that_execs_leaves_its_parent_recording(self):
        # the child runs in its parent's memory and thread: had it taken the lock for its exec,
        # the parent would go on with it taken, and log nothing more
        self.assertRecords("vfork", ENDS_OPS + ["f 2"])

    def test_python_still_makes_ctrl_c_a_keyboard_interrupt(self):
        # Python installs its SIGINT handler only where the action is the default, which the
        # library's handler must not hide
        prog = "import signal, sys; sys.exit(signal.getsignal(2) is not signal.default_int_handler)"
        out = os.path.join(self.tmp.name, "py.rep")
        # with SIGINT's default action, whatever the caller does with it (a shell's background
        # job starts with it ignored, and Python then leaves it so)
        r = run("record", "-o", out, "--", sys.executable, "-c", prog,
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("exited with status", r.stderr)


class ConvertRules(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.log = os.path.join(self.tmp.name, "x.log")
        self.out = os.path.join(self.tmp.name, "x.rep")

    def tearDown(self):
        self.tmp.cleanup()

    def convert(self, records, *extra):
        write_log(self.log, records)
        r = run("convert", self.log, "-o", self.out, *extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.out) as f:
            return parse(f.read())

    def test_rules(self):
        recs = [("m", 8, 0, 0, 0x1000),           # a 0 8
                ("m", 16, 0, 0, 0x2000),          # a 1 16
                ("f", 0x9999, 0, 0, 0),           # unknown pointer: dropped
                ("f", 0x1000, 0, 0, 0),           # f 0
                ("c", 4, 8, 0, 0x3000),           # c 0 4 8 (id 0 reused)
                ("m", 99, 0, 0, 0),               # failed malloc: no op
                ("r", 0x2000, 64, 0, 0x4000),     # r 1 64 (moved, same id)
                ("r", 0x4000, 4096, 0, 0),        # failed realloc: no op, block 1 still live
                ("r", 0, 24, 0, 0x5000),          # a 2 24
                ("r", 0x5000, 0, 0, 0),           # f 2 (realloc to 0 frees)
                ("p", 64, 100, 0, 0x6000),        # a 2 100
                ("V", 0, 10, 0, 0x7000),          # a 3 4096 (pvalloc: whole pages)
                ("R", 0x4000, 3, 10, 0x4000),     # r 1 30
                ("r", 0x8888, 5, 0, 0x8000),      # unknown old: a 4 5
                ("E", 12, 0, 0, 0)]
        num_ids, num_ops, ops = self.convert(recs)
        self.assertEqual(ops, ["a 0 8", "a 1 16", "f 0", "c 0 4 8", "r 1 64", "a 2 24", "f 2",
                               "a 2 100", "a 3 4096", "r 1 30", "a 4 5"])
        self.assertEqual(num_ids, 5)

    def test_realloc_to_zero_that_returns_a_block_keeps_it_live(self):
        # mimalloc's realloc(p, 0) returns a block (glibc's frees p and returns NULL): the
        # block lives on, and its free is the program's own, not one of an unknown pointer
        recs = [("m", 40, 0, 0, 0x1000),          # a 0 40
                ("r", 0x1000, 0, 0, 0x2000),      # r 0 0
                ("f", 0x2000, 0, 0, 0),           # f 0
                ("r", 0x9999, 0, 0, 0x3000),      # unknown old: a 0 0
                ("f", 0x3000, 0, 0, 0),           # f 0
                ("E", 5, 0, 0, 0)]
        self.assertEqual(self.convert(recs)[2], ["a 0 40", "r 0 0", "f 0", "a 0 0", "f 0"])
        r = run("convert", self.log, "-o", self.out)
        self.assertIn("(1 frees of unknown pointers dropped)", r.stderr)

    def test_blocks_over_the_drivers_heap_are_left_out(self):
        big = (1 << 30) + 1
        recs = [("m", big, 0, 0, 0x1000),         # left out
                ("f", 0x1000, 0, 0, 0),           # its free: unknown pointer, dropped
                ("m", 8, 0, 0, 0x2000),           # a 0 8
                ("r", 0x2000, big, 0, 0x3000),    # a realloc past the heap frees it: f 0
                ("E", 4, 0, 0, 0)]
        self.assertEqual(self.convert(recs)[2], ["a 0 8", "f 0"])
        r = run("convert", self.log, "-o", self.out)
        self.assertIn(f"2 blocks over {1 << 30} bytes left out", r.stderr)
    def test_calloc_of_no_bytes_keeps_its_fields_in_the_traces_range(self):
        # calloc(2^40, 0) succeeds and is 0 bytes, but a trace field above 1 GiB is rejected by
        # the driver: the count that cannot be written is written as the largest that can.
        big = 1 << 40
        recs = [("c", big, 0, 0, 0x1000), ("c", 0, big, 0, 0x2000), ("E", 2, 0, 0, 0)]
        _, _, ops = self.convert(recs)
        self.assertEqual(ops, ["c 0 1073741824 0", "c 1 0 1073741824"])

    def test_max_ops_cut(self):
        recs = [("m", 8, 0, 0, 0x1000 * (i + 1)) for i in range(10)]
        num_ids, num_ops, ops = self.convert(recs, "--max-ops", "3")
        self.assertEqual((num_ids, num_ops), (3, 3))

    def test_log_cut_before_max_ops_says_so_in_the_users_terms(self):
        recs = [("m", 8, 0, 0, 0x1000), ("f", 0x9999, 0, 0, 0), ("E", 2, 1, 0, 0)]
        write_log(self.log, recs)
        r = run("convert", self.log, "-o", self.out, "--max-ops", "5")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("the log stopped at its limit of 2 records, set from --max-ops, before 5 "
                      "ops were kept", r.stderr)


class CutShort(unittest.TestCase):
    def test_a_log_whose_writing_failed_gives_the_trace_of_its_whole_records(self):
        # a file size limit (as a full disk) stops the log inside a record: what came before
        # is a trace, and the summary says where the log ended
        prog = "x = [bytearray(10) for i in range(20000)]"
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "cut.rep")
            r = run("record", "-o", out, "--", "sh", "-c", 'ulimit -f 100; trap "" XFSZ; '
                    'exec "$0" -c "$1"', sys.executable, prog)
            self.assertEqual(r.returncode, 0, r.stderr)
            # 100 blocks of 512 bytes: a 256-byte header and 1273 records of 40, and 24 bytes
            self.assertRegex(r.stderr, r"cut\.rep: \d+ ops, .* \(the log ends 24 bytes into a "
                             "record, left out: a full disk, a file size limit or a kill cut its "
                             "writing short\)")
            with open(out) as f:
                self.assertGreater(parse(f.read())[1], 1000)


class Interrupted(unittest.TestCase):
    def test_ctrl_c_ends_the_program_and_the_trace_is_made(self):
        # Ctrl-C stops the program recorded (here a Python that ends cleanly on it), not
        # rectrace, which then converts what the program did, as for any other end.
        prog = "import time\ntry:\n    time.sleep(60)\nexcept KeyboardInterrupt:\n    pass\n"
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "py.rep")
            p, _, err = ctrl_c.interrupt([sys.executable, RECTRACE, "record", "-o", out, "--",
                                          sys.executable, "-c", prog], RUNNING_SECS, ROOT)
            self.assertEqual(p.returncode, 0, err)
            self.assertRegex(err, r"rectrace: .*py\.rep: \d+ ops")
            self.assertTrue(os.path.getsize(out) > 0)


class Errors(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.log = os.path.join(self.tmp.name, "bad.log")
        self.out = os.path.join(self.tmp.name, "bad.rep")

    def tearDown(self):
        self.tmp.cleanup()

    def assertFails(self, r, text):
        self.assertEqual(r.returncode, 2, r.stderr)
        # The reason is on the last line (argument errors print the usage above it).
        self.assertIn(text, r.stderr.strip().split("\n")[-1])
        self.assertFalse(os.path.exists(self.out))

    def test_malformed_logs(self):
        cases = [
            ({"magic": b"NOTALOG\0"}, "not a rectrace log"),
            ({"version": 9}, "log version 9"),
            ({"records": [("m", 8, 0, 0, 0x10), ("?", 0, 0, 0, 0)]}, "record 1: unknown op"),
            ({"records": []}, "no heap operations"),
        ]
        for kw, text in cases:
            with self.subTest(text):
                write_log(self.log, kw.pop("records", [("m", 8, 0, 0, 0x10)]), **kw)
                self.assertFails(run("convert", self.log, "-o", self.out), text)
        with open(self.log, "wb") as f:
            f.write(b"short")
        self.assertFails(run("convert", self.log, "-o", self.out), "not a rectrace log")
        self.assertFails(run("convert", os.path.join(self.tmp.name, "none.log"), "-o", self.out),
                         "cannot open")

    def test_bad_arguments(self):
        self.assertFails(run("record", "-o", self.out), "no program given")
        self.assertFails(run("record", "-o", self.out, "--max-ops", "0", "--", "true"),
                         "positive integer")
        self.assertFails(run("record", "-o", self.out, "-e", "NOEQUALS", "--", "true"),
                         "NAME=VALUE")
        self.assertFails(run("record", "-o", self.out, "--", "/nonexistent/prog"), "cannot run")
        r = run("bogus")
        self.assertEqual(r.returncode, 2)

    def test_option_errors_name_the_subcommand(self):
        r = run("record", "-o", self.out, "--max-ops", "0", "--", "true")
        self.assertEqual(r.returncode, 2)
        self.assertIn("rectrace record: error: argument --max-ops", r.stderr)

    def test_output_the_driver_would_skip_gets_a_note(self):
        out = os.path.join(self.tmp.name, "ls-trace")
        r = run("record", "-o", out, "--stdout", os.devnull, "--", "ls")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"rectrace: note: {out}: mdriver -t DIR and tools/grade -t read only .rep",
                      r.stderr)

    def test_output_checked_before_the_program_runs(self):
        ran = os.path.join(self.tmp.name, "ran")
        r = run("record", "-o", "/nonexistent/x.rep", "--", "touch", ran)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("/nonexistent/x.rep: cannot write: no directory /nonexistent", r.stderr)
        self.assertFalse(os.path.exists(ran), "the program ran before the output was checked")

    def test_a_folder_as_output_is_refused_before_the_program_runs(self):
        ran = os.path.join(self.tmp.name, "ran")
        r = run("record", "-o", self.tmp.name, "--", "touch", ran)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(f"{self.tmp.name}: cannot write: Is a directory", r.stderr)
        self.assertFalse(os.path.exists(ran), "the program ran before the output was checked")

    def test_convert_of_a_folder_no_recording_wrote_in_says_so(self):
        # it was told that "DIR: the program" had been statically linked
        folder = os.path.join(self.tmp.name, "not-logs")
        os.mkdir(folder)
        r = run("convert", folder, "-o", self.out)
        self.assertEqual((r.returncode, r.stderr), (2, f"rectrace: {folder}: no rectrace log in "
                                                       "this folder (record --keep-log keeps "
                                                       "them)\n"))

    def test_a_symlink_as_output_stays_and_its_target_gets_the_trace(self):
        target, link = self.out, os.path.join(self.tmp.name, "link.rep")
        os.symlink(os.path.basename(target), link)
        write_log(self.log, [("m", 8, 0, 0, 0x10)])
        r = run("convert", self.log, "-o", link)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.islink(link))
        with open(target) as f:
            self.assertEqual(parse(f.read())[2], ["a 0 8"])

    def test_a_closed_stdout_is_the_programs_not_its_log(self):
        # the recording library must not take fd 1 for its log, where echo writes
        r = subprocess.run(["sh", "-c", '"$0" "$@" >&-', RECTRACE, "record", "-o", self.out,
                            "--", "echo", "hello"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"rectrace: {self.out}: ", r.stderr)

    def test_a_program_that_closes_descriptors_it_did_not_open_keeps_its_files(self):
        # as a daemon does at start: the log's descriptor is closed, and the program's next
        # file gets its number; the records go on into the log, not into that file (the
        # bytes objects, too big for Python's own allocator, are 20,000 heap calls meanwhile)
        mine = os.path.join(self.tmp.name, "mine.txt")
        prog = (f"import os\nos.closerange(3, 1024)\nwith open({mine!r}, 'w') as f:\n"
                "    for i in range(100000):\n        f.write(f'{i}\\n')\n"
                "        if i % 10 == 0:\n            bytes(1000)\n")
        r = run("record", "-o", self.out, "--", sys.executable, "-c", prog)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(mine, "rb") as f:
            self.assertEqual(f.read(), "".join(f"{i}\n" for i in range(100000)).encode())
        self.assertNotIn("no end record", r.stderr)

    def test_messages_name_no_log_that_is_removed(self):
        # a program whose only heap call fails (no op to keep), and one that leaves its heap
        # calls to a child: the message names the program, not a log in a removed folder
        progs = {"failed": "#include <stdlib.h>\nint main(void) { void *volatile n = (void *)-1;"
                           " return malloc((size_t)n) != NULL; }\n",
                 "forks": "#include <stdlib.h>\n#include <sys/wait.h>\n#include <unistd.h>\n"
                          "int main(void) { if (fork() == 0) { free(malloc(8)); return 0; } "
                          "wait(NULL); return 0; }\n"}
        for name, said in (("failed", ": no heap operations recorded"),
                           ("forks", " made no heap call, though a process it started did")):
            with self.subTest(program=name):
                prog = self.compile(name, progs[name])
                r = run("record", "-o", self.out, "--", prog)
                self.assertFails(r, f"rectrace: {prog}{said}")
                self.assertNotIn("rectrace-", r.stderr)

    def compile(self, name, source):
        src, prog = (os.path.join(self.tmp.name, name + ext) for ext in (".c", ""))
        with open(src, "w") as f:
            f.write(source)
        subprocess.run(["cc", "-o", prog, src], check=True)
        return prog

    def test_xz_output_without_xz_is_refused_before_the_program_runs(self):
        """No xz on PATH (python3 alone there): the .rep.xz could not be written at the end."""
        bin_dir, ran = os.path.join(self.tmp.name, "bin"), os.path.join(self.tmp.name, "ran")
        os.mkdir(bin_dir)
        os.symlink(sys.executable, os.path.join(bin_dir, "python3"))
        out = self.out + ".xz"
        r = run("record", "-o", out, "--", "/usr/bin/touch", ran,
                env=dict(os.environ, PATH=bin_dir))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr, f"rectrace: {out}: cannot compress: xz is not installed "
                                   "(Debian package xz-utils)\n")
        self.assertFalse(os.path.exists(ran), "the program ran before xz was looked for")
        self.assertFalse(os.path.exists(out))

    def test_library_that_cannot_be_built_names_what_is_missing(self):
        """A checkout whose recording library is not built yet, on a machine without make: one
        line saying what to install, status 2, instead of a traceback."""
        root, bin_dir = os.path.join(self.tmp.name, "root"), os.path.join(self.tmp.name, "bin")
        shutil.copytree(os.path.join(ROOT, "tools"), os.path.join(root, "tools"))
        for f in ("Makefile", "config.h"):  # what a checkout has beside tools/
            shutil.copy(os.path.join(ROOT, f), root)
        os.mkdir(bin_dir)
        os.symlink(sys.executable, os.path.join(bin_dir, "python3"))
        r = subprocess.run([os.path.join(root, "tools", "rectrace"), "record", "-o", self.out,
                            "--", "/usr/bin/true"], capture_output=True, text=True,
                           env=dict(os.environ, PATH=bin_dir))
        self.assertFails(r, "cannot build build/rectrace/librectrace.so: make and a C compiler "
                            "are needed (Debian package build-essential)")

    def test_no_heap_calls_is_not_a_static_program(self):
        self.assertFails(run("record", "-o", self.out, "--", "true"),
                         "true made no heap call (the recording library was loaded)")

    def test_static_program_is_named(self):
        src, prog = os.path.join(self.tmp.name, "s.c"), os.path.join(self.tmp.name, "static")
        with open(src, "w") as f:
            f.write("#include <stdlib.h>\nint main(void) { free(malloc(10)); return 0; }\n")
        if subprocess.run(["cc", "-static", "-o", prog, src], capture_output=True).returncode:
            self.skipTest("cc -static does not link here (no static libc)")
        self.assertFails(run("record", "-o", self.out, "--", prog),
                         f"{prog}: the recording library was never loaded: is the program "
                         "statically linked?")

    def test_help(self):
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("record", r.stdout)


if __name__ == "__main__":
    unittest.main()
