"""tools/grade.d/progress.py: the grader's progress lines on stderr, said by the worker threads,
one whole line at a time, and none once the run is interrupted: a worker whose sandboxed run
the interrupt has just killed would report a grade that is none, after or amid the grader's
last word."""
import sys
import threading


class Progress:
    def __init__(self):
        # Reentrant: the interrupt handler runs in the main thread, which may be saying a line.
        self._lock = threading.RLock()
        self._stopped = False

    def say(self, line):
        with self._lock:
            if not self._stopped:
                print(line, file=sys.stderr)

    def stop(self):
        """No line is said from now on; a line being said is finished first."""
        with self._lock:
            self._stopped = True
