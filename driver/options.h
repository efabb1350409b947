/* driver/options.h: mdriver's command line. */
#ifndef DRIVER_OPTIONS_H
#define DRIVER_OPTIONS_H

#include <stddef.h>

#include "driver/suite.h"

#define MAX_VS 16

struct options {
    struct pathlist traces;      /* -f, -c, -t, in the order given; empty: the default suite */
    int verbose;                 /* -v 1, -V 2 */
    int with_libc;               /* -l */
    int grade;                   /* -g */
    int autolab;                 /* -A */
    int tsv;                     /* -T */
    int json, csv;
    int level;                   /* -d, -D */
    double timeout;              /* -s */
    int correctness_only;        /* -c */
    int no_check;                /* --no-check */
    const char *vs[MAX_VS];      /* --vs */
    int nvs;
    const char *series_dir;      /* --series */
    size_t max_heap;             /* --max-heap */
    double thru_ref_kops;        /* --thru-ref; 0: measure libc */
};

/* Parses argv. Returns 0 to run, 1 when done (--help printed), 2 on a usage error (reported on
 * stderr). */
int options_parse(int argc, char **argv, struct options *o);

/* Frees what options_parse allocated (the trace list), whatever it returned. */
void options_free(struct options *o);

#endif
