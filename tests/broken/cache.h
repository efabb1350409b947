/*
 * cache.h: base.h's bump allocator with a one-block cache of the last freed block, for the
 * broken allocators whose fault shows only when a new block takes a freed one's place: mm_free
 * puts the block in the cache, and the file's take(need) hands it out when cached_fits(need).
 */
#ifndef BROKEN_CACHE_H
#define BROKEN_CACHE_H

#define OWN_INIT
#define OWN_FREE
#define OWN_TAKE
#include "base.h"

static char *cached; /* the last freed block, or NULL */

int mm_init(void)
{
    cached = NULL;
    return 0;
}

void mm_free(void *bp)
{
    if (!bp)
        return;
    hdr(bp)[1] = 0;
    cached = (char *)hdr(bp);
}

/* Whether the cached block holds a block of need bytes (bump's word 0: the requested size). */
static inline int cached_fits(size_t need)
{
    return cached && block_size(((size_t *)cached)[0]) >= need;
}

#endif
