/* driver/sandbox.h: runs one job (a trace against an allocator) in a child process, so that
 * nothing the allocator does (crash, exit, hang, print) can take the driver down or write into
 * its report.
 *
 * The child's result comes back as a binary record over a private pipe. Its stdout is a memory
 * file: whatever the allocator prints lands there, never on the driver's stdout. Its progress
 * (pass and op) sits in shared memory, so a crash or a hang is attributed to an op, and so does
 * the address of a memory fault.
 *
 * Nothing of a job outlives it or the driver: the child runs in a process group of its own,
 * killed whole when the job ends, when the driver is ended by SIGHUP, SIGINT, SIGQUIT or SIGTERM
 * (handlers installed by the first sandbox_run), and, through a parent-death signal and a guard
 * process in the group, when the driver dies any other way. The driver is the subreaper of what
 * the allocator forks: a process that left the group (setsid) is ended with the job, or with the
 * driver when a handled signal ends it. */
#ifndef DRIVER_SANDBOX_H
#define DRIVER_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>

#include "driver/memfault.h"

struct sandbox_progress {
    volatile int op;   /* op being replayed */
    volatile int pass; /* bumped at the start of every replay; the timeout restarts with it
                          (sandbox_budget: a limited number of times) */
    volatile int rerun; /* bumped when a replay starts over within its pass (to pin what it
                           found); the timeout restarts with it too, within the same budget */
    volatile int checking; /* while the heap checker runs (-D): 1 + the op it runs before
                              (1 + ops: after the last one); 0 otherwise */
    struct memfault fault; /* where a SIGSEGV or SIGBUS hit, recorded by the child */
    volatile int unsent; /* the errno of the child's failed send of its record, else 0 */
};

/* What the job function gets in the child. */
struct sandbox_child {
    struct sandbox_progress *progress;
    int stdout_fd; /* the memory file behind the child's stdout */
};

/* Runs in the child; fills record (record_size bytes) with its result. */
typedef void (*sandbox_fn)(const struct sandbox_child *c, void *arg, void *record);

enum sandbox_end {
    SANDBOX_DONE,     /* the child sent its record and exited normally */
    SANDBOX_SIGNAL,   /* killed by signal `sig` */
    SANDBOX_EXITED,   /* exited (status `status`) without sending its record */
    SANDBOX_UNSENT,   /* finished, but its record could not be sent (errno `status`): the
                         allocator closed or reused the pipe */
    SANDBOX_TIMEOUT,  /* a pass ran longer than the timeout; killed */
    SANDBOX_FLOODED,  /* printed more than SANDBOX_STDOUT_MAX to stdout; killed */
    SANDBOX_ERROR,    /* the driver could not run it (fork, pipe...): message in `error` */
};

/* The most the child may print on its stdout, a memory file: what a heap dump on every op would
 * otherwise write there until the timeout could fill the machine's memory. */
#define SANDBOX_STDOUT_MAX ((size_t)64 << 20)
/* How much of the end of the child's stdout an outcome keeps. */
#define SANDBOX_STDOUT_TAIL 1024

struct sandbox_outcome {
    enum sandbox_end end;
    int sig, status;
    int op, pass, checking; /* progress when it ended */
    struct memfault fault; /* end SANDBOX_SIGNAL: where a memory fault hit, if it was one */
    char error[256];
    size_t stdout_bytes;    /* what the child left on its stdout, */
    size_t stdout_tail_len; /* and the last of it */
    char stdout_tail[SANDBOX_STDOUT_TAIL];
};

/* Called in the parent every `every_secs` while a child runs, with its progress: a long job
 * shows that it is moving (and where), not only that it is still there. */
struct sandbox_watch {
    double every_secs;
    void (*fn)(const struct sandbox_progress *p, double secs, void *ctx);
    void *ctx;
};

/* How long a child may run: each pass at most pass_secs, and no more than `passes` passes. The
 * pass counter lies in memory the child (and the allocator in it) can write: the parent restarts
 * a pass's clock no more often than the job has passes, so that bumping it hangs nothing. */
struct sandbox_budget {
    double pass_secs;
    int passes;
};

/* Runs fn(arg) in a child, within budget. watch may be NULL. */
void sandbox_run(sandbox_fn fn, void *arg, void *record, size_t record_size,
                 const struct sandbox_budget *budget, const struct sandbox_watch *watch,
                 struct sandbox_outcome *out);

/* In the child: bytes written to the captured stdout so far. */
size_t sandbox_stdout_size(int stdout_fd);

/* In the child: moves what was written to stdout since `from` to stderr (output the heap
 * checker may make under -D). */
void sandbox_pass_to_stderr(int stdout_fd, size_t from);

#endif
