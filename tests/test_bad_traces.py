"""The driver rejects every malformed trace in tests/bad-traces/ as SPEC says, and accepts the
valid edge cases in tests/bad-traces/valid/ and the classic CS:APP files.

A malformed file must give exit status 2, exactly one line `FILE:LINE: reason` on stderr with
the line its name encodes (`NAME.L<line>.rep`; `.Leof` files end too early, and the lines that
can be blamed for that are listed in EOF_LINES) and the reason REASONS gives for NAME (one file
per header field and per op kind's field), nothing on stdout that looks like a result,
and all of it quickly and in little memory, even for a header claiming 10^12 ops.
"""
import fcntl
import os
import re
import resource
import subprocess
import tempfile
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BAD = os.path.join("tests", "bad-traces")
VALID = os.path.join(BAD, "valid")
CLASSIC = os.path.join(os.path.dirname(ROOT), "shared", "traces", "csapp")
BUILD = os.path.join("build", "t", "bad-traces")
MDRIVER = os.path.join(BUILD, "mdriver")

# Files that end before they should: the header line whose claim is not met, the last line, or
# the line after it are all fair places to point at.
EOF_LINES = {
    "empty.Leof.rep": {1},
    "header-truncated.Leof.rep": {2, 3},
    "header-no-weight.Leof.rep": {3, 4},
    "header-ops-many.Leof.rep": {3, 6, 7},
    "ops-fewer-than-header.Leof.rep": {3, 6, 7},
}
MISSING = os.path.join(BAD, "no-such-file.rep")  # not shipped: the unreadable-file case
# What the reason must say for each file (its name up to `.L`): the fault the file was made
# for, not merely some fault on the right line.
REASONS = {
    "alloc-live-id": r"'a' on id 0, which is already allocated",
    "binary-file": r"non-text byte 0x7f",
    "binary-garbage": r"non-text byte 0x01",
    "calloc-live-id": r"'c' on id 0, which is already allocated",
    "calloc-nmemb-garbage": r"nmemb 'x' is not a number",
    "calloc-overflow-max": r"nmemb 18446744073709551615 out of range",
    "calloc-overflow": r"nmemb 4611686018427387904 out of range",
    "calloc-product-too-big": r"calloc size out of range: 65536 \* 65536",
    "calloc-size-garbage": r"size 'y' is not a number",
    "carriage-return-inside": r"carriage return inside a line \(lines must end in LF or CRLF\)",
    "cr-only-line-ends": r"carriage return inside a line",
    "comment-then-bad-op": r"unknown op 'q'",
    "empty": r"empty file: no header line \(a trace starts with a header of 4 lines\)",
    "gzip-data": r"gzip-compressed data: traces are read as text or \.xz",
    "header-extra-field": r"bad header: extra field '3' after num_ids",
    "header-ids-huge": r"bad header: num_ids '1000000000000' is out of range",
    "header-ids-negative": r"bad header: num_ids '-1' is not a number",
    "header-ids-nonnumeric": r"bad header: num_ids 'six' is not a number",
    "header-missing-line": r"bad header: extra field '0' after weight or flag",
    "header-ops-huge": r"bad header: num_ops '1000000000000' is out of range",
    "header-ops-many": r"the header declares 2000000000 ops, the file has 2",
    "header-ops-negative": r"bad header: num_ops '-2' is not a number",
    "header-ops-nonnumeric": r"bad header: num_ops 'two' is not a number",
    "header-size-garbage": r"bad header: heap size or weight '20k' is not a number",
    "header-size-two-points": r"bad header: heap size or weight '1\.2\.3' is not a number",
    "header-truncated": r"bad header: missing num_ops",
    "header-no-weight": r"bad header: missing weight or flag",
    "header-weight-garbage": r"bad header: weight or flag 'heavy' is not a number",
    "header-weight-inf": r"bad header: weight or flag 'inf' is not a number",
    "header-weight-negative": r"bad header: weight or flag '-1' is not a number",
    "id-below-minus-one": r"id -2 out of range",
    "id-equals-num-ids": r"id 2 out of range \(num_ids is 2\)",
    "id-far-out-of-range": r"id 2147483648 out of range",
    "id-garbage": r"id 'x1' is not a number",
    "id-minus-one-alloc": r"id -1 out of range",
    "id-zero-ids": r"id 0 out of range \(num_ids is 0\)",
    "nul-byte": r"non-text byte 0x00",
    "op-calloc-missing-field": r"missing field: expected 'c ID NMEMB SIZE'",
    "op-extra-field-alloc": r"extra field '8': expected 'a ID BYTES'",
    "op-extra-field-calloc": r"extra field '[^']+': expected 'c ID NMEMB SIZE'",
    "op-extra-field-free": r"extra field '8': expected 'f ID'",
    "op-extra-field-realloc": r"extra field '8': expected 'r ID BYTES'",
    "op-missing-id": r"missing field: expected 'f ID'",
    "op-missing-size": r"missing field: expected 'a ID BYTES'",
    "op-realloc-missing-size": r"missing field: expected 'r ID BYTES'",
    "op-unknown": r"unknown op 'x'",
    "op-uppercase": r"unknown op 'A'",
    "ops-fewer-than-header": r"the header declares 3 ops, the file has 2",
    "ops-more-than-header": r"more ops than the 2 the header declares",
    "size-garbage-suffix": r"size '12abc' is not a number",
    "size-long-line": r"size 9+\.\.\. out of range",
    "size-many-digits": r"size 9+\.\.\. out of range",
    "size-many-digits-then-garbage": r"size '9+\.\.\.' is not a number",
    "size-negative": r"size -8 out of range",
    "size-not-a-number": r"size 'abc' is not a number",
    "size-over-max-heap": r"size 1073741825 out of range",
    "size-realloc-negative": r"size -1 out of range",
    "size-two-to-64": r"size 18446744073709551616 out of range",
    "truncated": r"cannot decompress: not a valid \.xz file",
    "utf16-text": r"UTF-16 text \(as Windows PowerShell's > writes it\): traces are ASCII or "
                  r"UTF-8",
    "xz-data-not-named-xz": r"xz-compressed data: only a file named \.xz is decompressed",
}

