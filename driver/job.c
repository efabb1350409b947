/* driver/job.c: runs one trace against one allocator in a sandbox (see job.h) and turns what
 * came back, or how the child ended, into a result. */
#include "driver/job.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "driver/clock.h"
#include "driver/kbest.h"
#include "driver/sandbox.h"
#include "memlib.h"


/* The most replays a job makes: the first (checked) one, the checked one after a heap reset,
 * the timed runs, and the one that names the op that printed to stdout. Under -D the first may
 * replay again to name the op that corrupted a payload (pin_corruption), but then the job has
 * failed and makes no other. */
#define JOB_PASSES (1 + 1 + TIMER_MAXRUNS + 1)

/* The child's answer, sent whole over the sandbox's pipe. */
struct record {
    int failed;
    int printing; /* the failure is output on stdout, already shown */
    char fault[FAULT_LEN];
    size_t peak_heap;
    double secs, check_secs;
    int timed;
};

struct job {
    const struct job_config *cfg;
    const struct allocator *a;
    const char *name;
    const struct trace *t;
    const struct trace_stats *st;
};

/* The replays of a job, by the pass number the child shows (-1 before the first): the first
 * (checked) replay; then, when the job is timed, a checked replay after a heap reset (see
 * recheck); then the timing runs. */
enum { PASS_FIRST = 0, PASS_RECHECK = 1 };

/* What a failure of the recheck adds to the message: how the replay differed from the first. */
#define AFTER_RESET " (on a replay after mem_reset_brk and mm_init again, as every timing run " \
    "starts, the first replay having passed: mm_init leaves state of the previous run behind, " \
    "such as a static free-list pointer into the old heap)"

/* The job failed, for the reason formatted (cut short if it does not fit the record). */
static __attribute__((format(printf, 2, 3))) void fail(struct record *rec, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rec->failed = 1;
    vsnprintf(rec->fault, sizeof rec->fault, fmt, ap);
    va_end(ap);
}

/* Adds printf-style text to the message in buf (size bytes), cut short if it does not fit. */
static __attribute__((format(printf, 3, 4))) void append(char *buf, size_t size,
                                                         const char *fmt, ...)
{
    size_t n = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, size - n, fmt, ap);
    va_end(ap);
}

static int printed(int op, void *arg)
{
    (void)op;
    return sandbox_stdout_size(*(int *)arg) > 0;
}

/* How much of what an allocator printed on stdout is shown on stderr: its first lines. */
#define SHOWN_BYTES 1024
#define SHOWN_LINES 10

/* Shows on stderr lines the allocator printed on stdout (the first SHOWN_LINES of buf), each
 * marked "| ": a student's printf debugging fails the trace, and is of no use unseen. Never on
 * stdout, the report's. which: "it began", "its last lines were". */
static void show_printed(const char *buf, size_t n, const char *allocator, const char *which)
{
    fprintf(stderr, "mdriver: %s printed to stdout, which is the driver's (debugging output "
            "belongs on stderr); %s:\n| ", allocator, which);
    int lines = 0;
    char last = 0;
    for (size_t i = 0; i < n && lines < SHOWN_LINES; i++) {
        fputc(last = buf[i], stderr);
        if (last == '\n' && ++lines < SHOWN_LINES && i + 1 < n)
            fputs("| ", stderr);
    }
    if (last != '\n') /* cut in a line, or a last line without its newline */
        fputc('\n', stderr);
}

static void show_first_printed(int fd, const char *allocator)
{
    char buf[SHOWN_BYTES];
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    if (n > 0)
        show_printed(buf, (size_t)n, allocator, "it began");
}

/* A job that failed another way (a crash, a hang, a check) after printing: what it printed last
 * says where it was. The last SHOWN_LINES whole lines of the tail the sandbox kept. */
