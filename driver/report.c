/* driver/report.c: totals, and the outputs: the classic table (-v), the summary, -g, -A, -T,
 * --json and --csv. Everything goes to stdout, which only the driver writes: allocators run in
 * child processes whose stdout is captured. */
#include "driver/report.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "driver/stats.h"

#define PCT_LEN 16 /* "100.0%" and then some */
#define NAME_WIDTH 20 /* the table's trace column, as in the original driver */
#define ASCII_DEL 0x7f


static void raw_totals(struct alloc_run *ar, int ntraces)
{
    struct totals *t = &ar->tot;
    memset(t, 0, sizeof *t);
    double util = 0, bound = 0;
    int timed_all = 1;
    for (int i = 0; i < ntraces; i++) {
        const struct result *r = &ar->res[i];
        bound += r->bound;
        if (!r->valid)
            continue;
        t->correct++;
        timed_all &= r->timed;
        if (r->util_known) {
            util += r->util;
            t->util_n++;
        }
        if (r->timed) {
            t->ops += r->ops;
            t->secs += r->secs;
        }
    }
    t->all_valid = t->correct == ntraces;
    if (!t->all_valid)
        t->util_n = 0; /* the mean over traces, as SPEC has it, is unknown: not that of the rest */
    t->avg_util = t->util_n ? util / t->util_n : 0.0;
    t->avg_bound = ntraces ? bound / ntraces : 0.0;
    t->kops = kops_of(t->ops, t->secs);
    t->timed = timed_all;
    t->perfidx = timed_all ? 0.0 : -1.0;
}

void report_totals(struct run *run)
{
    for (int a = 0; a < run->nalloc; a++)
        raw_totals(&run->alloc[a], run->ntraces);
    if (!run->thru_ref_kops)
        for (int a = 0; a < run->nalloc; a++)
            if (!strcmp(run->alloc[a].name, REF_NAME) && run->alloc[a].tot.kops > 0) {
                run->thru_ref_kops = run->alloc[a].tot.kops;
                run->thru_ref_from = REF_NAME " (measured in this run)";
            }
    for (int a = 0; a < run->nalloc; a++) {
        struct totals *t = &run->alloc[a].tot;
        /* no score without a utilization, nor for a run that verified nothing (--no-check) */
        if ((t->all_valid && !t->util_n) || run->o->no_check)
            t->perfidx = -1.0;
        if (t->perfidx < 0 || !t->all_valid || !run->thru_ref_kops)
            continue;
        t->perfidx = perf_index(t->avg_util, t->kops, run->thru_ref_kops);
    }
}

/* ---- the classic table ---- */

static void pct(char *buf, size_t n, int known, double v)
{
    if (known)
        snprintf(buf, n, "%.1f%%", v * PERCENT);
    else
        snprintf(buf, n, "-");
}

/* A string from outside the driver (a team record, a trace's file name) in a line of the plain
 * report, every control character shown as '?': a line break in it would start a line of the
 * report that the driver never wrote. */
static void line_text(const char *s)
{
    for (; *s; s++)
        putchar(iscntrl((unsigned char)*s) ? '?' : *s);
}

/* A failed trace's line: its error names the trace, whose file name may hold a line break. */
static void error_line(const char *error)
{
    printf("ERROR: ");
    line_text(error);
    printf("\n");
}

/* A trace's name as the table's first column: line_text, padded to NAME_WIDTH. */
static void name_cell(const char *name)
{
    line_text(name);
    for (size_t n = strlen(name); n < NAME_WIDTH; n++)
        putchar(' ');
}

