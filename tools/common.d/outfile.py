"""tools/common.d/outfile.py: how gentrace and rectrace write a file the user names (-o), and
how they and plot check one beforehand and make a folder: a regular file is written whole or
not at all (a temp file renamed over it), through a symlink to the file it points to (the link
stays), and straight into a device or a FIFO, which a rename would replace with a regular file
(as root, /dev/null itself)."""
import errno
import os
import stat
import tempfile

import xz


class WriteError(Exception):
    """Why a file or folder cannot be written or made: one line for the user, to follow its name."""


def in_place(path):
    """True for what is written where it is: an existing file that is neither a regular file nor
    a folder (a device, a FIFO; /dev/stdout through its link)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def check(path):
    """Raises WriteError now, before any long work, when path could not be written."""
    real = os.path.realpath(path)
    if os.path.isdir(real):
        raise WriteError(f"cannot write: {os.strerror(errno.EISDIR)}")
    if in_place(path):
        return
    d = os.path.dirname(real)
    if not os.path.isdir(d):
        raise WriteError(f"cannot write: no directory {d}")
    if not os.access(d, os.W_OK):
        raise WriteError(f"cannot write: directory {d} is not writable")
    if path.endswith(".xz"):
        try:
            xz.check()
        except xz.XzError as e:
            raise WriteError(f"cannot compress: {e}") from e


def write(path, data):
    """data (bytes) into path, compressed by xz when path ends in .xz; WriteError if not."""
    if path.endswith(".xz"):
        try:
            data = xz.compress(data)
        except xz.XzError as e:
            raise WriteError(f"cannot compress: {e}") from e
    try:
        if in_place(path):
            with open(path, "wb") as f:
                f.write(data)
        else:
            replace(os.path.realpath(path), data)
    except OSError as e:
        raise WriteError(f"cannot write: {e.strerror or e}") from e


def replace(path, data):
    """A new regular file at path, with the mode open() would give it, left nowhere half
    written: not under its name, nor as a temp file beside it (Ctrl-C included)."""
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~umask())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def umask():
    mask = os.umask(0o22)
    os.umask(mask)
    return mask


def make_dir(path):
    """path made when missing, but only inside a folder that exists, so that a mistyped path is
    told rather than made."""
    if os.path.isdir(path):
        return
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise WriteError("its parent directory does not exist")
    try:
        os.mkdir(path)
    except OSError as e:
        raise WriteError(f"cannot make: {e.strerror}") from e