static void show_last_printed(const struct sandbox_outcome *o, const char *allocator)
{
    const char *s = o->stdout_tail, *end = s + o->stdout_tail_len;
    if (o->stdout_tail_len < o->stdout_bytes) { /* the tail starts in a line: from the next */
        const char *nl = memchr(s, '\n', o->stdout_tail_len);
        s = nl ? nl + 1 : end;
    }
    const char *from = end;
    int lines = 0; /* those ended before the last one */
    while (from > s && !(from[-1] == '\n' && from != end && ++lines == SHOWN_LINES))
        from--;
    if (from < end)
        show_printed(from, (size_t)(end - from), allocator, "its last lines were");
}

/* Something appeared on stdout: replay again, looking after init and after every op, to name
 * the op that printed. `when` says where it was seen, for output the second replay misses. */
static void report_printing(struct replay *r, const struct sandbox_child *c, struct record *rec,
                            const char *when)
{
    size_t bytes = sandbox_stdout_size(c->stdout_fd);
    int fd = c->stdout_fd;
    const char *name = r->t->name;
    int op = r->t->num_ops;
    show_first_printed(fd, r->a->name);
    rec->printing = 1;
    if (!r->a->simulated)
        replay_release(r);
    c->progress->pass++;
    if (ftruncate(fd, 0) == 0 && replay_init(r) == 0)
        op = replay_until(r, printed, &fd);
    if (op < 0)
        fail(rec, "%s: mm_init printed to stdout (%zu bytes)", name, bytes);
    else if (op < r->t->num_ops)
        fail(rec, "%s: op %d (line %d): printed to stdout (%zu bytes)", name, op,
             r->t->ops[op].line, bytes);
    else
        fail(rec, "%s: printed to stdout (%zu bytes) %s", name, bytes, when);
}

static int start_pass(struct replay *r, const struct sandbox_child *c)
{
    c->progress->pass++;
    c->progress->op = -1;
    return replay_init(r);
}

/* The first replay ran on a heap never used before; every timing run starts from a reset heap
 * and a second mm_init, and checks nothing. An allocator that keeps state across mm_init calls
 * (a static free-list pointer not cleared) passes the first and goes wrong in the others. One
 * more checked replay, after a reset and before the clock runs, catches that: it costs a
 * correctness pass per job (at the default level: -D's heap checker ran in the first) and
 * nothing in the timed runs, whose figures stay as they were (checking the timed runs' own
 * answers would put the checks on the clock). Under -c too, though nothing is timed: a student
 * who debugs with -c must meet the failure that -f and the grader would report. Simulated heaps
 * only: a real allocator's init resets nothing. */
static int rechecks(const struct job *j)
{
    return !j->cfg->no_check && j->a->simulated;
}

static int recheck(struct replay *r, const struct sandbox_child *c, struct record *rec)
{
    int level = r->level;
    r->level = level < LEVEL_DEFAULT ? level : LEVEL_DEFAULT;
    int ok = start_pass(r, c) == 0 && replay_checked(r) == 0;
    r->level = level;
    if (ok)
        return 0;
    fail(rec, "%s%s", r->fault, AFTER_RESET);
    return -1;
}

/* The timing runs are not checked, and an allocator can tell them from the checked pass (by
 * counting mm_init calls): one that did something else there would be timed on work it never
 * showed correct. A deterministic allocator repeats the checked pass's heap to the byte; a
 * timing run whose heap peaks elsewhere did other work. */
static int timed_differently(const struct replay *r, struct record *rec)
{
    if (!r->a->simulated || mem_peak_heapsize() == rec->peak_heap)
        return 0;
    fail(rec, "%s: a timing run's heap peaked at %zu bytes, the checked pass's at %zu: the "
         "timing runs are not checked, so the allocator must do in them what it did when "
         "checked: the same trace, the same heap (does mm_init reset all its state? does the "
         "allocator read heap bytes it never wrote since the break last came over them, which "
         "hold what was written there before, or use rand() or the time?)", r->t->name,
         mem_peak_heapsize(), rec->peak_heap);
    return 1;
}