static void table(const struct run *run, const struct alloc_run *ar)
{
    printf("\nResults for %s malloc:\n", ar->name);
    printf("%-20s %5s %7s %7s %9s %10s %10s\n", "trace", "valid", "util", "bound", "ops", "secs",
           "Kops");
    for (int i = 0; i < run->ntraces; i++) {
        const struct result *r = &ar->res[i];
        char util[PCT_LEN], bound[PCT_LEN];
        pct(util, sizeof util, r->valid && r->util_known, r->util);
        pct(bound, sizeof bound, 1, r->bound);
        name_cell(run->traces[i].name);
        if (r->valid && r->timed)
            printf(" %5s %7s %7s %9d %10.6f %10.0f\n", "yes", util, bound, r->ops, r->secs,
                   r->kops);
        else
            printf(" %5s %7s %7s %9d %10s %10s\n", r->valid ? "yes" : "no", util, bound, r->ops,
                   "-", "-");
    }
    const struct totals *t = &ar->tot;
    char util[PCT_LEN], bound[PCT_LEN];
    pct(util, sizeof util, t->util_n > 0, t->avg_util);
    pct(bound, sizeof bound, 1, t->avg_bound);
    if (t->secs > 0)
        printf("%-20s %5s %7s %7s %9ld %10.6f %10.0f\n", "Total", "", util, bound, t->ops,
               t->secs, t->kops);
    else
        printf("%-20s %5s %7s %7s %9s %10s %10s\n", "Total", "", util, bound, "-", "-", "-");
    for (int i = 0; i < run->ntraces; i++)
        if (!ar->res[i].valid)
            error_line(ar->res[i].error);
}

static void summary(const struct run *run, const struct alloc_run *ar)
{
    const struct totals *t = &ar->tot;
    if (!t->all_valid) {
        printf("%s: terminated with %d error%s (%d of %d traces correct)\n", ar->name,
               run->ntraces - t->correct, run->ntraces - t->correct == 1 ? "" : "s", t->correct,
               run->ntraces);
        return;
    }
    if (run->o->no_check) {
        char util[PCT_LEN];
        pct(util, sizeof util, t->util_n > 0, t->avg_util);
        printf("%s: ran all %d traces to their end, nothing checked (--no-check), so no perf "
               "index: %.0f Kops/s, util %s\n", ar->name, run->ntraces, t->kops, util);
        return;
    }
    if (!t->timed) {
        char util[PCT_LEN];
        pct(util, sizeof util, t->util_n > 0, t->avg_util);
        printf("%s: all %d traces correct (correctness only: no timing); average util %s\n",
               ar->name, run->ntraces, util);
        return;
    }
    if (!t->ops) {
        printf("%s: all traces correct; they have no ops to time, so no throughput and no perf "
               "index\n", ar->name);
        return;
    }
    if (!run->thru_ref_kops) {
        printf("%s: all traces correct; no throughput reference (libc failed?), no perf index\n",
               ar->name);
        return;
    }
    if (!t->util_n) {
        printf("%s: all traces correct, %.0f Kops/s; its footprint is unknown, so are its "
               "utilization and perf index\n", ar->name, t->kops);
        return;
    }
    double thru = t->kops < run->thru_ref_kops ? t->kops / run->thru_ref_kops : 1.0;
    char util[PCT_LEN];
    pct(util, sizeof util, t->util_n > 0, t->avg_util);
    printf("%s: Perf index = %.1f (util) + %.1f (thru) = %.1f/100\n", ar->name,
           PERCENT * UTIL_WEIGHT * t->avg_util, PERCENT * (1 - UTIL_WEIGHT) * thru, t->perfidx);
    printf("    util %s (bound %.1f%%), %.0f Kops/s vs reference %.0f Kops/s from %s\n", util,
           t->avg_bound * PERCENT, t->kops, run->thru_ref_kops, run->thru_ref_from);
}

static int given(const char *s)
{
    return s && *s;
}

static void member(int n, const char *name, const char *id)
{
    if (!given(name))
        return;
    printf("Member %d: ", n);
    line_text(name);
    if (given(id)) {
        printf(" <");
        line_text(id);
        printf(">");
    }
    printf("\n");
}

static void team_record(const struct run *run)
{
    const team_t *tm = run->team;
    if (!tm)
        return;
    if (given(tm->teamname)) {
        printf("Team: ");
        line_text(tm->teamname);
        printf("\n");
    }
    member(1, tm->name1, tm->id1);
    member(2, tm->name2, tm->id2);
}

