/* allocators/libc.c: glibc's malloc as an allocator under test, the reference for throughput.
 *
 * Linked into mdriver (every run times it for the perf index), so its calls are glibc's own
 * functions, unwrapped. Its footprint is what glibc holds from the system by mallinfo2(): the
 * arenas' sbrk/mmap'ed bytes plus the chunks it mmap'ed on their own. The driver's own
 * bookkeeping lives in the same heap; init() trims the heap (the first time) and notes how many
 * of its bytes are in use then, and footprint() leaves them out. Free memory glibc holds at that point (holes
 * left by the driver's earlier work) stays in: the trace may use it, so it is not baseline. */
#include <malloc.h>
#include <stdlib.h>

#include "driver/allocator.h"

static size_t driver_in_use; /* bytes of the driver's own blocks when the trace starts */

static size_t held(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.arena + mi.hblkhd;
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
    driver_in_use = mi.uordblks + mi.hblkhd;
    return 0;
}

static size_t libc_footprint(void)
{
    size_t now = held();
    return now > driver_in_use ? now - driver_in_use : 0;
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