static void time_runs(struct replay *r, const struct sandbox_child *c, struct record *rec)
{
    struct kbest k;
    kbest_start(&k);
    if (!r->a->simulated)
        replay_release(r);
    mem_set_guard(0); /* checked already: shrinking costs no system calls */
    int done = 0;
    while (!done) {
        if (start_pass(r, c) != 0) {
            fail(rec, "%s", r->fault);
            return;
        }
        done = kbest_add(&k, replay_timed(r));
        if (timed_differently(r, rec))
            return;
    }
    rec->secs = kbest_secs(&k);
    rec->timed = 1;
}

/* --no-check: the first replay only calls the allocator; the simulated heap still gives its
 * high-water mark, a real allocator's footprint is not sampled. */
static void first_pass_unchecked(struct replay *r, struct record *rec)
{
    replay_timed(r);
    rec->peak_heap = r->a->simulated ? mem_peak_heapsize() : 0;
}

/* The first replay (checked, or plain under --no-check) and its figures, --series included. */
static void first_pass(struct replay *r, const struct job *j, const struct sandbox_child *c,
                       struct record *rec)
{
    /* CPU seconds: the first replay's cost, not the machine's load, is what check_secs shows
     * (the timed runs, K-best, use wall time like the original driver). */
    double t0 = clock_secs(CLOCK_PROCESS_CPUTIME_ID);
    if (start_pass(r, c) != 0)
        fail(rec, "%s", r->fault);
    else if (j->cfg->no_check)
        first_pass_unchecked(r, rec);
    else if (replay_checked(r) != 0)
        fail(rec, "%s", r->fault);
    else
        rec->peak_heap = r->peak_heap;
    rec->check_secs = clock_secs(CLOCK_PROCESS_CPUTIME_ID) - t0;
    uintptr_t base = r->a->simulated ? (uintptr_t)mem_heap_lo() : 0;
    if (r->series && series_close(r->series, base) != 0 && !rec->failed)
        fail(rec, "--series: cannot write in %s", j->cfg->series_dir);
    r->series = NULL;
}

/* The --series files' name: the trace's, and TRACE@ALLOC for an allocator other than mm. */
static void series_name(const struct job *j, char *buf, size_t n)
{
    snprintf(buf, n, strcmp(j->name, "mm") ? "%s@%s" : "%s", j->t->name, j->name);
}

static int open_series(struct replay *r, const struct job *j, struct record *rec)
{
    char name[FAULT_LEN];
    series_name(j, name, sizeof name);
    r->series = series_open(j->cfg->series_dir, name, j->t, rec->fault, sizeof rec->fault);
    rec->failed = !r->series;
    return r->series ? 0 : -1;
}

static void child(const struct sandbox_child *c, void *arg, void *out)
{
    struct job *j = arg;
    struct record *rec = out;
    memset(rec, 0, sizeof *rec);
    mem_set_max_heap(j->cfg->max_heap);
    if (mem_reserve() != 0) /* the driver's failure (an address-space limit), not mm's */
        return fail(rec, "%s: cannot reserve the simulated heap (%zu bytes, --max-heap): %s",
                    j->t->name, mem_max_heap(), strerror(errno));
    struct replay r = {.a = j->a, .t = j->t, .level = j->cfg->level, .stdout_fd = c->stdout_fd,
                       .progress = &c->progress->op, .checking = &c->progress->checking,
                       .rerun = &c->progress->rerun,
                       .peak_op = j->st->peak_op};
    if (replay_setup(&r) != 0)
        return fail(rec, "the driver ran out of memory");
    if (j->cfg->series_dir && open_series(&r, j, rec) != 0)
        return;
    first_pass(&r, j, c, rec);
    if (rec->failed)
        return;
    if (sandbox_stdout_size(c->stdout_fd) > 0)
        return report_printing(&r, c, rec, "during the correctness pass");
    if (rechecks(j) && recheck(&r, c, rec) != 0)
        return;
    if (!j->cfg->correctness_only)
        time_runs(&r, c, rec);
    if (!rec->failed && sandbox_stdout_size(c->stdout_fd) > 0)
        report_printing(&r, c, rec, "during a timing run");
}

