/* driver/blockindex.c: the address-ordered index of live blocks (see blockindex.h). */
#include "driver/blockindex.h"

#include <stdlib.h>

#define NONE (-1)
#define GOLDEN 0x9e3779b97f4a7c15ULL

int bix_init(struct block_index *x, int num_ids)
{
    x->node = malloc(((size_t)num_ids + 1) * sizeof *x->node);
    x->num_ids = num_ids;
    bix_clear(x);
    return x->node ? 0 : -1;
}

void bix_free(struct block_index *x)
{
    free(x->node);
    x->node = NULL;
}

void bix_clear(struct block_index *x)
{
    x->root = NONE;
    x->live = 0;
    x->max_hi = 0;
}

/* Priorities only need to look random to the order of addresses; a hash of the id and of the
 * insertion count is enough, and costs no state. */
static uint32_t priority(int id, int live)
{
    uint64_t h = ((uint64_t)(uint32_t)id << 32 | (uint32_t)live) * GOLDEN;
    return (uint32_t)(h >> 32);
}

static int rotate_right(struct bix_node *n, int t)
{
    int l = n[t].left;
    n[t].left = n[l].right;
    n[l].right = t;
    return l;
}

static int rotate_left(struct bix_node *n, int t)
{
    int r = n[t].right;
    n[t].right = n[r].left;
    n[r].left = t;
    return r;
}

static int insert(struct bix_node *n, int t, int id)
{
    if (t == NONE)
        return id;
    if (n[id].lo < n[t].lo) {
        n[t].left = insert(n, n[t].left, id);
        if (n[n[t].left].prio > n[t].prio)
            t = rotate_right(n, t);
    } else {
        n[t].right = insert(n, n[t].right, id);
        if (n[n[t].right].prio > n[t].prio)
            t = rotate_left(n, t);
    }
    return t;
}

/* Joins two treaps, every key of a below every key of b. */
static int merge(struct bix_node *n, int a, int b)
{
    if (a == NONE)
        return b;
    if (b == NONE)
        return a;
    if (n[a].prio > n[b].prio) {
        n[a].right = merge(n, n[a].right, b);
        return a;
    }
    n[b].left = merge(n, a, n[b].left);
    return b;
}

static int erase(struct bix_node *n, int t, int id)
{
    if (t == id)
        return merge(n, n[t].left, n[t].right);
    if (n[id].lo < n[t].lo)
        n[t].left = erase(n, n[t].left, id);
    else
        n[t].right = erase(n, n[t].right, id);
    return t;
}

int bix_insert(struct block_index *x, int id, uintptr_t lo, uintptr_t hi)
{
    struct bix_node *n = x->node;
    int pred = NONE, succ = NONE;
    for (int t = x->root; t != NONE;) {
        if (n[t].lo <= lo) {
            pred = t;
            t = n[t].right;
        } else {
            succ = t;
            t = n[t].left;
        }
    }
    if (pred != NONE && n[pred].hi > lo)
        return pred;
    if (succ != NONE && n[succ].lo < hi)
        return succ;
    n[id] = (struct bix_node){.lo = lo, .hi = hi, .left = NONE, .right = NONE,
                              .prio = priority(id, x->live)};
    x->root = insert(n, x->root, id);
    x->live++;
    if (hi > x->max_hi)
        x->max_hi = hi;
    return NONE;
}

void bix_remove(struct block_index *x, int id)
{
    struct bix_node *n = x->node;
    x->root = erase(n, x->root, id);
    x->live--;
    if (n[id].hi < x->max_hi)
        return;
    /* The highest block went away: the new highest is the rightmost node (blocks are disjoint,
     * so the last by start is also the last by end). */
    x->max_hi = 0;
    for (int t = x->root; t != NONE; t = n[t].right)
        x->max_hi = n[t].hi;
}

int bix_last(const struct block_index *x)
{
    int last = NONE;
    for (int t = x->root; t != NONE; t = x->node[t].right)
        last = t;
    return last;
}

static int each(const struct bix_node *n, int t, int (*fn)(int, void *), void *arg)
{
    while (t != NONE) {
        int r = each(n, n[t].left, fn, arg);
        if (r)
            return r;
        if ((r = fn(t, arg)))
            return r;
        t = n[t].right;
    }
    return 0;
}

int bix_each(const struct block_index *x, int (*fn)(int id, void *arg), void *arg)
{
    return each(x->node, x->root, fn, arg);
}
