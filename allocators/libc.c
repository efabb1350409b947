/* allocators/libc.c: glibc's malloc as an allocator under test, the reference for throughput.
 *
 * Linked into mdriver (every run times it for the perf index), so its calls are glibc's own
 * functions, unwrapped. Its footprint is what glibc holds from the system by mallinfo2(): the
 * arenas' sbrk/mmap'ed bytes plus the chunks it mmap'ed on their own. The driver's own
 * bookkeeping also lives in glibc's heap, so init() trims the heap and takes the footprint at that
 * moment as a baseline, and footprint() reports what has been added since. */
#include <malloc.h>
#include <stdlib.h>

#include "driver/allocator.h"

static size_t baseline;

static size_t held(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.arena + mi.hblkhd;
}

static int libc_init(void)
{
    malloc_trim(0);
    baseline = held();
    return 0;
}

static size_t libc_footprint(void)
{
    size_t now = held();
    return now > baseline ? now - baseline : 0;
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
