/* driver/replay.c: the checked and the timed replays of a trace (see replay.h).
 *
 * The checked replay is the driver's correctness pass; it must stay cheap next to the
 * allocator's own work (at most 3x a timed replay), so per op it makes no system call, does work
 * independent of the number of live blocks (driver/shadow.h), and touches each payload byte once
 * or twice. Only failures pay for a search through all blocks, to name the other one. */
#include "driver/replay.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "driver/clock.h"
#include "driver/payload.h"
#include "driver/sandbox.h"
#include "memlib.h"

/* Room an allocator may need beyond a request (headers, rounding up to its chunk size): a NULL
 * within this distance of the heap's maximum counts as memory really exhausted. */
#define OOM_SLACK ((size_t)64 * 1024)
/* How many times, evenly spread, a real allocator's footprint is sampled in a correctness pass,
 * besides the op where the trace's payload peaks and the last op. A sample can cost a walk of
 * the allocator's free lists (glibc's mallinfo2: milliseconds with 100,000 blocks), so not
 * every op; footprints mostly grow with the payload, which the peak sample catches. */
#define FOOTPRINT_SAMPLES 8
/* Ops ahead whose block record, then payload, are prefetched (see prefetch_ahead), and in a
 * timed replay of many ids the pointer-table entry (see run_ops). */
#define PREFETCH_AHEAD 8
#define CACHE_LINE 64
/* A pointer table up to this size stays cached through a timed replay (a typical L2): only a
 * larger one is worth prefetching, whose instructions would slow a short trace's replay. */
#define PTR_TABLE_CACHED ((size_t)1 << 20)
/* The original lab's alignment: a payload aligned to it but not to ALIGNMENT is likely code
 * written for that lab, which ORIGINAL_BUILD builds for; a tool that builds the driver itself
 * (tools/grade, with -a 8) names its own command in ORIGINAL_BUILD_ENV. */
#define ORIGINAL_ALIGNMENT 8
#define ORIGINAL_BUILD "make ALIGNMENT=8"
#define ORIGINAL_BUILD_ENV "MMLAB_ALIGN8_BUILD"
#define CHECKER_QUIET 0
#define CHECKER_VERBOSE 1
/* -d 2 verifies every live payload before every op while they total at most SWEEP_BYTES; past
 * that, before about one op in live_payload / SWEEP_BYTES, so that a sweep costs SWEEP_BYTES per
 * op on average and -D stays usable on traces with megabytes live. A corruption found after ops
 * that went unswept is pinned to its op by replaying the trace again, sweeping before every op
 * of that stretch: the op named is the one a sweep before every op would name. */
#define SWEEP_BYTES ((size_t)256 * 1024)

int replay_setup(struct replay *r)
{
    size_t n = (size_t)r->t->num_ids + 1;
    r->ptr = calloc(n, sizeof *r->ptr);
    r->blk = calloc(n, sizeof *r->blk);
    r->shadow = shadow_new();
    if (!r->ptr || !r->blk || !r->shadow) {
        replay_teardown(r);
        return -1;
    }
    return 0;
}

void replay_teardown(struct replay *r)
{
    free(r->ptr);
    free(r->blk);
    shadow_delete(r->shadow);
    r->shadow = NULL;
    r->ptr = NULL;
    r->blk = NULL;
}

