"""The output paths: checked before grading; the output folder filled only at the end, from a
staging folder inside the work folder, so a run that is interrupted or fails leaves nothing new
in it; what the run before wrote there is removed then."""
import json
import os
import shutil

STAGE = "out"  # the staging folder's name in the work folder

# What a run writes in the output folder besides each submission's logs/NAME.log,
# logs/NAME.build.log and autolab/NAME.json.
TOP_FILES = ["results.json", "results.csv", "leaderboard.html", "leaderboard.png",
             "leaderboard.dat"]


def stage(work):
    """The staging folder in work, with logs/ private (without bwrap, no peeking at others'
    logs)."""
    staged = os.path.join(work, STAGE)
    os.makedirs(os.path.join(staged, "logs"))
    os.chmod(os.path.join(staged, "logs"), 0o700)
    return staged


def publish(staged, out):
    """Moves everything staged into out, replacing files of the same names and keeping the
    others (clear has removed those of the run before)."""
    for root, _, files in os.walk(staged):
        dst = os.path.join(out, os.path.relpath(root, staged))
        os.makedirs(dst, exist_ok=True)
        if root != staged:  # out's own mode is the user's
            os.chmod(dst, os.stat(root).st_mode & 0o777)
        for f in files:
            shutil.move(os.path.join(root, f), os.path.join(dst, f))


def logs_named(results):
    """The logs results name (log, build_log), as normalized paths relative to the output
    folder."""
    return {os.path.normpath(r[k]) for r in results for k in ("log", "build_log")
            if isinstance(r.get(k), str) and r[k]}


def earlier_files(out):
    """The files the run before wrote into out, relative to it, as its results.json names them:
    the top files, each submission's logs/*.log and autolab/*.json, and only those (a merge
    names the logs of its parts' folders, which are theirs). Nothing when out holds no results
    of a run."""
    try:
        with open(os.path.join(out, "results.json")) as f:
            results = json.load(f)["submissions"]
        named = logs_named(results)
        named |= {os.path.normpath(os.path.join("autolab", r["name"] + ".json")) for r in results}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()
    return set(TOP_FILES) | {f for f in named if (os.path.dirname(f), os.path.splitext(f)[1])
                             in (("logs", ".log"), ("autolab", ".json"))}


def clear(out, results):
    """Removes what the run before wrote into out but the logs results name (a merge into a
    part's own folder names that part's logs): a run's outputs are all its own, with no log or
    Autolab line of a submission it did not grade. Nothing else in out is touched."""
    for f in earlier_files(out) - logs_named(results):
        try:
            os.remove(os.path.join(out, f))
        except FileNotFoundError:
            pass


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
