/* driver/sandbox.c: one job per child process (see sandbox.h).
 *
 * The record travels over a pipe created for this child alone and is accepted only whole, with
 * the nonce the parent chose for this child; nothing is ever parsed from the child's stdout. */
#include "driver/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "driver/clock.h"

/* How often the parent wakes to watch the child's progress. */
#define POLL_SLICE_MS 50
#define COPY_CHUNK 4096
/* Exit status of a child that could not set up or send its record. */
#define CHILD_BROKEN 127
/* 2^64 / the golden ratio, odd: multiplying by it spreads every input bit over the high ones. */
#define NONCE_MIX 0x9e3779b97f4a7c15ULL
/* What wakes the child's guard when the child ends: a signal no allocator has a use for. */
#define GUARD_SIGNAL SIGRTMAX

/* What goes over the pipe: the caller's record, framed. */
struct frame {
    uint64_t nonce;
    size_t size;
};

static uint64_t new_nonce(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)getpid() << 16;
    x ^= (uint64_t)(uintptr_t)&ts; /* address-space randomization adds bits */
    return x * NONCE_MIX;
}

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

size_t sandbox_stdout_size(int stdout_fd)
{
    struct stat st;
    return fstat(stdout_fd, &st) == 0 ? (size_t)st.st_size : 0;
}

void sandbox_pass_to_stderr(int stdout_fd, size_t from)
{
    size_t end = sandbox_stdout_size(stdout_fd);
    char buf[COPY_CHUNK];
    for (size_t off = from; off < end;) {
        ssize_t n = pread(stdout_fd, buf, sizeof buf, (off_t)off);
        if (n <= 0)
            break;
        if (write_all(STDERR_FILENO, buf, (size_t)n) != 0)
            break;
        off += (size_t)n;
    }
    if (end > from && ftruncate(stdout_fd, (off_t)from) != 0)
        return; /* the output stays, and will be reported as printed to stdout */
}

/* Signals that end the driver (unless handled elsewhere): their handler first kills the running
 * child's group, which would otherwise go on running without a driver. */
static const int fatal_signals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM};
#define NUM_FATAL (sizeof fatal_signals / sizeof fatal_signals[0])

/* The running child's pid, which is also its process group; 0 between jobs. */
static volatile sig_atomic_t running_group;

/* The parent pid in /proc/PID/stat's text ("PID (COMM) STATE PPID ..."; COMM may hold spaces
 * and parentheses, so the fields count from the last ')'), or -1. */
static pid_t stat_ppid(const char *stat, ssize_t n)
{
    const char *paren = NULL;
    for (ssize_t i = 0; i < n; i++)
        paren = stat[i] == ')' ? stat + i : paren;
    if (!paren || paren + 4 >= stat + n)
        return -1;
    pid_t ppid = 0;
    for (const char *q = paren + 4; q < stat + n && *q >= '0' && *q <= '9'; q++)
        ppid = ppid * 10 + (*q - '0');
    return ppid;
}

/* The pid of /proc/NAME when that process is a child of the driver, else 0. No stdio and no
 * allocation: it runs in the signal handler too. */
static pid_t own_child(const char *name, pid_t driver)
{
    char path[32] = "/proc/", stat[512];
    size_t k = strlen(path);
    pid_t pid = 0;
    for (const char *q = name; *q && k < sizeof path - 6; q++) {
        if (*q < '0' || *q > '9')
            return 0;
        pid = pid * 10 + (*q - '0');
        path[k++] = *q;
    }
    memcpy(path + k, "/stat", 6);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, stat, sizeof stat);
    close(fd);
    return n > 0 && stat_ppid(stat, n) == driver ? pid : 0;
}

/* Children the driver had before its first job (a shell that ran `cmd & exec mdriver` leaves
 * cmd to it): they are not the allocator's, and no job ends them. */
#define ELDERS_MAX 1024
static pid_t elders[ELDERS_MAX];
static int num_elders;

static int is_elder(pid_t pid)
{
    for (int i = 0; i < num_elders; i++)
        if (elders[i] == pid)
            return 1;
    return 0;
}