static void text(const struct run *run)
{
    team_record(run);
    for (int a = 0; a < run->nalloc; a++)
        if (run->alloc[a].shown && run->o->verbose)
            table(run, &run->alloc[a]);
    if (run->o->verbose)
        printf("\n");
    for (int a = 0; a < run->nalloc; a++)
        if (run->alloc[a].shown) {
            if (!run->o->verbose)
                for (int i = 0; i < run->ntraces; i++)
                    if (!run->alloc[a].res[i].valid)
                        error_line(run->alloc[a].res[i].error);
            summary(run, &run->alloc[a]);
        }
}

/* ---- machine formats ---- */

#define UTF8_CONT_LO 0x80 /* continuation bytes: 10xxxxxx */
#define UTF8_CONT_HI 0xbf
#define SURROGATE_ESCAPE 0xdc00

/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong form, surrogate or
 * code point above U+10FFFF), or 0. */
static int utf8_length(const unsigned char *s)
{
    unsigned char c = s[0], lo = UTF8_CONT_LO, hi = UTF8_CONT_HI;
    int n = c >= 0xc2 && c <= 0xdf   ? 2
            : c >= 0xe0 && c <= 0xef ? 3
            : c >= 0xf0 && c <= 0xf4 ? 4
                                     : 0;
    if (c == 0xe0)
        lo = 0xa0; /* overlong below */
    else if (c == 0xed)
        hi = 0x9f; /* surrogates above */
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f;
    if (n == 0 || s[1] < lo || s[1] > hi)
        return 0;
    for (int i = 2; i < n; i++)
        if (s[i] < UTF8_CONT_LO || s[i] > UTF8_CONT_HI)
            return 0;
    return n;
}

/* A JSON string (UTF-8 text). File names are bytes: UTF-8 in them is written as it is; any other
 * byte from 0x80 up as the lone surrogate \udcXX, as Python's os.fsdecode reads it, so that a
 * tool opens the file by the name it reads back. */
static void json_string(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    putchar('"');
    while (*s) {
        int n = *s >= UTF8_CONT_LO ? utf8_length(s) : 1;
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if (*s < ' ' || *s == ASCII_DEL)
            printf("\\u%04x", *s);
        else if (n == 0)
            printf("\\u%04x", SURROGATE_ESCAPE | *s);
        else
            fwrite(s, 1, (size_t)n, stdout);
        s += n ? n : 1;
    }
    putchar('"');
}

