"""The sandbox every build and run of a submission goes through.

Layers, outermost first:
  1. A user id of its own (when the grader runs as root): the submission's processes cannot
     signal, trace or read the files of the grader or of another submission, RLIMIT_NPROC counts
     only its own processes (root ignores RLIMIT_NPROC, so running as root would disable it),
     and `kill -9 -1` under that id afterwards removes anything it left running.
  2. setrlimit, through util-linux's prlimit: CPU seconds, address space, processes, file size,
     open files, no core files.
  3. bubblewrap, when it works here: new user, pid, network, IPC and UTS namespaces; the host's
     file system read-only, with /tmp, /run, /home, /root, /proc and what the caller names
     (the grader's repository, output and trace folders, the submissions and the folders they
     were handed in with) hidden behind empty tmpfs mounts, or /dev/null for a file; the
     driver's runs get their traces bound back; each tmpfs read-only (/dev's too: none may hold
     a submission's writes in memory); only the scratch folder is writable, and the temporary
     files go there; a seccomp filter that refuses ptrace, process_vm_readv/writev and
     socket().
     bwrap is tried once at start-up; inside some containers it cannot create namespaces, and
     the grader then says so in every result and keeps layers 1 and 2.
"""
import os
import shutil
import signal
import struct
import subprocess
import tempfile
import threading

# uids handed to submissions: far above any real account; MAX_WORKERS per grader process.
UID_BASE = 0x40000000
MAX_WORKERS = 256

# Most CPU seconds a limit sets: prlimit refuses a figure past its type (a budget from -s 1e300),
# and no run lasts this long (68 years) anyway.
CPU_SECS_MAX = 1 << 31

# Bytes of a command's stdout and of its stderr the grader keeps.
OUTPUT_CAP = 1 << 20


class Limits:
    """Resource limits for one sandboxed command."""

    def __init__(self, cpu_secs, mem_bytes, nproc=32, fsize=64 << 20, nofile=64):
        self.cpu_secs = int(min(cpu_secs, CPU_SECS_MAX))
        self.mem_bytes = int(mem_bytes)
        self.nproc = nproc
        self.fsize = fsize
        self.nofile = nofile

    def prlimit_args(self, extra_nproc=0):
        return ["prlimit", f"--cpu={self.cpu_secs}", f"--as={self.mem_bytes}",
                f"--nproc={self.nproc + extra_nproc}", f"--fsize={self.fsize}",
                f"--nofile={self.nofile}", "--core=0", "--"]


# x86-64 system calls the sandboxed processes have no use for and that would let a submission
# reach beyond its own process: tracing or writing into the driver that reports its score,
# and sockets (the network is gone anyway; this also closes Unix sockets on the host).
SECCOMP_DENY = {"ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
                "kcmp": 312, "pidfd_getfd": 438, "socket": 41}
AUDIT_ARCH_X86_64 = 0xC000003E
X32_SYSCALL_BIT = 0x40000000


def seccomp_program():
    """A classic BPF seccomp filter (struct sock_filter[]) refusing SECCOMP_DENY with EPERM.
    Calls through another ABI (32-bit int $0x80, x32) are refused wholesale: nothing in the
    sandbox needs them and they would bypass the numbers above."""
    ld_abs, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | 1  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EPERM
    nrs = sorted(SECCOMP_DENY.values())
    prog = [(ld_abs, 0, 0, 4)]                       # A = arch
    tail = 3 + len(nrs)                              # instructions between here and "deny"
    prog.append((jeq, 0, tail, AUDIT_ARCH_X86_64))   # other arch -> deny
    prog.append((ld_abs, 0, 0, 0))                   # A = syscall number
    prog.append((jge, tail - 2, 0, X32_SYSCALL_BIT))  # x32 -> deny
    for i, nr in enumerate(nrs):
        prog.append((jeq, len(nrs) - i, 0, nr))      # listed -> deny
    prog.append((ret, 0, 0, allow))
    prog.append((ret, 0, 0, deny))
    return b"".join(struct.pack("<HBBI", *ins) for ins in prog)


def read_capped(f, bufs, key, cap=OUTPUT_CAP):
    """Reads f to its end into bufs[key], keeping at most cap bytes: a submission that floods
    its output must not fill the grader's memory. Says how much it dropped."""
    kept, dropped, size = [], 0, 0
    while True:
        chunk = f.read1(1 << 16)
        if not chunk:
            break
        room = cap - size
        if room > 0:
            kept.append(chunk[:room])
            size += min(room, len(chunk))
        dropped += max(0, len(chunk) - max(room, 0))
    if dropped:
        kept.append(b"\n[... %d more bytes dropped]\n" % dropped)
    bufs[key] = b"".join(kept)
    bufs[key + "_dropped"] = dropped