/* Calls fn on each child of the driver; returns the sum of what the calls returned. */
static int each_child(int (*fn)(pid_t))
{
    pid_t driver = getpid();
    int dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), sum = 0;
    if (dir < 0)
        return 0;
    char buf[4096];
    long n;
    while ((n = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0)
        for (long at = 0; at < n;) {
            struct dirent64 *d = (struct dirent64 *)(void *)(buf + at);
            at += d->d_reclen;
            pid_t pid = own_child(d->d_name, driver);
            if (pid)
                sum += fn(pid);
        }
    close(dir);
    return sum;
}

static int note_elder(pid_t pid)
{
    if (num_elders < ELDERS_MAX)
        elders[num_elders++] = pid;
    return 0;
}

/* A child that is no elder is the allocator's: SIGKILL, and reap it. Returns 1 when it did. */
static int end_stray(pid_t pid)
{
    if (is_elder(pid))
        return 0;
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return 1;
}

/* Once the job's group is dead: end whatever the allocator started outside it (setsid), which
 * came to the driver, the subreaper, when its parent in the job ended, and whatever that
 * started in turn, until none is left. */
static void end_strays(void)
{
    while (each_child(end_stray))
        ;
}

static void kill_group_and_die(int sig)
{
    if (running_group) {
        kill(-running_group, SIGKILL);
        end_strays();
    }
    raise(sig); /* SA_RESETHAND: the default action, once this handler returns */
}

static void install_handlers(void)
{
    static int installed;
    if (installed++)
        return;
    each_child(note_elder);
    prctl(PR_SET_CHILD_SUBREAPER, 1); /* see end_strays */
    struct sigaction sa = {.sa_handler = kill_group_and_die, .sa_flags = SA_RESETHAND};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NUM_FATAL; i++) {
        struct sigaction old;
        /* a signal ignored when mdriver started (nohup) stays ignored */
        if (sigaction(fatal_signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(fatal_signals[i], &sa, NULL);
    }
}

/* Blocks the fatal signals (old mask in *old), so that a child never runs unrecorded. */
static void block_fatal(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < NUM_FATAL; i++)
        sigaddset(&set, fatal_signals[i]);
    sigprocmask(SIG_BLOCK, &set, old);
}

/* Processes that the allocator forks get no parent-death signal (fork clears it), so the child
 * starts a guard in its group: it waits for the child's end, however it comes (a parent-death
 * signal when the driver is killed, even by SIGKILL, which no handler sees), then kills the
 * whole group. The guard holds no file open: no pipe of the driver waits on it. */
static void start_guard(pid_t child)
{
    sigset_t wake, old;
    sigemptyset(&wake);
    sigaddset(&wake, GUARD_SIGNAL);
    sigprocmask(SIG_BLOCK, &wake, &old);
    if (fork() == 0) {
        close_range(0, ~0U, 0);
        prctl(PR_SET_PDEATHSIG, GUARD_SIGNAL);
        int sig;
        if (getppid() == child) /* or the child is gone already */
            sigwait(&wake, &sig);
        kill(0, SIGKILL);
        _exit(0);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
}

/* One sandbox_run: what the child runs, and what connects it to the parent. */
struct box {
    sandbox_fn fn;
    void *arg, *record;
    size_t record_size;
    uint64_t nonce;                /* proves a record comes from this child */
    struct sandbox_progress *prog; /* shared with the child */
    int mem_fd;                    /* the child's stdout */
    int pipe[2];                   /* the record's way back */
    char *buf;                     /* receives the frame and the record */
    size_t cap;                    /* their size, plus a byte that shows a record too long */
};

/* In the child: a group of its own (a timeout, the job's end or the driver's death ends what the
 * allocator forks too), death with the driver, stdout the memory file, unbuffered so every byte
 * lands at once. */
static void child(const struct box *b, pid_t driver, const sigset_t *mask)
{
    setpgid(0, 0);
    for (size_t i = 0; i < NUM_FATAL; i++)
        signal(fatal_signals[i], SIG_DFL);
    memfault_catch(&b->prog->fault);
    sigprocmask(SIG_SETMASK, mask, NULL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != driver) /* it died before prctl: no signal will come */
        _exit(CHILD_BROKEN);
    start_guard(getpid());
    close(b->pipe[0]);
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core); /* a crash is reported, not dumped */
    if (dup2(b->mem_fd, STDOUT_FILENO) < 0)
        _exit(CHILD_BROKEN);
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sandbox_child c = {.progress = b->prog, .stdout_fd = b->mem_fd};
    b->fn(&c, b->arg, b->record);
    struct frame f = {.nonce = b->nonce, .size = b->record_size};
    if (write_all(b->pipe[1], &f, sizeof f) != 0 ||
        write_all(b->pipe[1], b->record, b->record_size) != 0) {
        b->prog->unsent = errno ? errno : EPIPE;
        _exit(CHILD_BROKEN);
    }
    _exit(0);
}

