"""What the trace reader accepts and how it reads it: both header styles, comments, CRLF,
`f -1` and ops on ids that are not live, .rep.xz (and a clear error without xz), every classic
file, and a header claiming far more than the file holds (rejected without allocating for it).
Malformed files in general are tests/test_bad_traces.py's.

Runs the project's ./mdriver (built by `make`, as `make test` does first) with --json -c:
correctness only.
"""
import json
import os
import resource
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MDRIVER = os.path.join(ROOT, "mdriver")
FIX = os.path.join(ROOT, "tests", "fixtures", "driver")
CLASSIC = os.path.join(os.path.dirname(ROOT), "shared", "traces", "csapp")


def setUpModule():
    # `make test` builds ./mdriver first; relinking it here could disturb modules running it.
    if not os.path.exists(MDRIVER):
        raise RuntimeError("./mdriver is not built: run make first")


def run(*args, env=None):
    return subprocess.run([MDRIVER] + list(args), cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)


def check(*paths):
    args = ["--json"]
    for p in paths:
        args += ["-c", p]
    return run(*args)


class Accepted(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)

    def write(self, name, text, mode="w"):
        path = os.path.join(self.dir, name)
        with open(path, mode) as f:
            f.write(text)
        return path

    def traces(self, *paths):
        p = check(*paths)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)["traces"]

    def test_every_classic_file(self):
        files = sorted(os.path.join(CLASSIC, f) for f in os.listdir(CLASSIC) if f.endswith(".rep"))
        self.assertGreaterEqual(len(files), 15)
        traces = self.traces(*files)
        self.assertTrue(all(t["valid"] for t in traces))
        self.assertEqual(traces[0]["name"], "amptjp-bal")

    def test_cmu_header_and_every_op(self):
        t = self.traces(os.path.join(FIX, "ops.rep"))[0]
        self.assertEqual(t["ops"], 9)
        self.assertEqual(t["peak_payload"], 80)

    def test_comments_blank_lines_crlf_no_final_newline(self):
        path = self.write("crlf.rep", "# a comment\r\n\r\n20000\r\n2\r\n3\r\n1\r\n"
                          "a 0 10   # trailing comment\r\n\r\na 1 20\r\nf 0", "w")
        t = self.traces(path)[0]
        self.assertEqual((t["name"], t["ops"], t["peak_payload"]), ("crlf", 3, 30))

    def test_comment_right_after_a_field(self):
        path = self.write("tight.rep", "0\n1#ids\n2\n1\na 0 10#bytes\nf 0#done\n")
        t = self.traces(path)[0]
        self.assertEqual((t["ops"], t["peak_payload"]), (2, 10))

    def test_ops_on_ids_not_live_act_on_null(self):
        # f 1 and f -1 are free(NULL); r 1 is malloc; a 0 after f 0 is a new block
        path = self.write("null.rep", "0\n2\n6\n1\nf 1\nf -1\nr 1 8\na 0 4\nf 0\na 0 16\n")
        self.assertEqual(self.traces(path)[0]["peak_payload"], 24)

    def test_xz(self):
        plain = self.write("z.rep", "0\n1\n2\n1\na 0 64\nf 0\n")
        subprocess.run(["xz", plain], check=True)
        t = self.traces(plain + ".xz")[0]
        self.assertEqual((t["name"], t["ops"]), ("z", 2))

    def test_xz_missing_is_a_clear_error(self):
        plain = self.write("z.rep", "0\n1\n2\n1\na 0 64\nf 0\n")
        subprocess.run(["xz", plain], check=True)
        env = dict(os.environ, PATH=self.dir)  # no xz on this PATH
        p = run("-c", plain + ".xz", env=env)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr, f"{plain}.xz:0: cannot decompress: xz is not installed "
                                   "(Debian package xz-utils)\n")

    def test_corrupt_xz(self):
        path = self.write("bad.rep.xz", "this is not xz\n")
        p = run("-c", path)
        self.assertEqual(p.returncode, 2)
        self.assertRegex(p.stderr, r"^.*bad\.rep\.xz:0: cannot decompress")

    def test_folder_named_like_a_compressed_trace(self):
        # a folder is told as one, not handed to xz and called a bad archive
        path = os.path.join(self.dir, "notes.rep.xz")
        os.mkdir(path)
        p = run("-c", path)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr, f"{path}:0: cannot read: Is a directory\n")

    def test_huge_header_claims_allocate_nothing(self):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        path = self.write("claim.rep", "0\n2\n2000000000\n1\na 0 8\nf 0\n")
        p = run("-c", path)
        self.assertEqual(p.returncode, 2)
        self.assertTrue(p.stderr.startswith(f"{path}:6: "), p.stderr)
        # num_ids far above what the file uses is valid (SPEC bounds only the ids used)
        path = self.write("ids.rep", "0\n2000000000\n2\n1\na 1999999999 8\nf 1999999999\n")
        p = run("-c", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        # ru_maxrss is in KiB; a driver that allocated for 2e9 ops would need gigabytes
        self.assertLess(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                        max(before, 200 * 1024))


if __name__ == "__main__":
    unittest.main()
