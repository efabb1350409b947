"""tests/run.py, the runner CI reads: every outcome counts (a failure, an error, an unexpected
success, a module that does not load and one whose process dies are failures; a skip is
neither), the closing line is `N passed, N failed, N skipped`, and the exit status is 1 when
anything failed.

The modules run are made here, in a scratch folder put on the children's PYTHONPATH."""
import contextlib
import importlib.util
import io
import os
import shutil
import tempfile
import unittest
import unittest.mock

HERE = os.path.dirname(os.path.abspath(__file__))

MIXED = """import unittest

class T(unittest.TestCase):
    def test_passes(self):
        pass

    def test_fails(self):
        self.fail("meant to")

    def test_errs(self):
        raise RuntimeError("meant to")

    @unittest.skip("meant to")
    def test_skipped(self):
        pass

    @unittest.expectedFailure
    def test_passes_unexpectedly(self):
        pass
"""
PASSING = "import unittest\n\nclass T(unittest.TestCase):\n    def test_ok(self):\n        pass\n"
BROKEN = "import no_such_module_anywhere\n"
DYING = "import os\n\nos._exit(3)  # as if killed: no counts printed at all\n"


class Runner(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="test_run.")
        self.addCleanup(shutil.rmtree, self.dir, True)
        spec = importlib.util.spec_from_file_location("run_py", os.path.join(HERE, "run.py"))
        self.run_py = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self.run_py)
        self.run_py.HERE = self.dir  # modules are looked for here; the children import them
        path = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = self.dir + (os.pathsep + path if path else "")
        self.addCleanup(self.restore, "PYTHONPATH", path)

    @staticmethod
    def restore(name, value):
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value

    def main(self, modules, argv=()):
        for name, text in modules.items():
            with open(os.path.join(self.dir, name + ".py"), "w") as f:
                f.write(text)
        out = io.StringIO()
        with contextlib.redirect_stdout(out), unittest.mock.patch("sys.argv", ["run.py", *argv]):
            status = self.run_py.main()
        return status, out.getvalue().splitlines()

    def test_every_outcome_counts(self):
        status, lines = self.main({"test_mixed": MIXED})
        self.assertEqual(lines[-1], "1 passed, 3 failed, 1 skipped")
        self.assertEqual(status, 1)

    def test_module_that_does_not_load_or_dies_is_a_failure(self):
        status, lines = self.main({"test_ok": PASSING, "test_broken": BROKEN, "test_dies": DYING})
        self.assertEqual(lines[-1], "1 passed, 2 failed, 0 skipped")
        self.assertEqual(status, 1)

    def test_all_passing_exits_0(self):
        status, lines = self.main({"test_ok": PASSING})
        self.assertEqual(lines[-1], "1 passed, 0 failed, 0 skipped")
        self.assertEqual(status, 0)


if __name__ == "__main__":
    unittest.main()
