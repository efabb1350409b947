/* driver/idmap.c: dense renumbering of block ids (driver/idmap.h). */
#include "driver/idmap.h"

#include <stdint.h>
#include <stdlib.h>

#define INITIAL_SLOTS 64
#define INITIAL_IDS 32
#define FIB_HASH 0x9E3779B97F4A7C15ULL /* 2^64 / golden ratio: spreads consecutive ids */

static size_t home(const struct idmap *m, int fid)
{
    return (size_t)(((uint64_t)(unsigned)fid * FIB_HASH) >> 32) & (m->slots - 1);
}

static size_t find(const struct idmap *m, int fid)
{
    size_t i = home(m, fid);
    while (m->slot[i] && m->file_id[m->slot[i] - 1] != fid)
        i = (i + 1) & (m->slots - 1);
    return i;
}

/* Doubles the table once it is half full, so that probes stay short. */
static int grow_slots(struct idmap *m)
{
    size_t want = m->slots ? 2 * m->slots : INITIAL_SLOTS;
    if (m->slots && (size_t)m->n * 2 < m->slots)
        return 0;
    int *old = m->slot;
    size_t old_slots = m->slots;
    if (!(m->slot = calloc(want, sizeof *m->slot))) {
        m->slot = old;
        return -1;
    }
    m->slots = want;
    for (size_t i = 0; i < old_slots; i++)
        if (old[i])
            m->slot[find(m, m->file_id[old[i] - 1])] = old[i];
    free(old);
    return 0;
}

static int grow_ids(struct idmap *m)
{
    if (m->n < m->cap)
        return 0;
    int cap = m->cap ? 2 * m->cap : INITIAL_IDS;
    int *ids = realloc(m->file_id, (size_t)cap * sizeof *ids);
    if (!ids)
        return -1;
    m->file_id = ids;
    m->cap = cap;
    return 0;
}

int idmap_dense(struct idmap *m, int fid)
{
    if (grow_slots(m) != 0 || grow_ids(m) != 0)
        return -1;
    size_t i = find(m, fid);
    if (!m->slot[i]) {
        m->file_id[m->n++] = fid;
        m->slot[i] = m->n;
    }
    return m->slot[i] - 1;
}

void idmap_free_table(struct idmap *m)
{
    free(m->slot);
    m->slot = NULL;
    m->slots = 0;
}
