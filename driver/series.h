/* driver/series.h: --series DIR, the time series of one replay for tools/plot.
 *
 *   DIR/NAME.series.tsv  `op live_payload heap_size`, a row per op (per window of
 *                        ceil(ops / SERIES_MAX_ROWS) ops, holding the window's maxima, on long
 *                        traces); op is the window's last op, counted from 0
 *   DIR/NAME.blocks.tsv  `id start_op end_op offset size`, a row per placement of a block
 *                        (a realloc that moves it ends one and starts another); offset from the
 *                        heap's start (real allocators: from the lowest block address seen)
 * NAME is the trace's name, or NAME@ALLOCATOR for an allocator other than mm. */
#ifndef DRIVER_SERIES_H
#define DRIVER_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "driver/trace.h"

#define SERIES_MAX_ROWS 50000

struct series;

/* Opens both files; NULL with a reason in err when they cannot be created. */
struct series *series_open(const char *dir, const char *name, const struct trace *t,
                           char *err, size_t errlen);
void series_op(struct series *s, int op, size_t live_payload, size_t heap_size);
void series_place(struct series *s, int id, int op, uintptr_t addr, size_t size);
void series_end(struct series *s, int id, int op);
/* Writes the blocks file (offsets from base, or from the lowest address when base is 0) and
 * closes both. Returns 0, or -1 when a write failed. */
int series_close(struct series *s, uintptr_t base);

/* In the parent, once a run has failed: its files (partial, or cut off by a crash) are written
 * again as their header and one line `SERIES_FAILED<why>`, so that tools/plot tells why there
 * is nothing to draw rather than drawing what the run never did. Best effort. */
#define SERIES_FAILED "# no series: "
void series_failed(const char *dir, const char *name, const char *why);

#endif