# Hidden from every run: home folders, sockets under /run, the shared temporary folders, and the
# host's /proc (it would show the grader's processes; the pid namespace gets none, as nothing
# here needs it).
ALWAYS_HIDDEN = ["/tmp", "/var/tmp", "/run", "/home", "/root", "/proc"]


def within(path, folder):
    """Whether path is folder or lies inside it."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def outermost(paths):
    """paths less those inside another of them: hiding that one hides them."""
    kept = []
    for p in sorted(set(paths), key=len):
        if not any(within(p, q) for q in kept):
            kept.append(p)
    return kept


def kill_children():
    """Ends every process the grader started that still runs, with its process group: on an
    interrupt, those started a moment before it (not yet listed for kill_all) too. Each runs in
    a session of its own, set up first thing in the child; one caught before that is a copy of
    the grader, ended alone."""
    me = str(os.getpid())
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # ended meanwhile
        if stat[stat.rindex(")") + 2:].split()[1] == me:  # fields after the name: state, ppid
            for kill in (os.killpg, os.kill):
                try:
                    kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass


def killed(cmd):
    """Sandbox.run's result of a command that kill_all stopped before it started."""
    r = subprocess.CompletedProcess(cmd, -signal.SIGKILL, "", "")
    r.timed_out = r.truncated = False
    return r