static int fail(struct sandbox_outcome *out, const char *what)
{
    out->end = SANDBOX_ERROR;
    snprintf(out->error, sizeof out->error, "cannot run the job: %s: %s", what, strerror(errno));
    return -1;
}

/* What collect returns for a child it killed. */
enum { COLLECT_TIMEOUT = -1, COLLECT_FLOODED = -2 };

/* Reads what the child sends, watching its progress and its stdout, until the pipe ends or the
 * child has ended and left nothing unread (a process the allocator forked may hold the pipe
 * open). Returns the bytes read and the child's status, or, when it kills the child's group, why:
 * a timeout, or too much printed on stdout_fd. */
static ssize_t collect(pid_t pid, int fd, int stdout_fd, char *buf, size_t cap,
                       struct sandbox_progress *prog, const struct sandbox_budget *budget,
                       const struct sandbox_watch *watch, int *status)
{
    size_t got = 0;
    int pass = prog->pass, rerun = prog->rerun, passes = 0, reaped = 0;
    double started = clock_secs(CLOCK_MONOTONIC), began = started, told = started;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, POLL_SLICE_MS);
        if (r > 0) {
            char sink[COPY_CHUNK];
            ssize_t n = got < cap ? read(fd, buf + got, cap - got) : read(fd, sink, sizeof sink);
            if (n == 0)
                break;
            if (n > 0 && got < cap)
                got += (size_t)n;
        } else if (r == 0 && waitpid(pid, status, WNOHANG) == pid) {
            reaped = 1;
            break;
        }
        double now = clock_secs(CLOCK_MONOTONIC);
        if ((prog->pass != pass || prog->rerun != rerun) && passes < budget->passes) {
            pass = prog->pass;
            rerun = prog->rerun;
            started = now;
            passes++;
        }
        if (watch && now - told >= watch->every_secs) {
            told = now;
            watch->fn(prog, now - began, watch->ctx);
        }
        int killed = now - started > budget->pass_secs ? COLLECT_TIMEOUT
                     : sandbox_stdout_size(stdout_fd) > SANDBOX_STDOUT_MAX ? COLLECT_FLOODED : 0;
        if (killed) {
            kill(-pid, SIGKILL);
            waitpid(pid, status, 0);
            return killed;
        }
    }
    while (!reaped && waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    return (ssize_t)got;
}

static int box_open(struct box *b, struct sandbox_outcome *out)
{
    b->prog = mmap(NULL, sizeof *b->prog, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
                   0);
    if (b->prog == MAP_FAILED) {
        b->prog = NULL;
        return fail(out, "mmap");
    }
    b->prog->op = b->prog->pass = -1;
    b->mem_fd = memfd_create("mdriver-stdout", MFD_CLOEXEC);
    b->cap = sizeof(struct frame) + b->record_size + 1;
    b->buf = malloc(b->cap);
    if (b->mem_fd < 0 || fcntl(b->mem_fd, F_SETFL, O_APPEND) != 0 ||
        pipe2(b->pipe, O_CLOEXEC) != 0 || !b->buf)
        return fail(out, "memfd/pipe");
    b->nonce = new_nonce();
    return 0;
}

