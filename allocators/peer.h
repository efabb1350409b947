/* allocators/peer.h: what an adapter for a real allocator (its own memory, its own statistics)
 * provides. Each is built as a plugin that driver/allocator.c loads by name. */
#ifndef ALLOCATORS_PEER_H
#define ALLOCATORS_PEER_H

#include <stdint.h>
#include <string.h>

#include "config.h"
#include "driver/allocator.h"

/* Describes the adapter; the plugin's one exported entry point. */
const struct allocator *peer_allocator(void);

/* A request of at least ALIGNMENT bytes: allocators that align blocks of 16 bytes or more to 16
 * then meet an ALIGNMENT up to 16 on their fast paths (and never see a request of 0). */
static inline size_t peer_padded(size_t size)
{
    return size < ALIGNMENT ? ALIGNMENT : size;
}

/* calloc's rule: NULL when nmemb * size overflows. */
static inline int peer_calloc_overflows(size_t nmemb, size_t size)
{
    return size && nmemb > SIZE_MAX / size;
}

/* calloc from an aligned malloc: the zeroing done here. */
static inline void *peer_calloc_zeroed(size_t nmemb, size_t size, void *(*alloc)(size_t))
{
    if (peer_calloc_overflows(nmemb, size))
        return NULL;
    void *p = alloc(nmemb * size);
    if (p)
        memset(p, 0, nmemb * size);
    return p;
}

/* realloc for an allocator whose own realloc would not keep ALIGNMENT: a new aligned block, the
 * first min(old, new) bytes copied, the old block freed. Size 0 frees and returns NULL, as
 * glibc's realloc does. */
static inline void *peer_realloc_moved(void *ptr, size_t size, void *(*alloc)(size_t),
                                       void (*release)(void *), size_t (*usable)(void *))
{
    if (!ptr)
        return alloc(size);
    if (size == 0) {
        release(ptr);
        return NULL;
    }
    void *moved = alloc(size);
    if (moved) {
        size_t old = usable(ptr);
        memcpy(moved, ptr, old < size ? old : size);
        release(ptr);
    }
    return moved;
}

#endif
