"""tools/common.d: the modules the tools share, and that the tools use them rather than their
own copies."""
import contextlib
import io
import os
import re
import signal
import subprocess
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools", "common.d"))
import interrupt  # noqa: E402

# The tools that end on Ctrl-C through interrupt.run (grade has signal handlers of its own: it
# ends on SIGTERM too, and cleans up its sandboxed runs).
CTRL_C_TOOLS = ["gentrace", "rectrace", "plot", "bench"]


def exit_of(main, *args):
    """(exit status, stderr) of interrupt.run over main."""
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            interrupt.run("tool", main, *args)
    except SystemExit as e:
        return e.code, err.getvalue()
    raise AssertionError("interrupt.run returned")


class Interrupt(unittest.TestCase):
    def test_ctrl_c_is_one_line_and_status_130(self):
        def main():
            raise KeyboardInterrupt
        self.assertEqual(exit_of(main), (128 + signal.SIGINT, "tool: interrupted\n"))

    def test_status_of_main_is_kept(self):
        self.assertEqual(exit_of(lambda code: code, 3), (3, ""))

    def test_other_errors_are_not_taken_for_ctrl_c(self):
        def main():
            raise ValueError("a bug")
        with self.assertRaises(ValueError):
            exit_of(main)

    def test_running_out_of_memory_is_one_line_and_status_2(self):
        def main():
            raise MemoryError
        self.assertEqual(exit_of(main), (2, "tool: out of memory\n"))

    def test_a_stdout_that_cannot_be_written_is_one_line_and_status_2(self):
        # as mdriver says it: a full disk or a closed stdout loses the output (here --help's)
        for tool in CTRL_C_TOOLS:
            argv = [sys.executable, os.path.join(ROOT, "tools", tool), "--help"]
            with self.subTest(tool=tool), open("/dev/full", "w") as full:
                r = subprocess.run(argv, stdout=full, stderr=subprocess.PIPE, text=True)
                self.assertEqual((r.returncode, r.stderr),
                                 (2, f"{tool}: cannot write to stdout: No space left on device\n"))
                r = subprocess.run(["sh", "-c", '"$0" "$@" >&-', *argv], capture_output=True,
                                   text=True)
                self.assertEqual((r.returncode, r.stderr),
                                 (2, f"{tool}: cannot write to stdout: Bad file descriptor\n"))

    def test_tools_end_through_it(self):
        for tool in CTRL_C_TOOLS:
            with self.subTest(tool=tool), open(os.path.join(ROOT, "tools", tool)) as f:
                src = f.read()
            self.assertNotIn("except KeyboardInterrupt", src, f"{tool} catches Ctrl-C itself")
            self.assertIn(f'interrupt.run("{tool}", ', src, f"{tool} does not end through it")


# Every Python tool's --help, and each of its subcommands' (argparse's layout).
HELP_PAGES = [["gentrace"], ["rectrace"], ["plot"], ["grade"], ["bench"], ["bench-driver"]] + \
    [["gentrace", sub] for sub in ("random", "binary", "coalescing", "realloc", "phased",
                                   "tiny-huge", "calloc", "resample", "check")] + \
    [["rectrace", sub] for sub in ("record", "convert")] + \
    [["plot", sub] for sub in ("util", "heapmap", "compare", "suite")]
ARG_LINE = re.compile(r"^  (\S.*)$")  # an option or argument, at argparse's indent


def undescribed(page):
    """The options and arguments of a --help page that have no text saying what they do: alone
    on their line, with no deeper-indented line below."""
    lines = page.splitlines() + [""]
    out = []
    for line, below in zip(lines, lines[1:]):
        m = ARG_LINE.match(line)
        if m and "  " not in m.group(1) and not below.startswith("   "):
            out.append(m.group(1))
    return out


class Help(unittest.TestCase):
    def test_every_option_of_every_tool_says_what_it_does(self):
        for page in HELP_PAGES:
            with self.subTest(page=" ".join(page)):
                r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", page[0]),
                                    *page[1:], "--help"], capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(undescribed(r.stdout), [])

    def test_a_tools_description_is_whole_sentences(self):
        for page in HELP_PAGES:
            if len(page) > 1:
                continue
            with self.subTest(tool=page[0]):
                r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", page[0]),
                                    "--help"], capture_output=True, text=True)
                about = r.stdout.split("\n\n")[1]  # after the usage lines
                self.assertTrue(about.rstrip().endswith("."), about)

    def test_undescribed_finds_a_bare_option(self):
        page = "options:\n  -h, --help  show this\n  --ops OPS\n  --live LIVE\n" \
               "                 blocks\n  FILE\n"
        self.assertEqual(undescribed(page), ["--ops OPS", "FILE"])


if __name__ == "__main__":
    unittest.main()
