/* tools/rectrace.d/preload.c: LD_PRELOAD library that logs every heap call of a program.
 *
 * Loaded by `tools/rectrace record`, which sets RECTRACE_DIR to an empty directory. Each
 * process image writes its own binary log there, named PID.SEQ.log (SEQ counts the images a
 * pid has run through exec, starting at 0), so forked children and exec'd programs never mix
 * their pointers with the parent's. The converter in tools/rectrace reads these logs.
 *
 * Log file: a 256-byte header (struct log_header) then 40-byte records (struct log_rec), all in
 * host byte order. Records are buffered and written with write(2) when the buffer fills, before
 * fork, at exit, at _exit, before an exec and on a signal whose default action would end the
 * process (see flush_on_signal). A process killed otherwise (SIGKILL, a stack overflow, a
 * signal it handles and then dies of) loses its last unflushed records: its log is still a
 * valid prefix of what it did.
 *
 * Safety:
 *  - one global mutex is held across the real call and its logging, so the log order is the
 *    order in which the heap really changed, even across threads (a pointer freed by one thread
 *    and returned to another is always logged free-then-malloc);
 *  - a per-thread recursion flag sends any heap call made while a hook is active (by libc inside
 *    the real function, or by this file) straight to the real function, unlogged and unlocked;
 *  - until dlsym has found the real functions, malloc/calloc are served from a static arena
 *    (dlsym itself allocates); arena blocks are never logged and never passed to libc's free;
 *  - the logger itself never allocates: fixed buffer, open/write/readlink/fstat only;
 *  - a signal handler may write the buffer (flush_now) even when it came in the middle of a
 *    log_rec or a flush: a record is counted once whole, and the buffer emptied before its
 *    records are written, so none is written half or twice;
 *  - the log's descriptor is checked before each write (fstat): a program that closed it and
 *    opened a file of its own under that number gets no records in its file, and the log is
 *    opened again.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "format.h"

/* ---- the real functions, and the bootstrap arena used while finding them ---- */

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);
static void *(*real_reallocarray)(void *, size_t, size_t);
static void (*real__exit)(int);
static void (*real__Exit)(int);
static int (*real_execve)(const char *, char *const[], char *const[]);
static int (*real_execvpe)(const char *, char *const[], char *const[]);
static int (*real_fexecve)(int, char *const[], char *const[]);
static int (*real_execveat)(int, const char *, char *const[], char *const[], int);
static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);
static sighandler_t (*real_signal)(int, sighandler_t);
static sighandler_t (*real_sysv_signal)(int, sighandler_t);

enum { UNRESOLVED, RESOLVING, RESOLVED };
static int resolve_state = UNRESOLVED;

/* dlsym's own allocations (an error-string buffer, a few hundred bytes) fit easily. */
static _Alignas(16) unsigned char arena[64 * 1024];
static size_t arena_used;

static int in_arena(const void *p)
{
    return (const unsigned char *)p >= arena && (const unsigned char *)p < arena + sizeof arena;
}

static void *arena_alloc(size_t size)
{
    size_t need = (size + 15) & ~(size_t)15;
    if (need < size || need > sizeof arena - arena_used)
        return NULL;
    void *p = arena + arena_used;
    arena_used += need;
    return p;   /* static storage: already zero, so it serves calloc too */
}

