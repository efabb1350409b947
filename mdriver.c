/* mdriver.c: the malloc lab's driver. Reads the traces, runs each one against the allocator built
 * in (and the others asked for) in a sandboxed child, and reports correctness, utilization,
 * throughput and the perf index. The work is in driver/:
 *   options (the command line), suite (which trace files), trace (reading and validating them),
 *   idmap (dense ids for traces whose num_ids is beyond what the file can use),
 *   stats (figures of a trace alone, the perf index), job (one trace against one allocator),
 *   sandbox (the child process), replay (the checked and timed replays), shadow (the overlap
 *   bitmap), payload (the fill pattern), kbest (the timing rule), series (--series files),
 *   report (every output format). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/allocator.h"
#include "driver/job.h"
#include "driver/options.h"
#include "driver/report.h"
#include "driver/run.h"
#include "driver/stats.h"
#include "driver/suite.h"
#include "driver/trace.h"

#define EXIT_ALL_CORRECT 0
#define EXIT_INCORRECT 1
#define EXIT_USAGE 2
#define ERR_LEN 1024
#define MAX_ALLOCATORS (1 + MAX_VS + 1) /* mm, --vs, and libc for -l or the reference */

const team_t *mm_team(void); /* driver/mmshim.c */

static int die(const char *msg)
{
    fprintf(stderr, "mdriver: %s\n", msg);
    return EXIT_USAGE;
}

/* The trace files to run: those named, or the project's suite. */
static int list_traces(struct run *run, struct options *o)
{
    char err[ERR_LEN];
    if (o->traces.n == 0 && suite_default(&o->traces, err, sizeof err) != 0)
        return die(err);
    run->ntraces = o->traces.n;
    return 0;
}

/* --series names its files after the traces: two traces of one name (x.rep and x.rep.xz, or
 * files of two folders) would write the same files, the second over the first. */
static int distinct_names(const struct run *run)
{
    for (int i = 0; i < run->ntraces; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(run->traces[i].name, run->traces[j].name)) {
                fprintf(stderr, "mdriver: --series: %s and %s are both named %s, and would "
                        "write the same files\n", run->traces[j].file, run->traces[i].file,
                        run->traces[i].name);
                return EXIT_USAGE;
            }
    return 0;
}

/* Reads every trace before any allocator runs: a bad file stops the run with exit 2. Allocators
 * are picked first, since loading one may re-execute mdriver (driver/allocator.c). */