/* A JSON number that reads back as a float ("625.0", not "625"), or null. */
static void json_number(int known, double v)
{
    if (!known || !isfinite(v)) {
        printf("null");
        return;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.6g", v);
    printf("%s%s", buf, strpbrk(buf, ".e") ? "" : ".0");
}

static void json_error(const struct result *r)
{
    if (r->valid)
        printf("null");
    else
        json_string(r->error);
}

static void json_peer(const struct result *r)
{
    printf("{\"valid\": %s, \"util\": ", r->valid ? "true" : "false");
    json_number(r->valid && r->util_known, r->util);
    printf(", \"kops\": ");
    json_number(r->valid && r->timed, r->kops);
    printf(", \"secs\": ");
    json_number(r->valid && r->timed, r->secs);
    printf(", \"check_secs\": ");
    json_number(r->valid, r->check_secs);
    printf(", \"error\": ");
    json_error(r);
    printf("}");
}

static void json_trace(const struct run *run, int i)
{
    const struct result *r = &run->alloc[0].res[i];
    printf("{\"name\": ");
    json_string(run->traces[i].name);
    printf(", \"file\": ");
    json_string(run->traces[i].file);
    printf(", \"valid\": %s, \"error\": ", r->valid ? "true" : "false");
    json_error(r);
    printf(", \"ops\": %d, \"util\": ", r->ops);
    json_number(r->valid && r->util_known, r->util);
    printf(", \"bound\": ");
    json_number(1, r->bound);
    printf(", \"secs\": ");
    json_number(r->valid && r->timed, r->secs);
    printf(", \"kops\": ");
    json_number(r->valid && r->timed, r->kops);
    printf(", \"peak_payload\": %zu, \"peak_heap\": %zu, \"check_secs\": ", r->peak_payload,
           r->peak_heap);
    json_number(r->valid, r->check_secs);
    int peers = 0;
    for (int a = 1; a < run->nalloc; a++)
        if (run->alloc[a].shown) {
            printf(peers++ ? ", " : ", \"vs\": {");
            json_string(run->alloc[a].name);
            printf(": ");
            json_peer(&run->alloc[a].res[i]);
        }
    printf("%s}", peers ? "}" : "");
}

static void json(const struct run *run)
{
    const struct totals *t = &run->alloc[0].tot;
    printf("{\"allocator\": ");
    json_string(run->alloc[0].name);
    printf(", \"alignment\": %d, \"traces\": [", ALIGNMENT);
    for (int i = 0; i < run->ntraces; i++) {
        printf(i ? ", " : "");
        json_trace(run, i);
    }
    printf("], \"total\": {\"valid\": %s, \"util\": ", t->all_valid ? "true" : "false");
    json_number(t->util_n > 0, t->avg_util);
    printf(", \"kops\": ");
    json_number(t->secs > 0, t->kops);
    printf(", \"perfidx\": ");
    json_number(t->perfidx >= 0 && run->thru_ref_kops, t->perfidx);
    printf("}");
    int peers = 0;
    for (int a = 1; a < run->nalloc; a++)
        if (run->alloc[a].shown) {
            const struct totals *p = &run->alloc[a].tot;
            printf(peers++ ? ", " : ", \"vs\": {");
            json_string(run->alloc[a].name);
            printf(": {\"kops\": ");
            json_number(p->secs > 0, p->kops);
            printf(", \"util\": ");
            json_number(p->util_n > 0, p->avg_util);
            printf(", \"valid\": %s}", p->all_valid ? "true" : "false");
        }
    printf("%s, \"thru_ref_kops\": ", peers ? "}" : "");
    json_number(run->thru_ref_kops > 0, run->thru_ref_kops);
    printf("}\n");
}

/* CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
static void csv_field(const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        printf("%s", s);
        return;
    }
    putchar('"');
    for (; *s; s++)
        printf(*s == '"' ? "\"\"" : "%c", *s);
    putchar('"');
}

#define OPS_UNKNOWN (-1L)

/* The figures of a --csv or -T row, split by sep: util, bound, ops, secs, kops; a figure that
 * is unknown (a failed trace, a real allocator's util, no timing; ops OPS_UNKNOWN: a total
 * with nothing timed) is an empty field. */
static void figures(char sep, int util_known, double util, double bound, long ops, int timed,
                    double secs, double kops)
{
    if (util_known)
        printf("%.6f", util);
    printf("%c%.6f%c", sep, bound, sep);
    if (ops != OPS_UNKNOWN)
        printf("%ld", ops);
    putchar(sep);
    if (timed)
        printf("%.9f%c%.3f", secs, sep, kops);
    else
        putchar(sep);
}

static void result_figures(char sep, const struct result *r)
{
    figures(sep, r->valid && r->util_known, r->util, r->bound, r->ops, r->valid && r->timed,
            r->secs, r->kops);
}

static void csv(const struct run *run)
{
    printf("allocator,trace,file,valid,util,bound,ops,secs,kops,peak_payload,peak_heap,error\n");
    for (int a = 0; a < run->nalloc; a++) {
        if (!run->alloc[a].shown)
            continue;
        for (int i = 0; i < run->ntraces; i++) {
            const struct result *r = &run->alloc[a].res[i];
            csv_field(run->alloc[a].name);
            putchar(',');
            csv_field(run->traces[i].name);
            putchar(',');
            csv_field(run->traces[i].file);
            printf(",%d,", r->valid);
            result_figures(',', r);
            printf(",%zu,%zu,", r->peak_payload, r->peak_heap);
            csv_field(r->error);
            putchar('\n');
        }
    }
}

/* -T field: a tab, a line break or a backslash in a name or an error is written as \t, \n, \r
 * or \\, so that a line is a row and a tab ends a field. */
static void tsv_field(const char *s)
{
    for (; *s; s++) {
        const char *esc = *s == '\t' ? "\\t" : *s == '\n' ? "\\n" : *s == '\r' ? "\\r" :
                          *s == '\\' ? "\\\\" : NULL;
        if (esc)
            fputs(esc, stdout);
        else
            putchar(*s);
    }
}

/* -T: a header, a line per trace and allocator, and a TOTAL line per allocator. */
static void tsv(const struct run *run)
{
    printf("allocator\ttrace\tvalid\tutil\tbound\tops\tsecs\tkops\tperfidx\terror\n");
    for (int a = 0; a < run->nalloc; a++) {
        const struct alloc_run *ar = &run->alloc[a];
        if (!ar->shown)
            continue;
        for (int i = 0; i < run->ntraces; i++) {
            const struct result *r = &ar->res[i];
            printf("%s\t", ar->name);
            tsv_field(run->traces[i].name);
            printf("\t%s\t", r->valid ? "yes" : "no");
            result_figures('\t', r);
            printf("\t\t");
            tsv_field(r->error);
            putchar('\n');
        }
        const struct totals *t = &ar->tot;
        printf("%s\tTOTAL\t%s\t", ar->name, t->all_valid ? "yes" : "no");
        /* the total's ops are the timed ones (kops is ops over secs): none when nothing was */
        figures('\t', t->util_n > 0, t->avg_util, t->avg_bound, t->secs > 0 ? t->ops : OPS_UNKNOWN,
                t->secs > 0, t->secs, t->kops);
        printf("\t");
        if (t->perfidx >= 0 && run->thru_ref_kops)
            printf("%.1f", t->perfidx);
        printf("\t\n");
    }
}

static double score(const struct run *run)
{
    const struct totals *t = &run->alloc[0].tot;
    return t->perfidx > 0 && run->thru_ref_kops ? t->perfidx : 0.0;
}

void report_print(const struct run *run)
{
    const struct options *o = run->o;
    const struct totals *t = &run->alloc[0].tot;
    if (o->grade) {
        printf("correct:%d\nperfidx:%.0f\n", t->correct, score(run));
    } else if (o->autolab) {
        printf("{\"scores\": {\"Autograded Score\": %.1f}, \"scoreboard\": [%.1f, %.1f, %.0f]}\n",
               score(run), score(run), t->avg_util * PERCENT, t->kops);
    } else if (o->json) {
        json(run);
    } else if (o->csv) {
        csv(run);
    } else if (o->tsv) {
        tsv(run);
    } else {
        text(run);
    }
    fflush(stdout);
}

void report_start(const struct run *run)
{
    long ops = 0;
    for (int i = 0; i < run->ntraces; i++)
        ops += run->traces[i].num_ops;
    fprintf(stderr, "mdriver: %d trace%s read (%ld ops); running", run->ntraces,
            run->ntraces == 1 ? "" : "s", ops);
    for (int a = 0; a < run->nalloc; a++)
        fprintf(stderr, "%s %s%s", a ? "," : "", run->alloc[a].name,
                run->alloc[a].shown ? "" : " (the throughput reference)");
    fprintf(stderr, "\n");
}

void report_progress(const struct run *run, int trace, int alloc)
{
    const struct result *r = &run->alloc[alloc].res[trace];
    fprintf(stderr, "mdriver: [%d/%d] %s (%d ops) with %s: %s", trace + 1, run->ntraces,
            run->traces[trace].name, run->traces[trace].num_ops, run->alloc[alloc].name,
            r->valid ? "ok" : "FAILED");
    if (r->valid && r->timed)
        fprintf(stderr, ", %.0f Kops/s", r->kops);
    if (r->valid && r->util_known)
        fprintf(stderr, ", util %.1f%%", r->util * PERCENT);
    fprintf(stderr, "\n");
}
