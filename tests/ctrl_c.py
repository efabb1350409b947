"""Ctrl-C for the tools' tests: SIGINT to a command's whole process group, as a terminal sends
it, and what of the command is left running afterwards."""
import os
import signal
import subprocess
import time

SETTLE_SECS = 60  # how long an interrupted command may take to end


def interrupt(cmd, after_secs, cwd):
    """Runs cmd in a session of its own (SIGINT not ignored, whatever the caller does with it),
    sends SIGINT to its group after after_secs; returns the finished Popen, its stdout and
    stderr."""
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(after_secs)
    os.killpg(p.pid, signal.SIGINT)
    out, err = p.communicate(timeout=SETTLE_SECS)
    return p, out, err


def left_running(p):
    """The processes of p's session still alive (the dead wait for init to reap them)."""
    ps = subprocess.run(["ps", "-o", "stat=,args=", "-s", str(p.pid)], capture_output=True,
                        text=True)
    return [line for line in ps.stdout.splitlines() if not line.startswith("Z")]
