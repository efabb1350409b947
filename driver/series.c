/* driver/series.c: writes the --series files (see series.h). Placements are kept in memory until
 * the end, because offsets of a real allocator's blocks are known only once its lowest address
 * is. */
#include "driver/series.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct placement {
    int id, start, end;
    uintptr_t addr;
    size_t size;
};

/* The files' buffers are allocated up front, like the placements: a real allocator's footprint
 * is sampled during the replay, and must not count the driver's own memory. */
#define SERIES_BUFFER 65536

struct series {
    const struct trace *t; /* its ids are told as the file gives them */
    FILE *ops, *blocks;
    char *buf[2];
    int num_ops, window, in_window;
    size_t max_payload, max_heap;
    struct placement *pl;
    size_t npl, cap;
    long *current; /* per id: index in pl of its live placement, -1 when none */
    uintptr_t lowest;
};

/* The files' headers: their column names. */
#define OPS_HEADER "op\tlive_payload\theap_size"
#define BLOCKS_HEADER "id\tstart_op\tend_op\toffset\tsize"

/* Creates DIR/NAME.KIND.tsv and writes its header. buf (SERIES_BUFFER bytes), unless NULL,
 * becomes its buffer first: C allows setvbuf only before any other operation on the stream.
 * Says why it failed into err, unless NULL. */
static FILE *open_tsv(const char *dir, const char *name, const char *kind, const char *header,
                      char *buf, char *err, size_t errlen)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.%s.tsv", dir, name, kind);
    FILE *f = fopen(path, "w");
    if (!f) {
        if (err)
            snprintf(err, errlen, "--series: cannot create %s: %s", path, strerror(errno));
        return NULL;
    }
    if (buf)
        setvbuf(f, buf, _IOFBF, SERIES_BUFFER);
    fprintf(f, "# %s\n", header);
    return f;
}

/* Frees s and what it holds (NULL or not yet allocated parts included); the files are closed. */
static void series_free(struct series *s)
{
    if (!s)
        return;
    free(s->pl);
    free(s->current);
    free(s->buf[0]);
    free(s->buf[1]);
    free(s);
}

struct series *series_open(const char *dir, const char *name, const struct trace *t,
                           char *err, size_t errlen)
{
    int num_ops = t->num_ops, num_ids = t->num_ids;
    struct series *s = calloc(1, sizeof *s);
    if (!s || !(s->current = malloc(((size_t)num_ids + 1) * sizeof *s->current)) ||
        !(s->pl = malloc(((size_t)num_ops + 1) * sizeof *s->pl)) ||
        !(s->buf[0] = malloc(SERIES_BUFFER)) || !(s->buf[1] = malloc(SERIES_BUFFER))) {
        snprintf(err, errlen, "--series: out of memory");
        series_free(s);
        return NULL;
    }
    s->cap = (size_t)num_ops + 1;
    for (int i = 0; i <= num_ids; i++)
        s->current[i] = -1;
    s->t = t;
    s->num_ops = num_ops;
    s->window = num_ops > SERIES_MAX_ROWS ? (num_ops + SERIES_MAX_ROWS - 1) / SERIES_MAX_ROWS : 1;
    s->lowest = UINTPTR_MAX;
    s->ops = open_tsv(dir, name, "series", OPS_HEADER, s->buf[0], err, errlen);
    if (s->ops)
        s->blocks = open_tsv(dir, name, "blocks", BLOCKS_HEADER, s->buf[1], err, errlen);
    if (!s->ops || !s->blocks) {
        if (s->ops)
            fclose(s->ops);
        series_free(s);
        return NULL;
    }
    return s;
}

void series_op(struct series *s, int op, size_t live_payload, size_t heap_size)
{
    if (live_payload > s->max_payload)
        s->max_payload = live_payload;
    if (heap_size > s->max_heap)
        s->max_heap = heap_size;
    if (++s->in_window < s->window && op != s->num_ops - 1)
        return;
    fprintf(s->ops, "%d\t%zu\t%zu\n", op, s->max_payload, s->max_heap);
    s->in_window = 0;
    s->max_payload = s->max_heap = 0;
}

void series_place(struct series *s, int id, int op, uintptr_t addr, size_t size)
{
    if (s->npl == s->cap)
        return; /* cannot happen: an op places at most one block */
    s->pl[s->npl] = (struct placement){.id = id, .start = op, .end = -1, .addr = addr,
                                        .size = size};
    s->current[id] = (long)s->npl++;
    if (addr < s->lowest)
        s->lowest = addr;
}

void series_end(struct series *s, int id, int op)
{
    if (s->current[id] >= 0)
        s->pl[s->current[id]].end = op;
    s->current[id] = -1;
}

int series_close(struct series *s, uintptr_t base)
{
    if (!base)
        base = s->lowest == UINTPTR_MAX ? 0 : s->lowest;
    for (size_t i = 0; i < s->npl; i++) {
        const struct placement *p = &s->pl[i];
        fprintf(s->blocks, "%d\t%d\t%d\t%llu\t%zu\n", trace_file_id(s->t, p->id), p->start,
                p->end < 0 ? s->num_ops : p->end, (unsigned long long)(p->addr - base), p->size);
    }
    int bad = ferror(s->ops) | ferror(s->blocks);
    bad |= fclose(s->ops) | fclose(s->blocks);
    series_free(s);
    return bad ? -1 : 0;
}

/* One file of a failed run: its header, then why, on one line. */
static void write_failed(const char *dir, const char *name, const char *kind, const char *header,
                         const char *why)
{
    FILE *f = open_tsv(dir, name, kind, header, NULL, NULL, 0); /* stdio's buffer */
    if (!f)
        return;
    fputs(SERIES_FAILED, f);
    for (const char *c = why; *c; c++)
        fputc(*c == '\n' || *c == '\r' ? ' ' : *c, f);
    fputc('\n', f);
    fclose(f);
}

void series_failed(const char *dir, const char *name, const char *why)
{
    write_failed(dir, name, "series", OPS_HEADER, why);
    write_failed(dir, name, "blocks", BLOCKS_HEADER, why);
}