static void box_close(struct box *b)
{
    free(b->buf);
    for (int i = 0; i < 2; i++)
        if (b->pipe[i] >= 0)
            close(b->pipe[i]);
    if (b->mem_fd >= 0)
        close(b->mem_fd);
    if (b->prog)
        munmap(b->prog, sizeof *b->prog);
}

/* Forks the child and reads what it sends until it ends; on return its whole group is dead.
 * Returns 0 with collect's count in *got and the child's status, or -1 when fork failed. */
static int run_child(struct box *b, const struct sandbox_budget *budget,
                     const struct sandbox_watch *watch, ssize_t *got, int *status,
                     struct sandbox_outcome *out)
{
    install_handlers();
    fflush(NULL); /* or the child would print the parent's pending output again */
    sigset_t mask;
    block_fatal(&mask);
    pid_t driver = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &mask, NULL);
        return fail(out, "fork");
    }
    if (pid == 0)
        child(b, driver, &mask);
    close(b->pipe[1]);
    b->pipe[1] = -1;
    setpgid(pid, pid); /* also done by the child: whichever runs first */
    running_group = pid;
    sigprocmask(SIG_SETMASK, &mask, NULL);
    *got = collect(pid, b->pipe[0], b->mem_fd, b->buf, b->cap, b->prog, budget, watch, status);
    kill(-pid, SIGKILL); /* whatever the allocator may have forked */
    end_strays();
    running_group = 0;
    return 0;
}

/* How the child ended, from the bytes it sent (got; negative: why collect killed it) and its
 * status. */
static void judge(const struct box *b, ssize_t got, int status, struct sandbox_outcome *out)
{
    out->op = b->prog->op;
    out->pass = b->prog->pass;
    out->checking = b->prog->checking;
    out->fault = b->prog->fault;
    struct frame f = {0};
    if (got >= (ssize_t)sizeof f)
        memcpy(&f, b->buf, sizeof f);
    int whole = got == (ssize_t)(sizeof f + b->record_size) && f.nonce == b->nonce &&
                f.size == b->record_size;
    if (got == COLLECT_TIMEOUT) {
        out->end = SANDBOX_TIMEOUT;
    } else if (got == COLLECT_FLOODED) {
        out->end = SANDBOX_FLOODED;
    } else if (WIFSIGNALED(status)) {
        out->end = SANDBOX_SIGNAL;
        out->sig = WTERMSIG(status);
    } else if (!whole && b->prog->unsent) {
        out->end = SANDBOX_UNSENT;
        out->status = b->prog->unsent;
    } else if (!whole || WEXITSTATUS(status) != 0) {
        out->end = SANDBOX_EXITED;
        out->status = WEXITSTATUS(status);
    } else {
        out->end = SANDBOX_DONE;
        memcpy(b->record, b->buf + sizeof f, b->record_size);
    }
}

/* The end of what the child left on its stdout: an allocator's printf debugging, which says where
 * it was when it crashed or hung. */
static void keep_stdout_tail(const struct box *b, struct sandbox_outcome *out)
{
    size_t size = sandbox_stdout_size(b->mem_fd);
    size_t n = size < sizeof out->stdout_tail ? size : sizeof out->stdout_tail;
    ssize_t got = pread(b->mem_fd, out->stdout_tail, n, (off_t)(size - n));
    out->stdout_bytes = size;
    out->stdout_tail_len = got > 0 ? (size_t)got : 0;
}

void sandbox_run(sandbox_fn fn, void *arg, void *record, size_t record_size,
                 const struct sandbox_budget *budget, const struct sandbox_watch *watch,
                 struct sandbox_outcome *out)
{
    memset(out, 0, sizeof *out);
    struct box b = {.fn = fn, .arg = arg, .record = record, .record_size = record_size,
                    .mem_fd = -1, .pipe = {-1, -1}};
    ssize_t got = 0;
    int status = 0;
    if (box_open(&b, out) == 0 && run_child(&b, budget, watch, &got, &status, out) == 0) {
        judge(&b, got, status, out);
        keep_stdout_tail(&b, out);
    }
    box_close(&b);
}
