/* allocators/libc.c: glibc's malloc as an allocator under test, the reference for throughput.
 *
 * Linked into mdriver (every run times it for the perf index), so its calls are glibc's own
 * functions, unwrapped.
 *
 * Footprint: what glibc holds from the system by mallinfo2(), the arenas' sbrk/mmap'ed bytes
 * plus the chunks it mmap'ed on their own, as far as the trace is the reason. The same heap
 * holds the driver's own blocks, and free space left over from the driver's earlier work (trace
 * reading), which the trace's first blocks fill. So init() trims the heap (the first time) and
 * notes what glibc holds, how much of it the driver's blocks use, and how much is free; the
 * footprint is what glibc has added since, plus as much of that initial free space as the
 * trace's blocks (with glibc's chunk overhead) could occupy. That never exceeds the truth by
 * more than the fragmentation inside the initial free space, and never counts the driver's
 * leftovers against glibc; the driver allocates nothing while a trace runs. */
#include <malloc.h>
#include <stdlib.h>

#include "driver/allocator.h"

/* The heap when the trace starts. */
static size_t held_at_start, driver_in_use, free_at_start;

static size_t held(const struct mallinfo2 *mi)
{
    return mi->arena + mi->hblkhd;
}

static size_t in_use(const struct mallinfo2 *mi)
{
    return mi->uordblks + mi->hblkhd;
}

static int libc_init(void)
{
    /* Only once: trimming before a timed run would make glibc fault its pages in again, a cost
     * the simulated allocators, whose heap stays mapped across runs, do not pay. */
    static int trimmed;
    if (!trimmed) {
        malloc_trim(0);
        trimmed = 1;
    }
    struct mallinfo2 mi = mallinfo2();
    held_at_start = held(&mi);
    driver_in_use = in_use(&mi);
    free_at_start = held_at_start - driver_in_use;
    return 0;
}

static size_t libc_footprint(void)
{
    struct mallinfo2 mi = mallinfo2();
    size_t now = held(&mi), used = in_use(&mi);
    size_t added = now > held_at_start ? now - held_at_start : 0;
    size_t trace_in_use = used > driver_in_use ? used - driver_in_use : 0;
    return added + (trace_in_use < free_at_start ? trace_in_use : free_at_start);
}

const struct allocator *libc_allocator(void)
{
    static const struct allocator a = {
        .name = "libc",
        .simulated = 0,
        .init = libc_init,
        .malloc = malloc,
        .free = free,
        .realloc = realloc,
        .calloc = calloc,
        .footprint = libc_footprint,
    };
    return &a;
}
