/* allocators/libc.c: glibc's malloc as an allocator under test, the reference for throughput.
 *
 * Linked into mdriver (every run times it for the perf index), so its calls are glibc's own
 * functions, unwrapped, up to the 16-byte alignment glibc gives every block; a build with a
 * larger ALIGNMENT gets them through posix_memalign.
 *
 * Footprint: what glibc holds from the system by mallinfo2(), the arenas' sbrk/mmap'ed bytes
 * plus the chunks it mmap'ed on their own, less what it held when the trace started. The same
 * heap holds the driver's own blocks, which the driver does not change while a trace runs, and
 * free space left over from the driver's earlier work (reading traces), where the trace's first
 * blocks would otherwise hide. So the first init() of a process fills that free space with
 * blocks of its own, never freed, before it takes the baseline: from then on every block of the
 * trace comes from memory glibc adds. */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "allocators/peer.h"
#include "config.h"

/* The alignment of every glibc block on x86-64 (MALLOC_ALIGNMENT). */
#define GLIBC_ALIGNMENT 16
#define NATURALLY_ALIGNED (ALIGNMENT <= GLIBC_ALIGNMENT)

/* glibc keeps up to TCACHE_COUNT freed chunks of each small size (TCACHE_SIZES sizes, in steps
 * of TCACHE_STEP bytes) aside from its free lists, and serves them first. */
#define TCACHE_COUNT 7
#define TCACHE_SIZES 64
#define TCACHE_STEP 16
/* Free chunks are filled with blocks of these sizes, largest first (halving down to the
 * smallest): below the threshold where glibc would mmap them instead. */
#define FILL_LARGEST (64 * 1024)
#define FILL_SMALLEST 16

static size_t baseline;

static size_t held(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.arena + mi.hblkhd;
}

/* Start of the top chunk, the heap's free tail: what a block from a hole lies below. */
static uintptr_t top_start(void)
{
    return (uintptr_t)sbrk(0) - mallinfo2().keepcost;
}

/* Takes every free chunk below the top chunk, so that the trace starts on a heap without holes.
 * A request that comes from the top means no hole of that size is left: it goes back. Filling
 * stops, whatever the addresses say, once it has taken as much as glibc had free. */
static void fill_free_space(void)
{
    size_t budget = mallinfo2().fordblks, taken = 0;
    for (size_t i = 1; i <= TCACHE_SIZES; i++)
        for (int k = 0; k < TCACHE_COUNT; k++)
            if (!malloc(i * TCACHE_STEP - sizeof(size_t)))
                return;
    for (size_t size = FILL_LARGEST; size >= FILL_SMALLEST; size /= 2) {
        uintptr_t top = top_start();
        while (taken < budget) {
            void *p = malloc(size);
            if (!p)
                return;
            if ((uintptr_t)p >= top) {
                free(p);
                break;
            }
            taken += size;
        }
    }
}

static int libc_init(void)
{
    /* Only once: what the trace frees between timing runs is the trace's own to reuse. */
    static int filled;
    if (!filled) {
        fill_free_space();
        malloc_trim(0); /* what filling took from the top, beyond the holes, goes back */
        filled = 1;
    }
    baseline = held();
    return 0;
}

static size_t libc_footprint(void)
{
    size_t now = held();
    return now > baseline ? now - baseline : 0;
}

/* Only for ALIGNMENT above glibc's own. */
static void *aligned_malloc(size_t size)
{
    void *p;
    return posix_memalign(&p, ALIGNMENT, size) == 0 ? p : NULL;
}

static void *aligned_realloc(void *ptr, size_t size)
{
    return peer_realloc_moved(ptr, size, aligned_malloc, free, malloc_usable_size);
}

static void *aligned_calloc(size_t nmemb, size_t size)
{
    return peer_calloc_zeroed(nmemb, size, aligned_malloc);
}

const struct allocator *libc_allocator(void)
{
    static const struct allocator a = {
        .name = "libc",
        .simulated = 0,
        .init = libc_init,
        .malloc = NATURALLY_ALIGNED ? malloc : aligned_malloc,
        .free = free,
        .realloc = NATURALLY_ALIGNED ? realloc : aligned_realloc,
        .calloc = NATURALLY_ALIGNED ? calloc : aligned_calloc,
        .footprint = libc_footprint,
    };
    return &a;
}
