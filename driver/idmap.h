/* driver/idmap.h: renumbers a trace's block ids densely (0, 1, 2, ... in order of first use),
 * for traces whose header allows more ids than the file could hold ops for: the driver's per-id
 * tables are then sized by the ids the ops use, which the file's length bounds, not by num_ids. */
#ifndef DRIVER_IDMAP_H
#define DRIVER_IDMAP_H

#include <stddef.h>

struct idmap {
    int *slot;      /* open addressing: dense id + 1 of the file id hashed here, 0 when empty */
    size_t slots;   /* a power of two, more than twice n */
    int *file_id;   /* dense id -> the file's id */
    int n, cap;
};

/* The dense id of file id fid (>= 0), given a new one at its first use. -1 when out of memory. */
int idmap_dense(struct idmap *m, int fid);

/* Frees the table; file_id is left to the caller (it becomes the trace's). */
void idmap_free_table(struct idmap *m);

#endif
