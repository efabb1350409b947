"""tools/common.d: the modules the tools share, and that the tools use them rather than their
own copies."""
import contextlib
import io
import os
import signal
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

    def test_tools_end_through_it(self):
        for tool in CTRL_C_TOOLS:
            with self.subTest(tool=tool), open(os.path.join(ROOT, "tools", tool)) as f:
                src = f.read()
            self.assertNotIn("except KeyboardInterrupt", src, f"{tool} catches Ctrl-C itself")
            self.assertIn(f'interrupt.run("{tool}", ', src, f"{tool} does not end through it")


if __name__ == "__main__":
    unittest.main()
