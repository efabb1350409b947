/* allocators/jemalloc.c: jemalloc (Debian's libjemalloc) as a peer, through its non-standard
 * API (mallocx & co.), so that loading it never replaces the driver's own malloc.
 *
 * Footprint: jemalloc's "stats.resident", the bytes of pages it holds from the system (metadata,
 * live blocks, and freed pages it has not yet returned), refreshed by bumping "epoch". What it
 * holds when init() runs, before it has served a single block, is subtracted: that is its
 * start-up metadata (arenas, thread cache, radix tree), a cost of loading it, not of the trace,
 * and no block can ever use it. */
#include <jemalloc/jemalloc.h>
#include <stdint.h>

#include "allocators/peer.h"
#include "config.h"

/* Every request asks for the lab's alignment: jemalloc gives 8-byte blocks 8-byte alignment. */
#define ALIGN_FLAGS MALLOCX_ALIGN(ALIGNMENT)

/* The stats are read through MIBs looked up once: name lookups would dominate a sample. */
#define MIB_MAX 4
static size_t epoch_mib[MIB_MAX], resident_mib[MIB_MAX];
static size_t epoch_len = MIB_MAX, resident_len = MIB_MAX;
static size_t baseline;

static size_t resident(void)
{
    uint64_t epoch = 1;
    size_t value = 0, len = sizeof value;
    if (mallctlbymib(epoch_mib, epoch_len, NULL, NULL, &epoch, sizeof epoch) != 0 ||
        mallctlbymib(resident_mib, resident_len, &value, &len, NULL, 0) != 0)
        return 0;
    return value;
}

static int je_init(void)
{
    if (mallctlnametomib("epoch", epoch_mib, &epoch_len) != 0 ||
        mallctlnametomib("stats.resident", resident_mib, &resident_len) != 0)
        return -1;
    baseline = resident();
    return 0;
}

static void *je_malloc(size_t size)
{
    /* mallocx(0) is undefined; glibc's malloc(0) returns a unique pointer, so does this. */
    return mallocx(size ? size : 1, ALIGN_FLAGS);
}

static void je_free(void *ptr)
{
    if (ptr)
        dallocx(ptr, 0);
}

static void *je_realloc(void *ptr, size_t size)
{
    if (!ptr)
        return je_malloc(size);
    if (size == 0) { /* as glibc: frees and returns NULL */
        dallocx(ptr, 0);
        return NULL;
    }
    return rallocx(ptr, size, ALIGN_FLAGS);
}

static void *je_calloc(size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        return NULL;
    size_t total = nmemb * size;
    return mallocx(total ? total : 1, ALIGN_FLAGS | MALLOCX_ZERO);
}

static size_t je_footprint(void)
{
    size_t now = resident();
    return now > baseline ? now - baseline : 0;
}

const struct allocator *peer_allocator(void)
{
    static const struct allocator a = {
        .name = "jemalloc",
        .init = je_init,
        .malloc = je_malloc,
        .free = je_free,
        .realloc = je_realloc,
        .calloc = je_calloc,
        .footprint = je_footprint,
    };
    return &a;
}
