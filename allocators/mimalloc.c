/* allocators/mimalloc.c: mimalloc (Debian's libmimalloc) as a peer, through its mi_ API, so
 * that loading it never replaces the driver's own malloc.
 *
 * Footprint: the memory mimalloc has committed from the system (mi_process_info's
 * current_commit: the parts of its segments in use and the free pages it keeps); it starts at 0,
 * its start-up structures being static. By default on Linux
 * mimalloc commits whole 32 MiB segments at once, and its statistics then cannot tell memory in
 * use from memory merely reserved; init() turns eager commit off, so that "committed" follows
 * the 64 KiB slices it really uses. That is the one default of a real allocator changed here; it
 * costs mimalloc no measurable time. */
#include <mimalloc.h>

#include "allocators/peer.h"
#include "config.h"

static size_t committed(void)
{
    size_t elapsed, user, sys, rss, peak_rss, commit = 0, peak_commit, faults;
    mi_process_info(&elapsed, &user, &sys, &rss, &peak_rss, &commit, &peak_commit, &faults);
    return commit;
}

static int mi_init(void)
{
    mi_option_disable(mi_option_eager_commit);
    return 0;
}

/* mimalloc aligns blocks of 16 bytes or more to 16 (its MI_MAX_ALIGN_SIZE), but 8-byte blocks
 * only to 8. Up to 16, asking for at least ALIGNMENT bytes is enough, and keeps mimalloc on its
 * fast path (mi_malloc_aligned costs it a sixth of its speed); beyond, the aligned calls. */
#define MI_NATURAL_ALIGNMENT 16
#define NATURALLY_ALIGNED (ALIGNMENT <= MI_NATURAL_ALIGNMENT)

static void *mi_malloc_a(size_t size)
{
    return NATURALLY_ALIGNED ? mi_malloc(peer_padded(size)) : mi_malloc_aligned(size, ALIGNMENT);
}

static void *mi_realloc_a(void *ptr, size_t size)
{
    if (ptr && size == 0) { /* as glibc: frees and returns NULL */
        mi_free(ptr);
        return NULL;
    }
    return NATURALLY_ALIGNED ? mi_realloc(ptr, peer_padded(size))
                             : mi_realloc_aligned(ptr, size, ALIGNMENT);
}

static void *mi_calloc_a(size_t nmemb, size_t size)
{
    if (!NATURALLY_ALIGNED)
        return mi_calloc_aligned(nmemb, size, ALIGNMENT);
    if (peer_calloc_overflows(nmemb, size))
        return NULL;
    return mi_zalloc(peer_padded(nmemb * size));
}

const struct allocator *peer_allocator(void)
{
    static const struct allocator a = {
        .name = "mimalloc",
        .init = mi_init,
        .malloc = mi_malloc_a,
        .free = mi_free,
        .realloc = mi_realloc_a,
        .calloc = mi_calloc_a,
        .footprint = committed,
    };
    return &a;
}
