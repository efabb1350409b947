"""tools/common.d/tracefiles.py: which files the driver reads as traces, for the tools that
write or gather them (gentrace, rectrace, bench, grade)."""
import os
import sys

SUFFIXES = (".rep", ".rep.xz")  # the only files mdriver -t DIR and tools/grade -t read


def is_trace(path):
    """What the shell's *.rep and *.rep.xz match, as mdriver -t DIR reads them: no dot file
    (such as the lock emacs keeps beside a file being edited, .#NAME.rep)."""
    name = os.path.basename(path)
    return name.endswith(SUFFIXES) and not name.startswith(".")


def trace_name(path):
    """A trace's name as the driver prints it: the file name without .rep or .rep.xz."""
    name = os.path.basename(path)
    for ext in (".xz", ".rep"):
        name = name.removesuffix(ext)
    return name


def note_if_unread(path, tool):
    """A trace saved under another name is skipped without a word by -t DIR: say so now (not
    of a folder, which the write then refuses with its own message)."""
    if path not in (None, "-") and not is_trace(path) and not os.path.isdir(path):
        print(f"{tool}: note: {path}: mdriver -t DIR and tools/grade -t read only .rep and "
              ".rep.xz files, and no dot file", file=sys.stderr)