static void *find(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

/* Runs before main (constructor) or at the first heap call, whichever is first; both happen
 * while the process is still single-threaded, so a plain state flag is enough. */
static void resolve(void)
{
    if (resolve_state != UNRESOLVED)
        return;
    resolve_state = RESOLVING;
    real_malloc = (void *(*)(size_t))find("malloc");
    real_calloc = (void *(*)(size_t, size_t))find("calloc");
    real_realloc = (void *(*)(void *, size_t))find("realloc");
    real_free = (void (*)(void *))find("free");
    real_posix_memalign = (int (*)(void **, size_t, size_t))find("posix_memalign");
    real_aligned_alloc = (void *(*)(size_t, size_t))find("aligned_alloc");
    real_memalign = (void *(*)(size_t, size_t))find("memalign");
    real_valloc = (void *(*)(size_t))find("valloc");
    real_pvalloc = (void *(*)(size_t))find("pvalloc");
    real_reallocarray = (void *(*)(void *, size_t, size_t))find("reallocarray");
    real__exit = (void (*)(int))find("_exit");
    real__Exit = (void (*)(int))find("_Exit");
    real_execve = (int (*)(const char *, char *const[], char *const[]))find("execve");
    real_execvpe = (int (*)(const char *, char *const[], char *const[]))find("execvpe");
    real_fexecve = (int (*)(int, char *const[], char *const[]))find("fexecve");
    real_execveat = (int (*)(int, const char *, char *const[], char *const[], int))
        find("execveat");
    real_sigaction = (int (*)(int, const struct sigaction *, struct sigaction *))
        find("sigaction");
    real_signal = (sighandler_t (*)(int, sighandler_t))find("signal");
    real_sysv_signal = (sighandler_t (*)(int, sighandler_t))find("sysv_signal");
    if (!real_malloc || !real_calloc || !real_realloc || !real_free) {
        static const char msg[] = "rectrace: cannot find the real malloc/calloc/realloc/free\n";
        if (write(2, msg, sizeof msg - 1) < 0) { /* nothing more can be done */ }
        _exit(127);
    }
    resolve_state = RESOLVED;
}

/* ---- the log ---- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int in_hook __attribute__((tls_model("initial-exec")));
static __thread int has_lock __attribute__((tls_model("initial-exec")));  /* see flush_now */
static __thread uint32_t my_tid __attribute__((tls_model("initial-exec")));

enum { BUF_RECS = 4096 };
static struct log_rec buf[BUF_RECS];
static size_t buf_len;
static int log_fd = -1;          /* -1: not opened yet for this process; -2: logging disabled */
static uint64_t logged, limit = UINT64_MAX;
static int unbuffered;           /* set once the destructor ran: later calls write through */

static void write_all(const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(log_fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {           /* disk full or closed: stop logging rather than fail the program */
            log_fd = -2;
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

static char *put_uint(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static uint64_t parse_uint(const char *s)
{
    uint64_t v = 0;
    for (; s && *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (uint64_t)(*s - '0');
    return v;
}

enum { PATH_LEN = 4096, NAME_ROOM = 64 };

static char log_path[PATH_LEN];  /* log_fd's file, and which file it is (log_fd_is_ours) */
static dev_t log_dev;
static ino_t log_ino;

/* Writes "RECTRACE_DIR/" into path (PATH_LEN bytes) and returns where a file name goes (with
 * NAME_ROOM bytes left), or NULL when the variable is unset, empty or too long. */
static char *in_log_dir(char *path)
{
    const char *dir = getenv("RECTRACE_DIR");
    size_t dlen = dir ? strlen(dir) : 0;
    if (dlen == 0 || dlen > PATH_LEN - NAME_ROOM)
        return NULL;
    memcpy(path, dir, dlen);
    path[dlen] = '/';
    return path + dlen + 1;
}

/* Creates RECTRACE_DIR/LOADED_MARK (see format.h); no heap call, and the descriptor is closed
 * before the program runs, so the recording is unchanged. */
static void mark_loaded(void)
{
    char path[PATH_LEN];
    char *name = in_log_dir(path);
    if (!name)
        return;
    memcpy(name, LOADED_MARK, sizeof LOADED_MARK);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);
}

/* fd, or a copy of it above 0, 1 and 2: a program run with one of them closed (`>&-`) would
 * otherwise find its log there and write its own output into it. */
static int above_std_streams(int fd)
{
    if (fd < 0 || fd > 2)
        return fd;
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return high;
}

/* Opens DIR/PID.SEQ.log with the first SEQ not taken (an earlier image of this pid, before an
 * exec, took the lower ones). Called with log_lock held, at the first logged call. */
static void open_log(void)
{
    char *name = in_log_dir(log_path);
    if (!name) {
        log_fd = -2;
        return;
    }
    const char *lim = getenv("RECTRACE_LIMIT");
    if (lim && *lim)
        limit = parse_uint(lim);
    pid_t pid = getpid();
    for (uint32_t seq = 0; seq < 1000; seq++) {
        char *p = put_uint(name, (uint64_t)pid);
        *p++ = '.';
        p = put_uint(p, seq);
        memcpy(p, ".log", 5);
        int fd = above_std_streams(open(log_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                                        0644));
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0)
            break;
        log_fd = fd;
        struct stat st;
        if (fstat(fd, &st) == 0) {
            log_dev = st.st_dev;
            log_ino = st.st_ino;
        }
        struct log_header h;
        memset(&h, 0, sizeof h);
        memcpy(h.magic, LOG_MAGIC, sizeof h.magic);
        h.version = LOG_VERSION;
        h.rec_size = sizeof(struct log_rec);
        h.pid = (uint32_t)pid;
        h.ppid = (uint32_t)getppid();
        h.seq = seq;
        ssize_t n = readlink("/proc/self/exe", h.exe, sizeof h.exe - 1);
        if (n < 0)
            h.exe[0] = '\0';
        write_all(&h, sizeof h);
        return;
    }
    log_fd = -2;
}

/* Whether log_fd is still the log. A program may close descriptors it did not open (a daemon
 * at start, closefrom(3)) and open its own files, which then get log_fd's number: the log's
 * records must not go into them, nor a forked child close one. */
static int log_fd_is_ours(void)
{
    struct stat st;
    return fstat(log_fd, &st) == 0 && st.st_dev == log_dev && st.st_ino == log_ino;
}

/* Writes the buffered records to the log, opened again (appending) when the program has
 * taken log_fd from under it; the number it had is the program's now, left alone. The buffer is
 * emptied first: a signal handler that flushes meanwhile (flush_now) must not write them twice. */
static void flush(void)
{
    size_t n = buf_len;
    buf_len = 0;
    if (log_fd >= 0 && n > 0 && !log_fd_is_ours()) {
        int fd = above_std_streams(open(log_path, O_WRONLY | O_APPEND | O_CLOEXEC));
        log_fd = fd >= 0 ? fd : -2;     /* the log is gone: stop logging */
    }
    if (log_fd >= 0 && n > 0)
        write_all(buf, n * sizeof buf[0]);
}

/* Counted once whole: a signal handler that flushes (flush_now) writes no half record. */
static void append(uint8_t op, uint32_t tid, uint64_t a, uint64_t b, uint64_t c, uint64_t r)
{
    struct log_rec *e = &buf[buf_len];
    e->op = op;
    e->pad[0] = e->pad[1] = e->pad[2] = 0;
    e->tid = tid;
    e->a = a;
    e->b = b;
    e->c = c;
    e->r = r;
    __atomic_signal_fence(__ATOMIC_RELEASE);
    buf_len++;
}

static void log_rec(uint8_t op, uint64_t a, uint64_t b, uint64_t c, uint64_t r)
{
    if (log_fd == -1)
        open_log();
    if (log_fd < 0 || logged >= limit)
        return;
    if (!my_tid)
        my_tid = (uint32_t)syscall(SYS_gettid);
    append(op, my_tid, a, b, c, r);
    logged++;
    if (buf_len == BUF_RECS || unbuffered)
        flush();
}

/* Every hook resolves the real functions if needed, then either passes straight through (a
 * nested call: in_hook is set) or runs the real call and logs it between lock() and unlock().
 * Everything else that takes log_lock does so with them too, so that has_lock is true exactly
 * while this thread has it, but for the instants inside pthread_mutex_lock and _unlock. */
static void lock(void)
{
    in_hook = 1;
    pthread_mutex_lock(&log_lock);
    has_lock = 1;
}

static void unlock(void)
{
    has_lock = 0;
    pthread_mutex_unlock(&log_lock);
    in_hook = 0;
}

/* Writes the buffer now, from anywhere, a signal handler included: with the lock, taken unless
 * this thread has it already (a signal that came inside a hook: glibc's abort on a corrupt
 * heap). Inside pthread_mutex_lock or _unlock (a few instructions, or a wait for another
 * thread's call) this thread cannot tell whether it has the lock: it writes nothing then. */
static void flush_now(void)
{
    if (has_lock) {
        flush();
    } else if (!in_hook) {
        lock();
        flush();
        unlock();
    }
}

/* ---- the hooks ---- */

void *malloc(size_t size)
{
    if (resolve_state == RESOLVING)
        return arena_alloc(size);
    resolve();
    if (in_hook)
        return real_malloc(size);
    lock();
    void *r = real_malloc(size);
    int saved = errno;
    log_rec(OP_MALLOC, size, 0, 0, (uintptr_t)r);
    unlock();
    errno = saved;
    return r;
}

void *calloc(size_t nmemb, size_t size)
{
    if (resolve_state == RESOLVING) {
        size_t total;
        if (__builtin_mul_overflow(nmemb, size, &total))
            return NULL;
        return arena_alloc(total);
    }
    resolve();
    if (in_hook)
        return real_calloc(nmemb, size);
    lock();
    void *r = real_calloc(nmemb, size);
    int saved = errno;
    log_rec(OP_CALLOC, nmemb, size, 0, (uintptr_t)r);
    unlock();
    errno = saved;
    return r;
}

/* realloc of an arena block (only dlsym's, in practice): move it to the real heap; the copy may
 * read past the old block's end, which is fine inside the static arena. */
static void *realloc_from_arena(void *ptr, size_t size)
{
    void *r = malloc(size);
    if (r) {
        size_t avail = (size_t)(arena + sizeof arena - (unsigned char *)ptr);
        memcpy(r, ptr, size < avail ? size : avail);
    }
    return r;
}

void *realloc(void *ptr, size_t size)
{
    if (resolve_state == RESOLVING)
        return ptr ? NULL : arena_alloc(size);
    if (in_arena(ptr))
        return realloc_from_arena(ptr, size);
    resolve();
    if (in_hook)
        return real_realloc(ptr, size);
    lock();
    void *r = real_realloc(ptr, size);
    int saved = errno;
    log_rec(OP_REALLOC, (uintptr_t)ptr, size, 0, (uintptr_t)r);
    unlock();
    errno = saved;
    return r;
}

void *reallocarray(void *ptr, size_t nmemb, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(nmemb, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    if (resolve_state == RESOLVING || in_arena(ptr))
        return realloc(ptr, total);
    resolve();
    if (in_hook)
        return real_realloc(ptr, total);
    if (!real_reallocarray)          /* a libc without it: the logged realloc does the same */
        return realloc(ptr, total);
    lock();
    void *r = real_reallocarray(ptr, nmemb, size);
    int saved = errno;
    log_rec(OP_REALLOCARRAY, (uintptr_t)ptr, nmemb, size, (uintptr_t)r);
    unlock();
    errno = saved;
    return r;
}

void free(void *ptr)
{
    /* free(NULL) does nothing in any allocator: not logged, so it does not pad traces. */
    if (!ptr || in_arena(ptr))
        return;
    resolve();
    if (in_hook) {
        real_free(ptr);
        return;
    }
    lock();
    int saved = errno;
    /* Logged before the real free so that no other thread can be handed ptr in between. */
    log_rec(OP_FREE, (uintptr_t)ptr, 0, 0, 0);
    real_free(ptr);
    unlock();
    errno = saved;
}

int posix_memalign(void **memptr, size_t alignment, size_t size)
{
    resolve();
    if (!real_posix_memalign)
        return ENOMEM;
    if (in_hook)
        return real_posix_memalign(memptr, alignment, size);
    lock();
    int ret = real_posix_memalign(memptr, alignment, size);
    log_rec(OP_POSIX_MEMALIGN, alignment, size, 0, ret == 0 ? (uintptr_t)*memptr : 0);
    unlock();
    return ret;
}

/* aligned_alloc, memalign, valloc and pvalloc differ only in the function called and the op. */
static void *aligned_hook(uint8_t op, size_t alignment, size_t size)
{
    resolve();
    void *r;
    int nested = in_hook;
    if (!nested)
        lock();
    switch (op) {
    case OP_ALIGNED_ALLOC:
        r = real_aligned_alloc ? real_aligned_alloc(alignment, size) : NULL;
        break;
    case OP_MEMALIGN:
        r = real_memalign ? real_memalign(alignment, size) : NULL;
        break;
    case OP_VALLOC:
        r = real_valloc ? real_valloc(size) : NULL;
        break;
    default:
        r = real_pvalloc ? real_pvalloc(size) : NULL;
        break;
    }
    if (!nested) {
        int saved = errno;
        log_rec(op, alignment, size, 0, (uintptr_t)r);
        unlock();
        errno = saved;
    }
    return r;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    return aligned_hook(OP_ALIGNED_ALLOC, alignment, size);
}

void *memalign(size_t alignment, size_t size)
{
    return aligned_hook(OP_MEMALIGN, alignment, size);
}

void *valloc(size_t size)
{
    return aligned_hook(OP_VALLOC, 0, size);
}

void *pvalloc(size_t size)
{
    return aligned_hook(OP_PVALLOC, 0, size);
}

/* ---- process life: start, fork, exec, fatal signals, exit ---- */

static pid_t my_pid;    /* whose buffer and lock these are: a vfork child runs in them too */

static void before_fork(void)
{
    lock();
    flush();            /* the child must not inherit (and later write) the parent's records */
}

static void after_fork_parent(void)
{
    unlock();
}

static void after_fork_child(void)
{
    /* A new process: its own log, opened at its first heap call, and its own thread ids. */
    my_pid = getpid();
    buf_len = 0;
    if (log_fd >= 0 && log_fd_is_ours())
        close(log_fd);
    log_fd = -1;
    logged = 0;
    my_tid = 0;
    unlock();
}

/* An exec replaces the image without running its destructor: the buffer is written first, and
 * the lock kept until the exec fails (it returns) or the image is gone, so that no other
 * thread logs a call in between. The new image, preloaded again, opens a log of its own
 * (open_log). Not in a vfork child, whose buffer and lock are its parent's (a lock it kept
 * through the exec would never be let go), nor in a signal handler that came inside a hook.
 * posix_spawn, system and popen need nothing: the process that calls them goes on. */
static int before_exec(void)
{
    resolve();
    if (in_hook || getpid() != my_pid)
        return 0;
    lock();
    flush();
    return 1;
}

static int exec_failed(int locked, int ret)
{
    int saved = errno;
    if (locked)
        unlock();
    errno = saved;
    return ret;
}

int execve(const char *path, char *const argv[], char *const envp[])
{
    int locked = before_exec();
    return exec_failed(locked, real_execve(path, argv, envp));
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
    int locked = before_exec();
    return exec_failed(locked, real_execvpe(file, argv, envp));
}

int fexecve(int fd, char *const argv[], char *const envp[])
{
    int locked = before_exec();
    return exec_failed(locked, real_fexecve(fd, argv, envp));
}

int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
    int locked = before_exec();
    if (!real_execveat) {       /* a libc before 2.34 */
        errno = ENOSYS;
        return exec_failed(locked, -1);
    }
    return exec_failed(locked, real_execveat(dirfd, path, argv, envp, flags));
}

/* glibc's execv, execvp and the list forms call its execve and execvpe internally, past these
 * hooks: they are rebuilt on the hooks instead. */
int execv(const char *path, char *const argv[])
{
    return execve(path, argv, environ);
}

int execvp(const char *file, char *const argv[])
{
    return execvpe(file, argv, environ);
}

/* execl, execlp and execle: the list ap (after arg, up to its NULL) gathered into an array on
 * the stack, as glibc does, for exec; execle's environment follows the NULL. */
static int exec_list(int (*exec)(const char *, char *const[], char *const[]), const char *file,
                     const char *arg, va_list ap, int env_follows)
{
    va_list count;
    va_copy(count, ap);
    size_t n = 1;
    while (va_arg(count, const char *))
        n++;
    va_end(count);
    const char *argv[n + 1];
    argv[0] = arg;
    for (size_t i = 1; i <= n; i++)
        argv[i] = va_arg(ap, const char *);
    char *const *envp = env_follows ? va_arg(ap, char *const *) : environ;
    return exec(file, (char *const *)argv, envp);
}

#define EXEC_LIST(name, exec, env_follows)                                                    \
    int name(const char *file, const char *arg, ...)                                          \
    {                                                                                         \
        va_list ap;                                                                           \
        va_start(ap, arg);                                                                    \
        int ret = exec_list(exec, file, arg, ap, env_follows);                                \
        va_end(ap);                                                                           \
        return ret;                                                                           \
    }

EXEC_LIST(execl, execve, 0)
EXEC_LIST(execlp, execvpe, 0)
EXEC_LIST(execle, execve, 1)

/* Signals whose default action ends the process. Where that is the action, flush_on_signal
 * stands in for it: it writes the buffer, then the signal ends the process as it would have
 * (the default action again, the signal raised again, delivered as the handler returns), with
 * the same exit status and core dump. A stack overflow, where no handler can run, and SIGKILL
 * still lose the buffer. */
static const int fatal_signals[] = {
    SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGUSR1, SIGSEGV,
    SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO,
    SIGPWR, SIGSYS
};

static int is_fatal(int sig)
{
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        if (fatal_signals[i] == sig)
            return 1;
    return 0;
}

/* A signal handler: flush_now writes with fstat, open and write (async-signal-safe), and takes
 * the lock (a futex) only when this thread is outside every lock() and unlock(), so that it
 * can neither deadlock nor find the mutex half changed. */
static void flush_on_signal(int sig)
{
    flush_now();
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    real_sigaction(sig, &dfl, NULL);
    raise(sig);
}

/* Puts flush_on_signal in place of sig's default action, every signal blocked while it runs
 * (another one would end the process before its flush, or of another signal). */
static int stand_in(int sig, struct sigaction *old)
{
    struct sigaction sa = {.sa_handler = flush_on_signal};
    sigfillset(&sa.sa_mask);
    return real_sigaction(sig, &sa, old);
}

/* The program sees and sets the default action where flush_on_signal stands in for it. One that
 * installs a handler only where the action is the default (Python's for SIGINT, which raises
 * KeyboardInterrupt) does so, and one that sets the default again keeps the flush. A handler of
 * its own replaces the stand-in: the program then ends as it decides (by exit or _exit, which
 * write the buffer, or otherwise). Other ways to set an action (sigset, the system call) are
 * not seen. */
int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    resolve();
    int ret = act && act->sa_handler == SIG_DFL && is_fatal(sig) ? stand_in(sig, old)
                                                                 : real_sigaction(sig, act, old);
    if (ret == 0 && old && old->sa_handler == flush_on_signal)
        *old = (struct sigaction){.sa_handler = SIG_DFL};
    return ret;
}

/* signal and sysv_signal (what signal is under -std=c11) differ only in the function called. */
static sighandler_t set_handler(sighandler_t (*real)(int, sighandler_t), int sig, sighandler_t h)
{
    resolve();
    sighandler_t old;
    if (h == SIG_DFL && is_fatal(sig)) {
        struct sigaction sa;
        old = stand_in(sig, &sa) == 0 ? sa.sa_handler : SIG_ERR;
    } else {
        old = real(sig, h);
    }
    return old == flush_on_signal ? SIG_DFL : old;
}

sighandler_t signal(int sig, sighandler_t h)
{
    return set_handler(real_signal, sig, h);
}

sighandler_t sysv_signal(int sig, sighandler_t h)
{
    return set_handler(real_sysv_signal, sig, h);
}

sighandler_t __sysv_signal(int sig, sighandler_t h)
{
    return set_handler(real_sysv_signal, sig, h);
}

__attribute__((constructor)) static void rectrace_init(void)
{
    resolve();
    mark_loaded();
    my_pid = getpid();
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    /* Only where the action is the default: not where it is ignored (nohup's SIGHUP, SIGINT in
     * a shell's background job) or set by a library loaded before this one. */
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) {
        struct sigaction sa;
        if (real_sigaction(fatal_signals[i], NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
            stand_in(fatal_signals[i], NULL);
    }
}

/* Runs after the program's atexit handlers; libc may still allocate after it, so later records
 * are written one by one. The end record tells the converter the log is complete. */
__attribute__((destructor)) static void rectrace_fini(void)
{
    lock();
    if (log_fd >= 0) {          /* a process that made no heap call leaves no log at all */
        append(OP_END, 0, logged, logged >= limit, 0, 0);
        flush();
    }
    unbuffered = 1;
    unlock();
}

/* _exit and _Exit skip the destructor (shells and forked children end this way): write what is
 * buffered first. No end record: in a vfork child the buffer and the log are the parent's. */
__attribute__((noreturn)) static void exit_now(void (*real)(int), int status)
{
    flush_now();
    if (real)
        real(status);
    syscall(SYS_exit_group, status);
    __builtin_unreachable();
}

void _exit(int status)
{
    exit_now(real__exit, status);
}

void _Exit(int status)
{
    exit_now(real__Exit, status);
}
