/* allocators/jemalloc.c: jemalloc (Debian's libjemalloc) as a peer, through its non-standard
 * API (mallocx & co.), so that loading it never replaces the driver's own malloc.
 *
 * Footprint: the pages jemalloc holds for blocks, those in use ("stats.active") and those freed
 * but not yet handed back to the system (dirty and muzzy pages, "stats.arenas.<all>.pdirty" and
 * ".pmuzzy"), refreshed by bumping "epoch". Its own metadata ("stats.metadata": arenas, thread
 * cache, extent records, radix tree) is left out: nearly all of it is start-up cost, and the radix
 * tree grows in steps of megabytes depending on where the system happens to map memory, noise
 * that would swamp a small trace (its "stats.resident" includes it). */
#include <jemalloc/jemalloc.h>
#include <stdint.h>

#include "allocators/peer.h"
#include "config.h"

/* jemalloc aligns blocks of at least its quantum (16 bytes on x86-64) to the quantum, but 8-byte
 * blocks only to 8. Up to the quantum, asking for at least ALIGNMENT bytes is enough, and keeps
 * jemalloc on its fast path (MALLOCX_ALIGN costs it a fifth of its speed); beyond, the flag. */
#define JE_QUANTUM 16
#define ALIGN_FLAGS (ALIGNMENT <= JE_QUANTUM ? 0 : MALLOCX_ALIGN(ALIGNMENT))
/* peer_padded() also keeps requests off size 0, which mallocx and rallocx leave undefined. */

/* Statistics are read through MIBs looked up once: name lookups would dominate a sample. The
 * per-arena figures are read for all arenas merged, MALLCTL_ARENAS_ALL. */
#define MIB_MAX 6
#define STR(x) #x
#define XSTR(x) STR(x)
#define ALL_ARENAS "stats.arenas." XSTR(MALLCTL_ARENAS_ALL) "."

struct mib {
    const char *name;
    size_t mib[MIB_MAX], len;
};

static struct mib epoch_mib = {.name = "epoch"}, active_mib = {.name = "stats.active"},
                  dirty_mib = {.name = ALL_ARENAS "pdirty"},
                  muzzy_mib = {.name = ALL_ARENAS "pmuzzy"};
static size_t page_size;

static int lookup(struct mib *m)
{
    m->len = MIB_MAX;
    return mallctlnametomib(m->name, m->mib, &m->len);
}

static size_t read_size(const struct mib *m)
{
    size_t value = 0, len = sizeof value;
    return mallctlbymib(m->mib, m->len, &value, &len, NULL, 0) == 0 ? value : 0;
}

static size_t held(void)
{
    uint64_t epoch = 1;
    if (mallctlbymib(epoch_mib.mib, epoch_mib.len, NULL, NULL, &epoch, sizeof epoch) != 0)
        return 0;
    return read_size(&active_mib) + (read_size(&dirty_mib) + read_size(&muzzy_mib)) * page_size;
}

static int je_init(void)
{
    size_t len = sizeof page_size;
    if (lookup(&epoch_mib) || lookup(&active_mib) || lookup(&dirty_mib) || lookup(&muzzy_mib) ||
        mallctl("arenas.page", &page_size, &len, NULL, 0))
        return -1;
    return 0;
}

static void *je_malloc(size_t size)
{
    return mallocx(peer_padded(size), ALIGN_FLAGS);
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
    return rallocx(ptr, peer_padded(size), ALIGN_FLAGS);
}

static void *je_calloc(size_t nmemb, size_t size)
{
    if (peer_calloc_overflows(nmemb, size))
        return NULL;
    return mallocx(peer_padded(nmemb * size), ALIGN_FLAGS | MALLOCX_ZERO);
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
        .footprint = held,
    };
    return &a;
}