/* The least a simulated heap can have peaked at: the most live blocks the trace holds at once,
 * each rounded up to ALIGNMENT, but the last one's rounding (payloads are aligned, disjoint and
 * inside the heap at every op, which the correctness pass checks). */
static size_t least_peak_heap(const struct trace_stats *st)
{
    return st->peak_aligned > ALIGNMENT - 1 ? st->peak_aligned - (ALIGNMENT - 1) : 0;
}

/* A simulated heap that peaked below that was not measured but forged: the allocator runs in
 * the child that measures it, and can write into memlib's figures or the record. The trace's own
 * figure, computed here in the parent, is out of its reach; a forgery can still gain up to it. */
static int peak_forged(const struct job *j, const struct record *rec, struct result *res)
{
    if (!j->a->simulated || rec->peak_heap >= least_peak_heap(j->st))
        return 0;
    snprintf(res->error, sizeof res->error, "%s: the heap's high-water mark (%zu bytes) is below "
             "the %zu bytes its live blocks took at once: the allocator changed the heap's "
             "figures", j->t->name, rec->peak_heap, j->st->peak_aligned);
    return 1;
}

/* The op the heap checker (-D) was running before when the child ended (ops: after the last
 * one), or -1. The figure lies in memory the allocator can write: one no replay makes is not
 * believed. */
static int checker_op(const struct trace *t, const struct sandbox_outcome *o)
{
    return o->checking >= 1 && o->checking <= t->num_ops + 1 ? o->checking - 1 : -1;
}

/* "op N (line L)" of where the child was, or where in the job if not at an op. A crash or hang
 * in the heap checker is placed before the op it checks, and said to be the checker's: the op
 * has not run. */
static void where(const struct trace *t, const struct sandbox_outcome *o, char *buf, size_t n)
{
    int c = checker_op(t, o);
    if (c >= t->num_ops)
        snprintf(buf, n, "%s: after the last op: heap checker", t->name);
    else if (c >= 0)
        snprintf(buf, n, "%s: op %d (line %d): heap checker", t->name, c, t->ops[c].line);
    else if (o->op < 0)
        snprintf(buf, n, "%s: in mm_init", t->name);
    else if (o->op < t->num_ops)
        snprintf(buf, n, "%s: op %d (line %d)", t->name, o->op, t->ops[o->op].line);
    else
        snprintf(buf, n, "%s", t->name);
}

static int is_recheck(const struct job *j, int pass)
{
    return pass == PASS_RECHECK && rechecks(j);
}

/* What a failure message says of the replay it happened in, after the op. The pass counter lies
 * in memory the allocator can write: one past what a job can make was written there, and names
 * no replay. */
static const char *pass_note(const struct job *j, int pass)
{
    if (pass >= JOB_PASSES)
        return " (the allocator wrote into the driver's pass counter)";
    if (pass <= PASS_FIRST)
        return "";
    return is_recheck(j, pass) ? AFTER_RESET : " (in a timing run)";
}

/* -V's name for the replay a job is in. */
static const char *pass_name(const struct job *j, int pass)
{
    if (pass <= PASS_FIRST)
        return "correctness pass";
    return is_recheck(j, pass) ? "correctness pass after a heap reset" : "timing runs";
}

