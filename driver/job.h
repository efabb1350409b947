/* driver/job.h: one trace against one allocator, start to finish: the correctness pass and the
 * timing runs in a sandboxed child, and the result the reports show. */
#ifndef DRIVER_JOB_H
#define DRIVER_JOB_H

#include <stddef.h>

#include "driver/allocator.h"
#include "driver/replay.h"
#include "driver/stats.h"
#include "driver/trace.h"

struct job_config {
    int level;             /* -d */
    double timeout;        /* -s: seconds a pass may take */
    size_t max_heap;       /* --max-heap */
    int correctness_only;  /* -c: no timing */
    int no_check;          /* --no-check: a plain replay instead of the correctness pass */
    const char *series_dir; /* --series, or NULL */
    int progress;          /* -V: a line on stderr every PROGRESS_SECS of a long job */
};

#define PROGRESS_SECS 5.0

struct result {
    int valid;
    char error[FAULT_LEN]; /* "" when valid */
    int ops;
    int util_known;        /* 0: a real allocator whose footprint cannot be measured */
    double util, bound;
    int timed;
    double secs, kops;     /* best timed run */
    double check_secs;     /* CPU seconds of the first replay: the correctness pass, or the
                              plain one under --no-check */
    size_t peak_payload, peak_heap;
};

/* name: the allocator's name as the reports show it ("mm" for the built-in one). */
void job_run(const struct job_config *cfg, const struct allocator *a, const char *name,
             const struct trace *t, const struct trace_stats *st, struct result *res);

#endif