class Sandbox:
    """Runs commands for submissions. One instance per grader run."""

    def __init__(self, hidden, use_bwrap=True, probe_dir=None):
        """hidden: folders and files the runs must not see, besides ALWAYS_HIDDEN; probe_dir:
        where bwrap's trial run gets its scratch folder (default: the system's temporary
        folder)."""
        self.is_root = os.geteuid() == 0
        self.hidden = outermost(ALWAYS_HIDDEN + [os.path.realpath(p) for p in hidden])
        self._local = threading.local()
        self._next_slot = 0
        self._busy = set()
        self._active = {}      # running Popen -> its uid, for kill_all
        self._closed = False   # set by kill_all: nothing starts after it
        self._lock = threading.Lock()
        self.bwrap = None      # path of a working bwrap, or None
        self.note = ""         # what protects the runs, for the results
        self._probe(use_bwrap, probe_dir)

    # ---- set-up ------------------------------------------------------------------------------

    def _probe(self, use_bwrap, probe_dir):
        exe = shutil.which("bwrap") if use_bwrap else None
        if exe:
            self.bwrap = exe
            with tempfile.TemporaryDirectory(dir=probe_dir) as d:
                os.chmod(d, 0o755)
                self.begin()
                r = self.run(["true"], scratch=d, limits=Limits(10, 1 << 30), timeout=30)
                self.end()
            if r.returncode != 0:
                self.bwrap = None
                self.note = ("bwrap unusable here (" + r.stderr.strip().splitlines()[-1]
                             if r.stderr.strip() else "bwrap unusable here (exit %d" % r.returncode)
                self.note += "): rlimits and a separate uid only, no namespaces"
        elif use_bwrap:
            self.note = ("bwrap not installed (Debian package bubblewrap): rlimits and a "
                         "separate uid only, no namespaces")
        else:
            self.note = "bwrap disabled (--no-bwrap): rlimits and a separate uid only"
        if self.bwrap:
            self.note = "bwrap (no network, read-only host, new pid namespace, seccomp) + rlimits"
        if not self.is_root:
            self.note += "; grader not root: submissions share the grader's uid"

    def begin(self):
        """Gives the calling thread a uid for one submission: one no other submission of this
        grader uses meanwhile, and (taken in turn among MAX_WORKERS) not the one just freed, so
        that processes of the last submission still being reaped do not count against the
        next one's process limit."""
        with self._lock:
            while self._next_slot % MAX_WORKERS in self._busy:
                self._next_slot += 1
            self._local.slot = self._next_slot % MAX_WORKERS
            self._next_slot += 1
            self._busy.add(self._local.slot)

    def end(self):
        with self._lock:
            self._busy.discard(self._local.slot)

    def uid(self):
        """The uid of the calling thread's submission (None when the grader cannot switch
        users). Distinct across grader processes too: the grader's pid is part of it."""
        if not self.is_root:
            return None
        return UID_BASE + (os.getpid() % (1 << 22)) * MAX_WORKERS + self._local.slot

    def give(self, path):
        """Hands a scratch folder to this submission's sandbox uid, readable by nobody else."""
        uid = self.uid()
        for root, dirs, files in os.walk(path):
            for n in [root] + [os.path.join(root, f) for f in dirs + files]:
                if uid is not None:
                    os.lchown(n, uid, uid)
        os.chmod(path, 0o700)

    # ---- running -----------------------------------------------------------------------------

    def _bwrap_args(self, scratch, seccomp_fd, ro_binds):
        args = [self.bwrap, "--ro-bind", "/", "/", "--dev", "/dev"]
        # A folder is hidden behind an empty tmpfs, a file behind /dev/null (unreadable there).
        folders = [p for p in self.hidden if os.path.isdir(p)]
        for p in self.hidden:
            if p in folders:
                args += ["--tmpfs", p]
            elif os.path.isfile(p):
                args += ["--ro-bind", "/dev/null", p]
        for src, dst in ro_binds:
            args += ["--ro-bind", src, dst]
        args += ["--bind", scratch, scratch]
        # Writable, a tmpfs (/dev is one) would keep what the submission writes in the host's
        # memory, beyond its limits: each is read-only once the binds have their mount points.
        for p in ["/dev"] + folders:
            args += ["--remount-ro", p]
        return args + ["--chdir", scratch, "--unshare-all", "--die-with-parent", "--new-session",
                       "--seccomp", str(seccomp_fd), "--"]

    def _user_procs(self):
        """Processes the grader's own uid runs now (RLIMIT_NPROC counts them when not root)."""
        me, n = os.getuid(), 0
        for p in os.listdir("/proc"):
            if p.isdigit():
                try:
                    if os.stat("/proc/" + p).st_uid == me:
                        n += 1
                except OSError:
                    pass
        return n

    def run(self, argv, scratch, limits, timeout, env=None, ro_binds=(), output_cap=OUTPUT_CAP):
        """Runs argv in the sandbox with scratch as its only writable folder and current
        directory. Returns a CompletedProcess with .timed_out set, and .truncated when more
        than output_cap bytes came on stdout or stderr (the rest is dropped)."""
        uid = self.uid()
        extra = 0 if uid is not None else self._user_procs()
        cmd = limits.prlimit_args(extra)
        r_fd = None
        if self.bwrap:
            r_fd, w_fd = os.pipe()
            os.write(w_fd, seccomp_program())  # a few hundred bytes: fits in the pipe buffer
            os.close(w_fd)
            cmd += self._bwrap_args(scratch, r_fd, ro_binds)
        cmd += argv
        env = dict(env or {})
        env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
        env.setdefault("LC_ALL", "C")
        env.setdefault("HOME", scratch)
        env.setdefault("TMPDIR", scratch)  # the compiler's temporary files: /tmp is read-only
        kw = {}
        if uid is not None:
            kw = {"user": uid, "group": uid, "extra_groups": []}
        with self._lock:  # started and listed at once, so that kill_all misses none
            if self._closed:
                if r_fd is not None:
                    os.close(r_fd)
                return killed(cmd)
            p = subprocess.Popen(cmd, cwd=scratch, env=env, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 start_new_session=True, pass_fds=(r_fd,) if r_fd else (), **kw)
            self._active[p] = uid
        if r_fd is not None:
            os.close(r_fd)
        # Read the pipes in threads and wait for the process itself, not for the pipes' end:
        # a child it left behind may hold them open until _reap kills it.
        bufs = {}
        readers = [threading.Thread(target=read_capped, args=(f, bufs, k, output_cap),
                                    daemon=True)
                   for k, f in (("out", p.stdout), ("err", p.stderr))]
        for t in readers:
            t.start()
        timed_out = False
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        self._reap(p, uid)
        with self._lock:
            self._active.pop(p, None)
        p.wait()
        for t in readers:
            t.join(timeout=5)  # only a process that escaped every kill could hold a pipe now
        p.stdout.close()
        p.stderr.close()
        r = subprocess.CompletedProcess(cmd, p.returncode,
                                        bufs.get("out", b"").decode("utf-8", "replace"),
                                        bufs.get("err", b"").decode("utf-8", "replace"))
        r.timed_out = timed_out
        r.truncated = bool(bufs.get("out_dropped") or bufs.get("err_dropped"))
        return r

    def kill_all(self):
        """Ends every sandboxed command still running, and any a grading thread would start
        from now on (the grader is being interrupted: it outlives none of them)."""
        with self._lock:
            self._closed = True
            active = list(self._active.items())
        for p, uid in active:
            self._reap(p, uid)

    def _reap(self, p, uid):
        """Leaves nothing of the submission running. With bwrap the pid namespace dies with
        its first process; without it, whatever escaped the process group (setsid, daemons)
        still carries the sandbox uid, and kill(-1) as that uid reaches exactly those."""
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.bwrap is None and uid is not None:
            subprocess.run(["kill", "-9", "-1"], user=uid, group=uid, extra_groups=[],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
