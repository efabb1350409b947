"""tools/common.d/interrupt.py: how a tool ends on Ctrl-C (gentrace, rectrace, plot, bench): one
line `TOOL: interrupted` on stderr and the shell's status for a command ended by SIGINT, with no
traceback. The terminal sends SIGINT to the tool's children too (one process group); a child the
tool must end itself when only the tool was signalled (kill -INT) is ended where it runs
(subprocess.run kills it on the way out; bench's streaming loop terminates it)."""
import signal
import sys

STATUS = 128 + signal.SIGINT


def run(tool, main, *args):
    """Exits with main(*args)'s status, or with STATUS and one line when Ctrl-C stops it."""
    try:
        status = main(*args)
    except KeyboardInterrupt:
        print(f"{tool}: interrupted", file=sys.stderr)
        status = STATUS
    sys.exit(status)
