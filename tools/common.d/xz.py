"""tools/common.d/xz.py: compresses a trace into .rep.xz, for the tools that write them (gentrace,
rectrace). Single-threaded `xz -9` writes the same bytes on every run, so a trace remade by the
same command is the same file."""
import shutil
import subprocess

COMMAND = ["xz", "-9", "--threads=1", "-c"]
MISSING = "xz is not installed (Debian package xz-utils)"  # as the driver says it


class XzError(Exception):
    """Why the data could not be compressed: one line for the user."""


def check():
    """Raises XzError now if xz is missing, so that no work is done for nothing."""
    if not shutil.which(COMMAND[0]):
        raise XzError(MISSING)


def compress(data):
    """data (bytes) compressed by xz."""
    check()
    try:
        p = subprocess.run(COMMAND, input=data, capture_output=True, check=False)
    except OSError as e:
        raise XzError(f"cannot run xz: {e.strerror}") from e
    if p.returncode != 0:
        raise XzError(f"xz failed: {p.stderr.decode(errors='replace').strip()}")
    return p.stdout
