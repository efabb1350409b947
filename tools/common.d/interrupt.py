"""tools/common.d/interrupt.py: how a tool's run ends when it is cut short (gentrace, rectrace,
plot, bench), with one line on stderr and no traceback:
- Ctrl-C: `TOOL: interrupted` and the shell's status for a command ended by SIGINT. The terminal
  sends SIGINT to the tool's children too (one process group); a child the tool must end itself
  when only the tool was signalled (kill -INT) is ended where it runs (subprocess.run kills it on
  the way out; bench's streaming loop terminates it);
- a stdout it cannot write (a full disk, fd 1 closed): `TOOL: cannot write to stdout: REASON`
  and status 2, as mdriver says it, since a script must not take the output for whole; a reader
  that stopped reading (`| head`) has what it wanted: status 0, no message;
- memory running out: `TOOL: out of memory` and status 2."""
import errno
import os
import signal
import sys

STATUS = 128 + signal.SIGINT
USAGE = 2


class StdoutError(Exception):
    """stdout could not take what the tool wrote; errno says why."""

    def __init__(self, err):
        super().__init__(os.strerror(err))
        self.errno = err


class Stdout:
    """sys.stdout, whose write errors are StdoutError: an OSError of its own would be taken for
    another file's (argparse even drops one, so --help would end with status 0). When fd 1 was
    closed (sys.stdout None), writing is the error, as it is for mdriver."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        return self._call("write", text)

    def flush(self):
        return self._call("flush") if self.stream else None

    def _call(self, name, *args):
        if self.stream is None:
            raise StdoutError(errno.EBADF)
        try:
            return getattr(self.stream, name)(*args)
        except OSError as e:
            raise StdoutError(e.errno) from e

    def __getattr__(self, name):
        return getattr(self.stream, name)


def discard(stream):
    """What is still buffered for stdout goes to /dev/null, so that flushing it on the way out
    fails no more."""
    if stream is not None:
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


RESERVE_BYTES = 1 << 20  # held from the start, given back to say that memory ran out
reserve = bytearray()


def ended(tool, main, args, stream):
    """main(*args)'s status once its output is flushed, or the status of how it was cut short."""
    try:
        try:
            status = main(*args)
        except SystemExit as e:  # argparse's --help and usage errors: their text must get out too
            status = e.code
        sys.stdout.flush()
        return status
    except KeyboardInterrupt:
        print(f"{tool}: interrupted", file=sys.stderr)
        return STATUS
    except StdoutError as e:
        discard(stream)
        if e.errno == errno.EPIPE:
            return 0
        print(f"{tool}: cannot write to stdout: {e}", file=sys.stderr)
        return USAGE
    except MemoryError:
        pass  # said below: until the handler ends, its traceback keeps the memory's holders alive
    reserve.clear()
    print(f"{tool}: out of memory", file=sys.stderr)
    return USAGE


def run(tool, main, *args):
    """Exits with main(*args)'s status, or as said above when it is cut short."""
    stream = sys.stdout
    sys.stdout = Stdout(stream)
    reserve.extend(bytes(RESERVE_BYTES))
    try:
        status = ended(tool, main, args, stream)
    finally:
        sys.stdout = stream
    sys.exit(status)
