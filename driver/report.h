/* driver/report.h: totals and every output format of mdriver. */
#ifndef DRIVER_REPORT_H
#define DRIVER_REPORT_H

#include "driver/run.h"

/* Fills every allocator's totals; needs run->thru_ref_kops for the perf index. */
void report_totals(struct run *run);

/* Writes the run in the format the options ask for, to stdout. */
void report_print(const struct run *run);

/* -V: what the run is about to do, on stderr, once the traces are read. */
void report_start(const struct run *run);

/* -V: one progress line on stderr per finished job. */
void report_progress(const struct run *run, int trace, int alloc);

#endif