TIME_LIMIT = 3.0               # seconds for rejecting one file
ADDRESS_LIMIT = 3 << 30        # the 1 GiB heap reservation fits; a table for 10^9 ops does not
RSS_LIMIT_KB = 256 * 1024      # resident memory the driver may reach while rejecting a file
RESULT_RE = re.compile(r"perfidx|correct:|kops|\"traces\"|%", re.I)

build_error = None
lock = None


def setUpModule():
    global build_error, lock
    # One run of this module at a time in this tree: another would relink the same mdriver.
    os.makedirs(os.path.join(ROOT, BUILD), exist_ok=True)
    lock = open(os.path.join(ROOT, BUILD, ".lock"), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    # Its own build around a correct control allocator: the trace checks must not depend on
    # the state of mm.c, and the build directory is not shared with other test modules.
    cmd = ["make", "-s", "mdriver", "MM=tests/broken/control_cmu.c", f"BUILD={BUILD}",
           f"MDRIVER={MDRIVER}"]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if p.returncode != 0 or not os.path.exists(os.path.join(ROOT, MDRIVER)):
        build_error = f"{' '.join(cmd)} failed:\n{p.stdout}{p.stderr}"


def tearDownModule():
    lock.close()


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_LIMIT, ADDRESS_LIMIT))


def run_measured(args, timeout, limited=True):
    """Runs the driver; returns (status, stdout, stderr, seconds, peak RSS in KiB). The child is
    reaped with wait4 so its own peak memory is known, not that of every child so far."""
    if build_error:
        raise AssertionError(build_error)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen([os.path.join(".", MDRIVER)] + args, cwd=ROOT, stdout=out,
                             stderr=err, stdin=subprocess.DEVNULL,
                             preexec_fn=limit_memory if limited else None)
        killer = threading.Timer(timeout, p.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            killer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)  # keeps Popen from waiting again
        secs = time.monotonic() - t0
        out.seek(0)
        err.seek(0)
        return (p.returncode, out.read().decode(errors="replace"),
                err.read().decode(errors="replace"), secs, usage.ru_maxrss)


def expected_lines(name):
    if name in EOF_LINES:
        return EOF_LINES[name]
    m = re.search(r"\.L(\d+)\.rep(\.xz)?$", name)
    assert m, f"{name}: bad-trace names must encode the line as .L<n>.rep or be in EOF_LINES"
    return {int(m.group(1))}