/* Records the first failure as "<trace>: op N (line L): <what>". */
static int fault(struct replay *r, int op, const char *fmt, ...)
{
    int n;
    if (op < 0)
        n = snprintf(r->fault, FAULT_LEN, "%s: ", r->t->name);
    else if (op >= r->t->num_ops)
        n = snprintf(r->fault, FAULT_LEN, "%s: after the last op: ", r->t->name);
    else
        n = snprintf(r->fault, FAULT_LEN, "%s: op %d (line %d): ", r->t->name, op,
                     r->t->ops[op].line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->fault + n, FAULT_LEN - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static void forget_blocks(struct replay *r)
{
    memset(r->ptr, 0, ((size_t)r->t->num_ids + 1) * sizeof *r->ptr);
    memset(r->blk, 0, ((size_t)r->t->num_ids + 1) * sizeof *r->blk);
    shadow_clear(r->shadow);
    r->live_payload = 0;
    r->heap_before = 0;
}

int replay_init(struct replay *r)
{
    forget_blocks(r);
    if (r->a->simulated)
        mem_reset_brk();
    if (r->a->init() != 0)
        return fault(r, -1, "mm_init failed (%s's init returned an error)", r->a->name);
    return 0;
}

static void *calloc_of(const struct allocator *a, size_t nmemb, size_t total)
{
    if (a->calloc)
        return a->calloc(nmemb, nmemb ? total / nmemb : 0);
    void *p = a->malloc(total);
    if (p)
        memset(p, 0, total);
    return p;
}

/* A NULL for a nonzero request is "out of memory" when the request cannot fit in what is left
 * of the maximum heap: above the simulated heap's size, or above the live payload of a real
 * allocator (its own memory is not the simulated heap's). Otherwise it is a false NULL. */
static int null_result(struct replay *r, int i, int id, size_t request)
{
    id = trace_file_id(r->t, id); /* only told from here on */
    size_t max = mem_max_heap();
    size_t used = r->a->simulated ? mem_heapsize() : r->live_payload;
    const char *what = r->a->simulated ? "heap" : "live payload";
    size_t left = used < max ? max - used : 0;
    if (request > left || left - request < OOM_SLACK)
        return fault(r, i, "out of memory: %zu bytes for block %d do not fit (%s %zu of max %zu "
                     "bytes)", request, id, what, used, max);
    return fault(r, i, "returned NULL for %zu bytes (block %d) while memory was not exhausted "
                 "(%s %zu of max %zu bytes)", request, id, what, used, max);
}

/* The live block that holds a byte of [lo, hi), or -1: a search of every block, made only to
 * name the culprit of a failure. */
static int holder(const struct replay *r, uintptr_t lo, uintptr_t hi)
{
    for (int id = 0; id < r->t->num_ids; id++) {
        uintptr_t b = (uintptr_t)r->blk[id].ptr;
        if (b && r->blk[id].size && b < hi && b + r->blk[id].size > lo)
            return id;
    }
    return -1;
}

static int overlap_fault(struct replay *r, int i, int id, uintptr_t lo, uintptr_t hi)
{
    int other = holder(r, lo, hi);
    uintptr_t olo = other >= 0 ? (uintptr_t)r->blk[other].ptr : 0;
    uintptr_t ohi = other >= 0 ? olo + r->blk[other].size : 0;
    const char *how = olo <= lo && ohi >= hi   ? " (it lies inside that block)"
                      : lo <= olo && hi >= ohi ? " (it encloses that block)"
                                               : "";
    return fault(r, i, "block %d [%p, +%zu) overlaps live block %d [%p, +%zu)%s",
                 trace_file_id(r->t, id), (void *)lo, (size_t)(hi - lo), trace_file_id(r->t, other),
                 (void *)olo, (size_t)(ohi - olo), how);
}

static const char *original_build(void)
{
    const char *how = getenv(ORIGINAL_BUILD_ENV);
    return how && *how ? how : ORIGINAL_BUILD;
}

/* Alignment, heap range and overlap of a new placement; on success it is live. A block of 0
 * bytes has no bytes to overlap: it is not shadowed (and may sit at the break). */
static int place(struct replay *r, int i, int id, void *p, size_t size)
{
    uintptr_t lo = (uintptr_t)p, hi = lo + size;
    if (lo % ALIGNMENT) {
        uintptr_t only = lo & -lo; /* the largest power of two that divides it */
        if (only == ORIGINAL_ALIGNMENT)
            return fault(r, i, "block %d at %p (%zu bytes) is not aligned to %d bytes, only to %d "
                         "(code written for the original lab's 8-byte rule builds with `%s`)",
                         trace_file_id(r->t, id), p, size, ALIGNMENT, ORIGINAL_ALIGNMENT,
                         original_build());
        return fault(r, i, "block %d at %p (%zu bytes) is not aligned to %d bytes, only to %ju",
                     trace_file_id(r->t, id), p, size, ALIGNMENT, (uintmax_t)only);
    }
    if (r->a->simulated) {
        uintptr_t heap_lo = (uintptr_t)mem_heap_lo(), heap_end = (uintptr_t)mem_heap_hi() + 1;
        if (heap_end == heap_lo)
            return fault(r, i, "block %d [%p, +%zu) is outside the heap, which is empty (it "
                         "starts at %p)", trace_file_id(r->t, id), p, size, mem_heap_lo());
        if (lo < heap_lo || hi > heap_end || hi < lo)
            return fault(r, i, "block %d [%p, +%zu) is outside the heap [%p, %p]",
                         trace_file_id(r->t, id), p, size, mem_heap_lo(), mem_heap_hi());
    }
    int overlap = size ? shadow_claim(r->shadow, lo, hi) : 0;
    if (overlap < 0)
        return fault(r, i, "the driver ran out of memory for its shadow of the heap");
    if (overlap)
        return overlap_fault(r, i, id, lo, hi);
    r->blk[id].ptr = p;
    r->blk[id].size = size;
    if (r->series)
        series_place(r->series, id, i, lo, size);
    return 0;
}

static int verify(struct replay *r, int i, int id)
{
    if (r->level < LEVEL_DEFAULT)
        return 0;
    size_t bad = payload_check(r->blk[id].ptr, r->blk[id].seed, 0, r->blk[id].size);
    if (bad == NO_MISMATCH)
        return 0;
    r->corrupt_op = i;
    return fault(r, i, "payload of block %d [%p, +%zu) corrupted at byte %zu%s",
                 trace_file_id(r->t, id), r->blk[id].ptr, r->blk[id].size, bad,
                 r->level < LEVEL_FULL ? " (-D names the op that changed it)" : "");
}

/* Takes a live block out of the books (before free or realloc). */
static void unplace(struct replay *r, int i, int id)
{
    if (r->blk[id].size) {
        uintptr_t lo = (uintptr_t)r->blk[id].ptr;
        shadow_release(r->shadow, lo, lo + r->blk[id].size);
    }
    if (r->series)
        series_end(r->series, id, i);
    r->live_payload -= r->blk[id].size;
    r->blk[id].ptr = NULL;
    r->blk[id].size = 0;
}

static int do_alloc(struct replay *r, int i, const struct trace_op *op)
{
    int id = op->id;
    void *p = op->type == OP_CALLOC ? calloc_of(r->a, op->nmemb, op->size)
                                    : r->a->malloc(op->size);
    if (!p)
        return op->size ? null_result(r, i, id, op->size) : 0;
    if (place(r, i, id, p, op->size) != 0)
        return -1;
    if (op->type == OP_CALLOC && r->a->calloc) {
        size_t bad = payload_check_zero(p, op->size);
        if (bad != NO_MISMATCH)
            return fault(r, i, "calloc did not zero block %d [%p, +%zu): byte %zu is 0x%02x",
                         trace_file_id(r->t, id), p, op->size, bad, ((unsigned char *)p)[bad]);
    }
    r->blk[id].seed = payload_seed(i, id);
    if (r->level >= LEVEL_DEFAULT)
        payload_fill(p, r->blk[id].seed, 0, op->size);
    r->live_payload += op->size;
    return 0;
}

static int do_realloc(struct replay *r, int i, const struct trace_op *op)
{
    int id = op->id;
    void *old = r->blk[id].ptr;
    size_t old_size = r->blk[id].size;
    if (old) {
        if (verify(r, i, id) != 0)
            return -1;
        unplace(r, i, id);
    } else {
        r->blk[id].seed = payload_seed(i, id);
    }
    void *p = r->a->realloc(old, op->size);
    if (!p)
        return op->size ? null_result(r, i, id, op->size) : 0; /* realloc(p, 0) may free */
    if (place(r, i, id, p, op->size) != 0)
        return -1;
    size_t keep = old_size < op->size ? old_size : op->size;
    if (r->level >= LEVEL_DEFAULT) {
        size_t bad = payload_check(p, r->blk[id].seed, 0, keep);
        if (bad != NO_MISMATCH)
            return fault(r, i, "realloc did not preserve block %d (%zu -> %zu bytes, moved %p -> "
                         "%p): byte %zu of the first %zu differs", trace_file_id(r->t, id),
                         old_size, op->size, old, p, bad, keep);
        payload_fill(p, r->blk[id].seed, keep, op->size);
    }
    r->live_payload += op->size;
    return 0;
}

static int do_free(struct replay *r, int i, const struct trace_op *op)
{
    int id = op->id;
    if (id < 0 || !r->blk[id].ptr) {
        r->a->free(NULL);
        return 0;
    }
    if (verify(r, i, id) != 0)
        return -1;
    void *p = r->blk[id].ptr;
    unplace(r, i, id);
    r->a->free(p);
    return 0;
}

/* Simulated heaps may shrink (negative sbrk), but never under a live block. Blocks beyond the
 * break can only appear when it moves down, so only then is anything looked at. */
static int check_break(struct replay *r, int i)
{
    size_t now = mem_heapsize();
    size_t before = r->heap_before;
    r->heap_before = now;
    if (now >= before)
        return 0;
    uintptr_t end = (uintptr_t)mem_heap_lo() + now;
    if (!shadow_any(r->shadow, end, end + (before - now)))
        return 0;
    int id = holder(r, end, end + (before - now));
    if (id < 0)
        return 0; /* a block ends in the same granule as the heap, below the break */
    return fault(r, i, "block %d [%p, +%zu) lies beyond the break (the heap now ends at %p)",
                 trace_file_id(r->t, id), r->blk[id].ptr, r->blk[id].size, (void *)end);
}

/* Runs the heap checker; what it prints to stdout goes to stderr, the only output allowed. A
 * checker with a verbose flag is asked again to say what it found. */
static int heap_consistent(struct replay *r, int i)
{
    int line = i < r->t->num_ops ? r->t->ops[i].line : 0;
    size_t before = sandbox_stdout_size(r->stdout_fd);
    *r->checking = i + 1;
    int ok = r->a->check(CHECKER_QUIET, line) != 0;
    if (!ok && r->a->check_verbose)
        r->a->check(CHECKER_VERBOSE, line);
    *r->checking = 0;
    sandbox_pass_to_stderr(r->stdout_fd, before);
    return ok;
}

static int verify_all(struct replay *r, int i)
{
    for (int id = 0; id < r->t->num_ids; id++)
        if (r->blk[id].ptr && verify(r, i, id) != 0)
            return -1;
    return 0;
}

/* Whether every live payload is verified before op i (see SWEEP_BYTES); after the last op the
 * correctness pass verifies them all anyway. */
static int sweep_due(struct replay *r, int i)
{
    if (i >= r->pin_lo && i <= r->pin_hi)
        return 1;
    r->sweep_credit += SWEEP_BYTES;
    if (r->sweep_credit < r->live_payload)
        return 0;
    r->sweep_credit = 0;
    return 1;
}

/* "op N (line L)": the op before op i, which the check before op i is the first to see;
 * "mm_init" before the first op. */
static const char *culprit(const struct replay *r, int i)
{
    static char buf[FAULT_LEN / 4];
    if (i == 0)
        return "mm_init";
    snprintf(buf, sizeof buf, "op %d (line %d)", i - 1, r->t->ops[i - 1].line);
    return buf;
}

/* A sweep before op i found a payload corrupted: the ops since the last clean sweep changed it,
 * which the fault names (the op itself once the corruption is pinned, see pin_corruption). */
static int blame(struct replay *r, int i)
{
    int from = r->swept_before < 0 ? 0 : r->swept_before, to = i - 1;
    size_t n = strlen(r->fault);
    if (to < 0 || n >= FAULT_LEN)
        return -1;
    const struct trace_op *ops = r->t->ops;
    if (from == to)
        snprintf(r->fault + n, FAULT_LEN - n, "; %s changed it", culprit(r, i));
    else
        snprintf(r->fault + n, FAULT_LEN - n, "; one of ops %d (line %d) to %d (line %d) "
                 "changed it", from, ops[from].line, to, ops[to].line);
    return -1;
}

/* -d 2: the heap checker and every live payload, before op i (or after the last one). */
static int full_check(struct replay *r, int i)
{
    if (r->a->check && !heap_consistent(r, i))
        return fault(r, i,
                     "heap checker: %s's check reported an inconsistent heap%s; %s left it so",
                     r->a->name, i < r->t->num_ops ? " before this op" : "", culprit(r, i));
    if (!sweep_due(r, i))
        return 0;
    if (verify_all(r, i) != 0)
        return blame(r, i);
    r->swept_before = i;
    return 0;
}

static size_t footprint(const struct replay *r)
{
    return r->a->footprint ? r->a->footprint() : 0;
}

static void sample_heap(struct replay *r, int i, int stride)
{
    if (r->a->simulated) {
        if (r->series)
            series_op(r->series, i, r->live_payload, mem_heapsize());
        return;
    }
    if (!r->series && i % stride && i != r->peak_op && i != r->t->num_ops - 1)
        return;
    size_t f = footprint(r);
    if (f > r->peak_heap)
        r->peak_heap = f;
    if (r->series)
        series_op(r->series, i, r->live_payload, f);
}

static int replay_op(struct replay *r, int i, const struct trace_op *op)
{
    switch (op->type) {
    case OP_ALLOC:
    case OP_CALLOC:
        return do_alloc(r, i, op);
    case OP_REALLOC:
        return do_realloc(r, i, op);
    default:
        return do_free(r, i, op);
    }
}

/* The blocks that the coming frees and reallocs will verify are scattered over the heap: their
 * records and first cache lines are fetched a few ops early, so the misses overlap with the
 * work of the ops in between instead of stalling the pass one after the other. */
/* Always inlined: as a function of its own GCC finds it "pure" (a prefetch changes nothing it
 * can see) and deletes the calls. */
static inline __attribute__((always_inline)) void prefetch_ahead(const struct replay *r, int i)
{
    const struct trace *t = r->t;
    if (i + PREFETCH_AHEAD < t->num_ops) {
        const struct trace_op *op = &t->ops[i + PREFETCH_AHEAD];
        if ((op->type == OP_FREE || op->type == OP_REALLOC) && op->id >= 0)
            __builtin_prefetch(&r->blk[op->id]);
    }
    if (i + PREFETCH_AHEAD / 2 < t->num_ops) {
        const struct trace_op *op = &t->ops[i + PREFETCH_AHEAD / 2];
        if ((op->type == OP_FREE || op->type == OP_REALLOC) && op->id >= 0) {
            const struct block *b = &r->blk[op->id];
            const char *p = b->ptr;
            if (p) {
                __builtin_prefetch(p);
                if (b->size > CACHE_LINE)
                    __builtin_prefetch(p + CACHE_LINE);
                if (b->size > 2 * CACHE_LINE)
                    __builtin_prefetch(p + 2 * CACHE_LINE);
                if (b->size > 3 * CACHE_LINE)
                    __builtin_prefetch(p + 3 * CACHE_LINE);
            }
        }
    }
}

static int checked_pass(struct replay *r)
{
    const struct trace *t = r->t;
    int stride = t->num_ops / FOOTPRINT_SAMPLES + 1;
    r->peak_heap = 0;
    r->sweep_credit = 0;
    r->swept_before = -1;
    r->corrupt_op = -1;
    for (int i = 0; i < t->num_ops; i++) {
        *r->progress = i;
        prefetch_ahead(r, i);
        if (r->level >= LEVEL_FULL && full_check(r, i) != 0)
            return -1;
        if (replay_op(r, i, &t->ops[i]) != 0)
            return -1;
        if (r->a->simulated && check_break(r, i) != 0)
            return -1;
        sample_heap(r, i, stride);
    }
    if (r->level >= LEVEL_FULL && full_check(r, t->num_ops) != 0)
        return -1;
    if (verify_all(r, t->num_ops) != 0)
        return -1;
    if (r->a->simulated)
        r->peak_heap = mem_peak_heapsize();
    return 0;
}

/* A corruption found under -d 2 after unswept ops: replays the trace again from the start,
 * sweeping before every op since the last clean sweep, to name the op a sweep before every op
 * would name. An allocator that does not corrupt the same way twice gets the first finding. */
static int pin_corruption(struct replay *r)
{
    char found[FAULT_LEN];
    memcpy(found, r->fault, FAULT_LEN);
    int lo = r->swept_before + 1, hi = r->corrupt_op;
    if (!r->a->simulated)
        replay_release(r);
    ++*r->rerun; /* a whole replay again: its own -s */
    if (replay_init(r) == 0) {
        r->pin_lo = lo;
        r->pin_hi = hi;
        int again = checked_pass(r) != 0 && r->corrupt_op >= lo && r->corrupt_op <= hi;
        r->pin_lo = r->pin_hi = -1;
        if (again)
            return -1;
    }
    memcpy(r->fault, found, FAULT_LEN);
    return -1;
}

int replay_checked(struct replay *r)
{
    r->pin_lo = r->pin_hi = -1;
    if (checked_pass(r) == 0)
        return 0;
    if (r->level < LEVEL_FULL || r->corrupt_op <= r->swept_before + 1 || r->series)
        return -1;
    return pin_corruption(r);
}

/* The allocator calls alone, as fast as the trace allows. With `prefetch`, the pointer-table
 * entry of the op PREFETCH_AHEAD ahead is fetched early: a table too big to stay cached would
 * otherwise add the driver's own miss to every free of a random block, and time it as the
 * allocator's. Always inlined, so that each caller's constant `prefetch` leaves one loop. */
static inline __attribute__((always_inline)) int run_ops(struct replay *r,
                                                         int (*after_op)(int, void *), void *arg,
                                                         int prefetch)
{
    const struct allocator *a = r->a;
    void **ptr = r->ptr;
    const struct trace *t = r->t;
    for (int i = 0; i < t->num_ops; i++) {
        const struct trace_op *op = &t->ops[i];
        *r->progress = i;
        if (prefetch && i + PREFETCH_AHEAD < t->num_ops && op[PREFETCH_AHEAD].id >= 0)
            __builtin_prefetch(&ptr[op[PREFETCH_AHEAD].id]);
        switch (op->type) {
        case OP_ALLOC:
            ptr[op->id] = a->malloc(op->size);
            break;
        case OP_CALLOC:
            ptr[op->id] = calloc_of(a, op->nmemb, op->size);
            break;
        case OP_REALLOC:
            ptr[op->id] = a->realloc(ptr[op->id], op->size);
            break;
        default:
            if (op->id < 0) {
                a->free(NULL);
            } else {
                a->free(ptr[op->id]);
                ptr[op->id] = NULL;
            }
        }
        if (after_op && after_op(i, arg))
            return i;
    }
    return t->num_ops;
}

int replay_until(struct replay *r, int (*after_op)(int op, void *arg), void *arg)
{
    if (after_op(-1, arg))
        return -1;
    return run_ops(r, after_op, arg, 0);
}

double replay_timed(struct replay *r)
{
    double t0 = clock_secs(CLOCK_MONOTONIC);
    if ((size_t)r->t->num_ids * sizeof *r->ptr > PTR_TABLE_CACHED)
        run_ops(r, NULL, NULL, 1);
    else
        run_ops(r, NULL, NULL, 0);
    double secs = clock_secs(CLOCK_MONOTONIC) - t0;
    if (!r->a->simulated)
        replay_release(r);
    return secs;
}

void replay_release(struct replay *r)
{
    for (int id = 0; id < r->t->num_ids; id++) {
        if (r->ptr[id])
            r->a->free(r->ptr[id]);
        if (r->blk[id].ptr)
            r->a->free(r->blk[id].ptr);
    }
    forget_blocks(r);
}
