/* driver/replay.h: replaying a trace against an allocator, in the child process.
 *
 * The checked replay (the correctness pass) verifies every answer of the allocator and stops at
 * the first wrong one; a timed replay only calls the allocator. Both report the op they are at
 * through *progress, which the parent reads when the child crashes or hangs. */
#ifndef DRIVER_REPLAY_H
#define DRIVER_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "driver/allocator.h"
#include "driver/series.h"
#include "driver/shadow.h"
#include "driver/trace.h"

/* Debug levels (-d): payload checks from 1 up; heap checker and full verification before every
 * op at 2. */
enum { LEVEL_MINIMAL = 0, LEVEL_DEFAULT = 1, LEVEL_FULL = 2 };

#define FAULT_LEN 512

/* A live block of the checked replay; its fields together, for one cache miss per op. */
struct block {
    void *ptr; /* NULL when not live */
    size_t size;
    uint64_t seed; /* its payload pattern */
};

struct replay {
    /* set by the caller */
    const struct allocator *a;
    const struct trace *t;
    int level;
    int stdout_fd;          /* the child's captured stdout (for output made by the checker) */
    volatile int *progress; /* index of the op being replayed */
    volatile int *checking; /* 1 + the op the heap checker runs before, while it runs */
    volatile int *rerun;    /* bumped when the checked replay starts over (pin_corruption) */
    struct series *series;  /* --series, or NULL */
    int peak_op;            /* op where the trace's payload peaks (trace_stats) */
    /* state */
    struct block *blk; /* per id, in the checked replay */
    void **ptr;        /* per id, in the timed replays: its block, or NULL */
    struct shadow *shadow;  /* bytes of the live blocks */
    size_t heap_before;     /* simulated heap's size before the op, to see it shrink */
    size_t live_payload;
    size_t peak_heap; /* simulated: heap high-water mark; real: most footprint sampled */
    size_t sweep_credit;  /* -d 2: payload bytes a sweep may verify without costing more */
    int swept_before;     /* -d 2: last op before which every live payload verified, or -1 */
    int pin_lo, pin_hi;   /* -d 2: ops before each of which to sweep, after a corruption */
    int corrupt_op;       /* op at which a payload was found corrupted, or -1 */
    char fault[FAULT_LEN];
};

/* Allocates the per-id state (before the allocator's init, so a real allocator's footprint
 * baseline does not count it). Returns 0, or -1 out of memory. */
int replay_setup(struct replay *r);
void replay_teardown(struct replay *r);

/* Calls the allocator's init (after resetting the simulated heap). Returns 0, or -1 with a
 * fault. */
int replay_init(struct replay *r);

/* The correctness pass: returns 0, or -1 with the first fault described in r->fault. */
int replay_checked(struct replay *r);

/* Replays op by op, calling after_op first with op -1 (after init), then after each op, until
 * it returns nonzero; returns that op, or r->t->num_ops. No checks. For locating stdout output. */
int replay_until(struct replay *r, int (*after_op)(int op, void *arg), void *arg);

/* One timed replay with no checks; returns its seconds. Real allocators get their blocks back
 * after the clock stops. */
double replay_timed(struct replay *r);

/* Frees every block still live (real allocators between runs). */
void replay_release(struct replay *r);

#endif
