"""tools/common.d/tracefiles.py: which files the driver reads as traces, for the tools that
write or gather them (gentrace, rectrace, bench, grade)."""
import sys

SUFFIXES = (".rep", ".rep.xz")  # the only files mdriver -t DIR and tools/grade -t read


def is_trace(name):
    return name.endswith(SUFFIXES)


def note_if_unread(path, tool):
    """A trace saved under another name is skipped without a word by -t DIR: say so now."""
    if path not in (None, "-") and not is_trace(path):
        print(f"{tool}: note: {path}: mdriver -t DIR and tools/grade -t read only .rep and "
              ".rep.xz files", file=sys.stderr)
