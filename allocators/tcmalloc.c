/* allocators/tcmalloc.c: tcmalloc (Debian's gperftools, the minimal library without profiler)
 * as a peer, through its tc_ API, so that loading it never replaces the driver's own malloc.
 *
 * Footprint: tcmalloc's "generic.heap_size" (bytes it has taken from the system for its page
 * heap) less "tcmalloc.pageheap_unmapped_bytes" (those it has since given back). Nothing is
 * subtracted: its metadata is not counted there, and the page heap it already holds when init()
 * runs (tcmalloc serves a block of its own when loaded) is memory the trace's blocks will use. */
#include <gperftools/malloc_extension_c.h>
#include <gperftools/tcmalloc.h>

#include "allocators/peer.h"
#include "config.h"

static size_t held(void)
{
    size_t heap = 0, unmapped = 0;
    if (!MallocExtension_GetNumericProperty("generic.heap_size", &heap) ||
        !MallocExtension_GetNumericProperty("tcmalloc.pageheap_unmapped_bytes", &unmapped))
        return 0;
    return heap - unmapped;
}

static int tc_init(void)
{
    return 0;
}

/* tcmalloc aligns blocks of at least 16 bytes to 16: up to there, asking for at least ALIGNMENT
 * bytes is enough; a larger ALIGNMENT needs tc_memalign, and realloc by hand. */
#define TC_NATURAL_ALIGNMENT 16
#define NATURALLY_ALIGNED (ALIGNMENT <= TC_NATURAL_ALIGNMENT)

static void *tc_malloc_a(size_t size)
{
    return NATURALLY_ALIGNED ? tc_malloc(peer_padded(size)) : tc_memalign(ALIGNMENT, size);
}

static void *tc_realloc_a(void *ptr, size_t size)
{
    if (!NATURALLY_ALIGNED)
        return peer_realloc_moved(ptr, size, tc_malloc_a, tc_free, tc_malloc_size);
    if (!ptr)
        return tc_malloc_a(size);
    if (size == 0) { /* as glibc: frees and returns NULL */
        tc_free(ptr);
        return NULL;
    }
    return tc_realloc(ptr, peer_padded(size));
}

static void *tc_calloc_a(size_t nmemb, size_t size)
{
    return peer_calloc_zeroed(nmemb, size, tc_malloc_a);
}

const struct allocator *peer_allocator(void)
{
    static const struct allocator a = {
        .name = "tcmalloc",
        .init = tc_init,
        .malloc = tc_malloc_a,
        .free = tc_free,
        .realloc = tc_realloc_a,
        .calloc = tc_calloc_a,
        .footprint = held,
    };
    return &a;
}