class BadTraces(unittest.TestCase):
    """One test per file of tests/bad-traces/ (added below), plus a missing file."""

    def check_rejected(self, path, lines, reason_re=None):
        status, out, err, secs, rss = run_measured(["-f", path], timeout=20)
        self.assertEqual(status, 2, f"exit status for {path}; stdout:\n{out}\nstderr:\n{err}")
        self.assertLess(secs, TIME_LIMIT, f"{path} took {secs:.1f}s to reject")
        self.assertLess(rss, RSS_LIMIT_KB, f"{path}: driver reached {rss} KiB while rejecting")
        err_lines = [ln for ln in err.splitlines() if ln.strip()]
        self.assertEqual(len(err_lines), 1, f"one line on stderr for {path}, got:\n{err}")
        m = re.fullmatch(rf"{re.escape(path)}:(\d+): (.+)", err_lines[0])
        self.assertIsNotNone(m, f"not `{path}:LINE: reason`: {err_lines[0]!r}")
        self.assertIn(int(m.group(1)), lines, f"wrong line in {err_lines[0]!r}")
        if reason_re:
            self.assertRegex(m.group(2), reason_re)
        self.assertNotRegex(out, RESULT_RE, f"stdout looks like a result for {path}")

    def test_every_output_mode(self):
        # The autograder and JSON modes must not print a result for a file they cannot read
        # either, and -c and -t must reject it the same way.
        path = os.path.join(BAD, "op-unknown.L6.rep")
        for args in (["-g", "-f", path], ["--json", "-f", path], ["-A", "-f", path],
                     ["-c", path]):
            with self.subTest(args=args):
                status, out, err, _, _ = run_measured(args, timeout=20)
                self.assertEqual(status, 2, f"{args}: stdout:\n{out}\nstderr:\n{err}")
                self.assertEqual(err.strip(), f"{path}:6: unknown op 'x'")
                self.assertNotRegex(out, RESULT_RE)
        with tempfile.TemporaryDirectory() as d:
            for f in ("valid/free-null.rep", "op-unknown.L6.rep"):
                with open(os.path.join(ROOT, BAD, f), "rb") as src, \
                        open(os.path.join(d, os.path.basename(f)), "wb") as dst:
                    dst.write(src.read())
            status, out, err, _, _ = run_measured(["-t", d], timeout=20)
            self.assertEqual(status, 2, f"-t: stdout:\n{out}\nstderr:\n{err}")
            self.assertEqual(err.strip(), f"{d}/op-unknown.L6.rep:6: unknown op 'x'")
            self.assertNotRegex(out, RESULT_RE)

    def test_missing_file(self):
        self.check_rejected(MISSING, {0}, r"cannot open: No such file or directory")


def make_bad_case(name):
    def test(self):
        stem = name.split(".L")[0]
        self.assertIn(stem, REASONS, f"REASONS must say what {name} is rejected for")
        self.check_rejected(os.path.join(BAD, name), expected_lines(name), REASONS[stem])
    test.__doc__ = f"tests/bad-traces/{name} is rejected"
    return test


for _name in sorted(os.listdir(os.path.join(ROOT, BAD))):
    if _name.endswith((".rep", ".rep.xz")):
        _test = re.sub(r"\W", "_", _name.split(".L")[0])
        setattr(BadTraces, f"test_{_test}", make_bad_case(_name))


class ValidTraces(unittest.TestCase):
    """Edge cases SPEC allows are replayed, and replayed correctly, by a correct allocator."""

    def test_huge_num_ids_cost_only_the_ids_used(self):
        # num_ids 2^31-1 and 20000 ids spread up to it: tables sized by num_ids (or by the
        # largest id) would not fit the address limit; sized by the ids used, they are small.
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "sparse.rep")
            n, step = 20000, (2**31 - 1) // 20000
            with open(path, "w") as f:
                f.write(f"0\n{2**31 - 1}\n{2 * n}\n1\n")
                f.writelines(f"a {i * step} 8\n" for i in range(n))
                f.writelines(f"f {i * step}\n" for i in range(n))
            status, out, err, secs, rss = run_measured(["-c", path], timeout=60)
            self.assertEqual(status, 0, f"stdout:\n{out}\nstderr:\n{err}")
            self.assertLess(rss, RSS_LIMIT_KB, f"driver reached {rss} KiB")

    def test_a_size_of_exactly_the_heap_limit_is_read(self):
        # 1 GiB (the largest size a trace may hold, size-over-max-heap's minus 1) is read; the
        # allocator then cannot fit it in a heap of that limit, which is its failure, not the
        # file's (status 1, no FILE:LINE error).
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "max.rep")
            with open(path, "w") as f:
                f.write("0\n1\n1\n1\na 0 1073741824\n")
            status, out, err, _, _ = run_measured(["-c", path], timeout=60)
        self.assertEqual(status, 1, f"stdout:\n{out}\nstderr:\n{err}")
        self.assertIn("out of memory: 1073741824 bytes for block 0 do not fit", err)
        self.assertNotRegex(err, r"\.rep:\d+: ")

    def check_accepted(self, args):
        status, out, err, _, _ = run_measured(args, timeout=120, limited=False)
        self.assertEqual(status, 0, f"{args}: exit {status}\nstdout:\n{out}\nstderr:\n{err}")
        self.assertNotRegex(err, r"\.rep(\.xz)?:\d+: ", f"{args}: a trace error on stderr")

    def test_classic_files(self):
        if not os.path.isdir(CLASSIC):
            self.skipTest(f"{CLASSIC} is not there")
        for f in sorted(os.listdir(CLASSIC)):
            if f.endswith(".rep"):
                with self.subTest(trace=f):
                    self.check_accepted(["-c", os.path.join(CLASSIC, f)])


def make_valid_case(name):
    def test(self):
        self.check_accepted(["-f", os.path.join(VALID, name)])
    test.__doc__ = f"tests/bad-traces/valid/{name} is accepted"
    return test


for _name in sorted(os.listdir(os.path.join(ROOT, VALID))):
    setattr(ValidTraces, "test_" + re.sub(r"\W", "_", _name.split(".rep")[0]),
            make_valid_case(_name))


if __name__ == "__main__":
    unittest.main()
