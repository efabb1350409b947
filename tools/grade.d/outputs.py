"""The output paths: checked before grading; the output folder filled only at the end, from a
staging folder inside the work folder, so a run that is interrupted or fails leaves nothing new
in it."""
import os
import shutil

STAGE = "out"  # the staging folder's name in the work folder


def stage(work):
    """The staging folder in work, with logs/ private (without bwrap, no peeking at others'
    logs)."""
    staged = os.path.join(work, STAGE)
    os.makedirs(os.path.join(staged, "logs"))
    os.chmod(os.path.join(staged, "logs"), 0o700)
    return staged


def publish(staged, out):
    """Moves everything staged into out, replacing files of the same names and keeping the
    others (an earlier run's logs of other submissions)."""
    for root, _, files in os.walk(staged):
        dst = os.path.join(out, os.path.relpath(root, staged))
        os.makedirs(dst, exist_ok=True)
        if root != staged:  # out's own mode is the user's
            os.chmod(dst, os.stat(root).st_mode & 0o777)
        for f in files:
            shutil.move(os.path.join(root, f), os.path.join(dst, f))


def dir_problem(path):
    """Why path cannot become a folder of outputs (None if it can): checked before grading, so
    a typo does not cost a whole run."""
    d = os.path.abspath(path)
    while not os.path.exists(d):
        d = os.path.dirname(d)
    if not os.path.isdir(d):
        return f"{d}: not a folder"
    if not os.access(d, os.W_OK | os.X_OK):
        return f"{d}: not writable"
    return None


def file_problem(path):
    """Why path cannot be written as a file (None if it can)."""
    if os.path.isdir(path):
        return f"{path}: a folder"
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        return f"{path}: no folder {parent}"
    if not os.access(parent, os.W_OK | os.X_OK) or \
            (os.path.exists(path) and not os.access(path, os.W_OK)):
        return f"{path}: not writable"
    return None