static int load_traces(struct run *run, const struct options *o)
{
    char err[ERR_LEN];
    run->traces = calloc((size_t)run->ntraces, sizeof *run->traces);
    if (!run->traces)
        return die("out of memory");
    for (int i = 0; i < run->ntraces; i++)
        if (trace_read(o->traces.path[i], &run->traces[i], err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            return EXIT_USAGE;
        }
    return o->series_dir ? distinct_names(run) : 0;
}

static int add_allocator(struct run *run, const char *name, int shown)
{
    for (int a = 0; a < run->nalloc; a++)
        if (!strcmp(run->alloc[a].name, name)) {
            run->alloc[a].shown |= shown;
            return 0;
        }
    char err[ERR_LEN];
    const struct allocator *al = allocator_find(name, err, sizeof err);
    if (!al) {
        if (!shown)
            strncat(err, " (needed as the throughput reference: give --thru-ref KOPS instead)",
                    sizeof err - strlen(err) - 1);
        return die(err);
    }
    struct alloc_run *ar = &run->alloc[run->nalloc++];
    ar->name = name;
    ar->a = al;
    ar->shown = shown;
    ar->res = calloc((size_t)run->ntraces, sizeof *ar->res);
    return ar->res ? 0 : die("out of memory");
}

/* mm first, then --vs in order, -l's libc, and libc unseen when it is the throughput reference. */
static int pick_allocators(struct run *run, const struct options *o)
{
    run->alloc = calloc(MAX_ALLOCATORS, sizeof *run->alloc);
    if (!run->alloc)
        return die("out of memory");
    run->alloc[0] = (struct alloc_run){.name = "mm", .a = mm_builtin(), .shown = 1,
                                        .res = calloc((size_t)run->ntraces, sizeof(struct result))};
    run->nalloc = 1;
    if (!run->alloc[0].res)
        return die("out of memory");
    for (int i = 0; i < o->nvs; i++)
        if (add_allocator(run, o->vs[i], 1))
            return EXIT_USAGE;
    if (o->with_libc && add_allocator(run, REF_NAME, 1))
        return EXIT_USAGE;
    if (o->thru_ref_kops) {
        run->thru_ref_kops = o->thru_ref_kops;
        run->thru_ref_from = "--thru-ref";
    } else if (!o->correctness_only && add_allocator(run, REF_NAME, 0)) {
        return EXIT_USAGE;
    }
    return 0;
}

/* -D asks for the heap checker: say so when there is none, rather than let a clean run suggest
 * that the heap was checked. */
static void note_no_checker(const struct run *run, const struct options *o)
{
    if (o->level == LEVEL_FULL && !run->alloc[0].a->check)
        fprintf(stderr, "mdriver: note: mm has no heap checker (mm_check or mm_checkheap), so "
                        "-D (-d 2) calls none; its other checks run\n");
}

static void run_all(struct run *run, const struct options *o)
{
    struct job_config cfg = {.level = o->level, .timeout = o->timeout, .max_heap = o->max_heap,
                             .correctness_only = o->correctness_only,
                             .no_check = o->no_check,
                             .series_dir = o->series_dir, .progress = o->verbose > 1};
    for (int i = 0; i < run->ntraces; i++) {
        struct trace_stats st;
        if (trace_stats(&run->traces[i], &st) != 0) {
            die("out of memory");
            exit(EXIT_USAGE);
        }
        for (int a = 0; a < run->nalloc; a++) {
            struct alloc_run *ar = &run->alloc[a];
            job_run(&cfg, ar->a, ar->name, &run->traces[i], &st, &ar->res[i]);
            if (!ar->res[i].valid && ar->shown)
                fprintf(stderr, "mdriver: %s: %s\n", ar->name, ar->res[i].error);
            if (o->verbose > 1)
                report_progress(run, i, a);
        }
    }
}

static int run_and_report(struct run *run, struct options *o)
{
    int rc;
    if ((rc = list_traces(run, o)) || (rc = pick_allocators(run, o)) ||
        (rc = load_traces(run, o)))
        return rc;
    note_no_checker(run, o);
    if (o->verbose > 1)
        report_start(run);
    run_all(run, o);
    report_totals(run);
    report_print(run);
    return run->alloc[0].tot.all_valid ? EXIT_ALL_CORRECT : EXIT_INCORRECT;
}

/* Everything a run allocated is freed before the exit, so that a leak checker (make asan) has
 * only real leaks to report. */
static void run_free(struct run *run)
{
    for (int i = 0; run->traces && i < run->ntraces; i++)
        trace_free(&run->traces[i]);
    free(run->traces);
    for (int a = 0; a < run->nalloc; a++)
        free(run->alloc[a].res);
    free(run->alloc);
}

/* A report or help text that did not reach stdout (a full disk, a closed pipe) is no result: a
 * script must not take the run's status for one. */
static int stdout_written(int rc)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return rc;
    fprintf(stderr, "mdriver: cannot write to stdout: %s\n", strerror(errno));
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    /* A reader that went away is a write error that stdout_written reports (status 2), not a
     * signal that kills the run with no word said. */
    signal(SIGPIPE, SIG_IGN);
    struct options o;
    int rc = options_parse(argc, argv, &o);
    if (rc == 0) {
        struct run run = {.o = &o, .team = mm_team()};
        rc = run_and_report(&run, &o);
        run_free(&run);
    } else {
        rc = rc == 1 ? EXIT_ALL_CORRECT : EXIT_USAGE;
    }
    options_free(&o);
    return stdout_written(rc);
}