static void describe_end(const struct job *j, const struct sandbox_outcome *o, char *msg,
                         size_t n)
{
    char at[FAULT_LEN / 2];
    where(j->t, o, at, sizeof at);
    switch (o->end) {
    case SANDBOX_SIGNAL: {
        const char *abbrev = sigabbrev_np(o->sig);
        char addr[FAULT_LEN / 4];
        memfault_describe(&o->fault, j->a->simulated, addr, sizeof addr);
        snprintf(msg, n, "%s: signal SIG%s (%s)%s", at, abbrev ? abbrev : "?", strsignal(o->sig),
                 addr);
        break;
    }
    case SANDBOX_EXITED:
        snprintf(msg, n, "%s: exited with status %d (the allocator called exit)", at, o->status);
        break;
    case SANDBOX_UNSENT: /* after the last op: no op to name */
        snprintf(msg, n, "%s: the trace ran to its end, but its result could not be sent to the "
                 "driver (%s): the allocator closed or reused a file descriptor of the driver's",
                 j->t->name, strerror(o->status));
        return;
    case SANDBOX_TIMEOUT:
        snprintf(msg, n, "%s: timed out (a pass took more than %g s: an endless loop, or an "
                 "allocator too slow for this trace; -s SECS sets the limit)", at, j->cfg->timeout);
        break;
    case SANDBOX_FLOODED:
        snprintf(msg, n, "%s: printed more than %zu MiB to stdout (debugging output belongs on "
                 "stderr)", at, SANDBOX_STDOUT_MAX >> 20);
        break;
    default:
        snprintf(msg, n, "%s: %s", j->t->name, o->error);
        return;
    }
    int c = checker_op(j->t, o);
    if (c >= 0)
        append(msg, n, ", in %s's check%s", j->a->name, c < j->t->num_ops ? " before this op" : "");
    append(msg, n, "%s", pass_note(j, o->pass));
}

/* -V on a long job: where it is, every PROGRESS_SECS. */
static void tell_progress(const struct sandbox_progress *p, double secs, void *ctx)
{
    const struct job *j = ctx;
    int op = p->op, n = j->t->num_ops;
    if (op < 0)
        op = 0;
    fprintf(stderr, "mdriver: %s with %s: %.0f s, %s, op %d of %d (%.0f%%)\n", j->t->name,
            j->name, secs, pass_name(j, p->pass), op, n,
            n ? 100.0 * op / n : 100.0);
}

/* What a valid run measured. */
static void take_figures(const struct job *j, const struct record *rec, struct result *res)
{
    res->valid = 1;
    res->peak_heap = rec->peak_heap;
    res->util_known = j->a->simulated || rec->peak_heap > 0;
    res->util = res->util_known ? ratio_or_one(j->st->peak_payload, rec->peak_heap) : 0.0;
    res->check_secs = rec->check_secs;
    res->timed = rec->timed;
    res->secs = rec->secs;
    res->kops = rec->timed ? kops_of(j->t->num_ops, rec->secs) : 0.0;
}

void job_run(const struct job_config *cfg, const struct allocator *a, const char *name,
             const struct trace *t, const struct trace_stats *st, struct result *res)
{
    struct job j = {.cfg = cfg, .a = a, .name = name, .t = t, .st = st};
    struct record rec;
    struct sandbox_outcome o;
    struct sandbox_watch w = {.every_secs = PROGRESS_SECS, .fn = tell_progress, .ctx = &j};
    struct sandbox_budget budget = {.pass_secs = cfg->timeout, .passes = JOB_PASSES};
    sandbox_run(child, &j, &rec, sizeof rec, &budget, cfg->progress ? &w : NULL, &o);
    memset(res, 0, sizeof *res);
    res->ops = t->num_ops;
    res->peak_payload = st->peak_payload;
    res->bound = ratio_or_one(st->peak_payload, st->peak_aligned);
    if (o.end != SANDBOX_DONE)
        describe_end(&j, &o, res->error, sizeof res->error);
    else if (rec.failed)
        snprintf(res->error, sizeof res->error, "%s", rec.fault);
    else if (!peak_forged(&j, &rec, res))
        take_figures(&j, &rec, res);
    if (!res->valid && o.stdout_bytes > 0 && (o.end != SANDBOX_DONE || !rec.printing))
        show_last_printed(&o, a->name);
    if (!res->valid && cfg->series_dir) {
        char file[FAULT_LEN], why[FAULT_LEN + FAULT_LEN / 4];
        series_name(&j, file, sizeof file);
        snprintf(why, sizeof why, "%s failed: %s", name, res->error);
        series_failed(cfg->series_dir, file, why);
    }
}
