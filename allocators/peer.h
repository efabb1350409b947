/* allocators/peer.h: what an adapter for a real allocator (its own memory, its own statistics)
 * provides. Each is built as a plugin that driver/allocator.c loads by name. */
#ifndef ALLOCATORS_PEER_H
#define ALLOCATORS_PEER_H

#include "driver/allocator.h"

/* Describes the adapter; the plugin's one exported entry point. */
const struct allocator *peer_allocator(void);

#endif
