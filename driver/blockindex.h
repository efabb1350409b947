/* driver/blockindex.h: the live blocks of a replay, ordered by address, for the overlap check.
 *
 * A treap (binary search tree balanced by random priorities) whose nodes are preallocated, one
 * per trace id, so no operation allocates. Blocks in the index never overlap (an overlapping one
 * is refused), so the only candidates for overlapping a new block are its two neighbours by
 * start address: the one starting at or before it and the one starting after it. Checking both
 * catches partial overlaps and enclosure either way, in O(log n). */
#ifndef DRIVER_BLOCKINDEX_H
#define DRIVER_BLOCKINDEX_H

#include <stdint.h>

struct bix_node {
    uintptr_t lo, hi; /* the block is [lo, hi) */
    int left, right;  /* ids; -1 when none */
    uint32_t prio;
};

struct block_index {
    struct bix_node *node; /* indexed by id */
    int num_ids;
    int root;
    int live;
    uintptr_t max_hi; /* highest end of a live block, 0 when none */
};

int bix_init(struct block_index *x, int num_ids); /* 0, or -1 out of memory */
void bix_free(struct block_index *x);
void bix_clear(struct block_index *x);

/* Inserts [lo, hi) for id (not already in). Returns -1, or the id of a live block it overlaps
 * (it is then not inserted). */
int bix_insert(struct block_index *x, int id, uintptr_t lo, uintptr_t hi);
void bix_remove(struct block_index *x, int id);

/* The id of the live block that ends highest, or -1 when none. */
int bix_last(const struct block_index *x);

/* Calls fn on every live id in address order; stops at, and returns, the first nonzero. */
int bix_each(const struct block_index *x, int (*fn)(int id, void *arg), void *arg);

#endif
