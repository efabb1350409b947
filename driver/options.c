/* driver/options.c: parses mdriver's flags: the original lab's, the CMU lab's, and the long
 * ones of this project. */
#include "driver/options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "driver/allocator.h"
#include "driver/replay.h"

#define KIB 1024ULL
/* --max-heap bounds: at least a page; at most what a 47-bit address space can reserve. */
#define MIN_MAX_HEAP 4096ULL
#define MAX_MAX_HEAP (1ULL << 46)
#define EXIT_USAGE 2
#define MAX_VERBOSE 2 /* -V */
#define OPT_NAME_LEN 32
#define ERR_LEN 1024
#define NEW_DIR_MODE 0777 /* --series DIR, less the umask, as mkdir(1) makes it */

enum {
    OPT_JSON = 256,
    OPT_CSV,
    OPT_VS,
    OPT_SERIES,
    OPT_MAX_HEAP,
    OPT_THRU_REF,
    OPT_NO_CHECK,
    OPT_HELP
};

static const char usage_text[] =
    "Usage: mdriver [options]\n"
    "Replays malloc trace files against the allocator built into mdriver (MM=..., default mm.c),\n"
    "checks every answer and scores utilization and throughput.\n"
    "\n"
    "Traces (default: the project's suite, traces/ beside mdriver):\n"
    "  -f FILE        replay FILE (.rep, or .rep.xz read through xz); repeatable\n"
    "  -t DIR         replay DIR's traces: the original lab's 11 default traces in their order\n"
    "                 when DIR holds them, else every *.rep and *.rep.xz (as the shell\n"
    "                 matches them: no dot file) sorted by name\n"
    "  -c FILE        replay FILE with every check and no timing (the whole run is then\n"
    "                 correctness only, so -g and -A, which print a score, refuse it);\n"
    "                 repeatable\n"
    "Output:\n"
    "  -v             per-trace table (trace, valid, util, bound, ops, secs, Kops)\n"
    "  -v N, -vN      verbosity, as in the CMU driver: 0 = the summary only (as without\n"
    "                 -v), 1 = -v, 2 = -V\n"
    "  -V             -v, plus a progress line per trace and allocator on stderr, and\n"
    "                 every 5 s of a long one, the pass and op it is at\n"
    "  -l             also run glibc malloc (libc) and report it (its table under -v)\n"
    "  -g             print `correct:N` and `perfidx:N` (autograder lines) only\n"
    "  -A             print one Autolab JSON line only\n"
    "  -T             tab-separated: a line per trace and allocator, a TOTAL line each\n"
    "  --json         one JSON object (SPEC's schema)\n"
    "  --csv          CSV, one row per trace and allocator\n"
    "  --vs LIST      also run these allocators (comma-separated: naive, implicit, libc,\n"
    "                 jemalloc, mimalloc, tcmalloc) and compare\n"
    "  --series DIR   write time series (NAME.series.tsv, NAME.blocks.tsv) into DIR (made\n"
    "                 when missing; its parent must exist) for plots\n"
    "Checking and limits:\n"
    "  -d N           debug level: 0 = placement checks only (alignment, heap range, overlap,\n"
    "                 NULL, calloc's zeroing); 1 = also payload contents (default); 2 = also\n"
    "                 the heap checker and every live payload before every op (slow;\n"
    "                 past 256 KiB live, payloads before about one op in live/256 KiB, a\n"
    "                 corruption then pinned to its op by a second replay)\n"
    "  -D             same as -d 2\n"
    "  -s SECS        timeout: a replay taking longer counts as a hang (default %d)\n"
    "  --max-heap N   simulated heap's maximum, bytes, with optional K, M, G or T (default\n"
    "                 %zuM); a trace's sizes stay within config.h's MAX_HEAP whatever N is\n"
    "  --thru-ref K   throughput reference for the perf index, in Kops/s (default: glibc's\n"
    "                 throughput, measured on the same traces in the same run)\n"
    "  --no-check     skip the correctness pass: its place is taken by a plain replay, timed\n"
    "                 like it (check_secs in --json), so that the cost of the checks can be\n"
    "                 measured (tools/bench-driver); nothing is verified; not with -c,\n"
    "                 --series, -d 0, -d 2, -D, -g or -A\n"
    "  -a             accepted for compatibility (the original driver's team check switch)\n"
    "  -h, --help     this text\n"
    "\n"
    "Exit status: 0 every trace correct; 1 some trace incorrect or the allocator failed;\n"
    "2 usage or trace-file error, or a report that could not be written to stdout.\n";

static void usage(FILE *f)
{
    fprintf(f, usage_text, DEFAULT_TIMEOUT_SECS, (size_t)(MAX_HEAP / KIB / KIB));
}

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "mdriver: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry `mdriver --help'.\n");
    return EXIT_USAGE;
}

/* BYTES with an optional K, M, G or T (powers of 1024). */
static int parse_bytes(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || *s == '-')
        return -1;
    unsigned long long mult = 1;
    if (*end) {
        const char *units = "KMGT";
        const char *u = strchr(units, *end & ~0x20);
        if (!u || end[1])
            return -1;
        for (const char *k = units; k <= u; k++)
            mult *= KIB;
    }
    if (v > MAX_MAX_HEAP / mult || v * mult < MIN_MAX_HEAP)
        return -1;
    *out = (size_t)(v * mult);
    return 0;
}

static int parse_positive(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v > 0) || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int add_vs(struct options *o, char *list)
{
    char *save, *name = strtok_r(list, ",", &save);
    if (!name)
        return bad("--vs: %s", "no allocator named (a list such as libc,jemalloc)");
    for (; name; name = strtok_r(NULL, ",", &save)) {
        int dup = !strcmp(name, "mm");
        for (int i = 0; i < o->nvs; i++)
            dup |= !strcmp(o->vs[i], name);
        if (dup)
            continue;
        char err[ERR_LEN];
        if (!allocator_known(name, err, sizeof err))
            return bad("--vs: %s", err);
        if (o->nvs == MAX_VS) {
            char max[OPT_NAME_LEN];
            snprintf(max, sizeof max, "%d", MAX_VS);
            return bad("--vs: at most %s allocators", max);
        }
        o->vs[o->nvs++] = name;
    }
    return 0;
}

/* --series DIR must be there to be written in: found now, not after the first trace's run. A
 * missing DIR is made, as plot and grade make their output folders; its parent must exist, so
 * that a mistyped path is told rather than built. */
static int series_dir(struct options *o, const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0 && (mkdir(dir, NEW_DIR_MODE) != 0 || stat(dir, &st) != 0)) {
        char why[ERR_LEN];
        snprintf(why, sizeof why, "%s: cannot create it: %s", dir, strerror(errno));
        return bad("--series: %s", why);
    }
    if (!S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) != 0)
        return bad("--series: %s is not a directory mdriver can write in", dir);
    o->series_dir = dir;
    return 0;
}

static int add_dir(struct options *o, const char *dir)
{
    char err[ERR_LEN];
    if (suite_from_dir(dir, &o->traces, err, sizeof err) != 0)
        return bad("-t: %s", err);
    return 0;
}

static const struct option long_opts[] = {
    {"json", no_argument, 0, OPT_JSON},
    {"csv", no_argument, 0, OPT_CSV},
    {"vs", required_argument, 0, OPT_VS},
    {"series", required_argument, 0, OPT_SERIES},
    {"max-heap", required_argument, 0, OPT_MAX_HEAP},
    {"thru-ref", required_argument, 0, OPT_THRU_REF},
    {"no-check", no_argument, 0, OPT_NO_CHECK},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0},
};

static int set(int *flag)
{
    *flag = 1;
    return 0;
}

/* -v alone (the original driver) raises the verbosity to 1; -v followed by a number (the CMU
 * driver's -v N) sets it, the number being taken from the next word. */
static int verbosity(struct options *o, char **argv)
{
    const char *next = argv[optind];
    if (!next || !isdigit((unsigned char)next[0])) {
        o->verbose = o->verbose > 1 ? o->verbose : 1;
        return 0;
    }
    optind++;
    if (strlen(next) != 1 || next[0] > '0' + MAX_VERBOSE)
        return bad("-v: verbosity must be 0, 1 or 2, not '%s'", next);
    o->verbose = next[0] - '0';
    return 0;
}

static int parse_one(int c, char *arg, char **argv, struct options *o)
{
    switch (c) {
    case 'f':
    case 'c':
        o->correctness_only |= c == 'c';
        return pathlist_add(&o->traces, arg) ? bad("out of memory%s", "") : 0;
    case 't':
        return add_dir(o, arg);
    case 'v':
        return verbosity(o, argv);
    case 'V':
        o->verbose = 2;
        return 0;
    case 'l':
        return set(&o->with_libc);
    case 'g':
        return set(&o->grade);
    case 'A':
        return set(&o->autolab);
    case 'T':
        return set(&o->tsv);
    case 'a':
        return 0;
    case 'd':
        if (strlen(arg) != 1 || arg[0] < '0' + LEVEL_MINIMAL || arg[0] > '0' + LEVEL_FULL)
            return bad("-d: debug level must be 0, 1 or 2, not '%s'", arg);
        o->level = arg[0] - '0';
        return 0;
    case 'D':
        o->level = LEVEL_FULL;
        return 0;
    case 's':
        return parse_positive(arg, &o->timeout) ? bad("-s: '%s' is not a positive number of "
                                                      "seconds", arg) : 0;
    case OPT_JSON:
        return set(&o->json);
    case OPT_CSV:
        return set(&o->csv);
    case OPT_VS:
        return add_vs(o, arg);
    case OPT_NO_CHECK:
        return set(&o->no_check);
    case OPT_SERIES:
        return series_dir(o, arg);
    case OPT_MAX_HEAP:
        return parse_bytes(arg, &o->max_heap) ? bad("--max-heap: '%s' is not a size from 4K to "
                                                    "64T (bytes, or with K, M, G, T)", arg) : 0;
    case OPT_THRU_REF:
        return parse_positive(arg, &o->thru_ref_kops) ? bad("--thru-ref: '%s' is not a positive "
                                                            "Kops/s figure", arg) : 0;
    case 'h':
    case OPT_HELP:
        usage(stdout);
        return 1;
    default: /* every option of long_opts and the short list has its case */
        return bad("option %s is not handled", "?");
    }
}

/* How the user wrote option c: "-f" or "--vs". */
static const char *option_name(int c, char *buf, size_t n)
{
    for (const struct option *l = long_opts; l->name; l++)
        if (l->val == c) {
            snprintf(buf, n, "--%s", l->name);
            return buf;
        }
    snprintf(buf, n, "-%c", c);
    return buf;
}

/* getopt's '?' (unknown option, or an argument given to a long option without one) and ':'
 * (missing argument), told in mdriver's words rather than getopt's. */
static int getopt_error(int c, char **argv)
{
    char name[OPT_NAME_LEN];
    if (c == ':')
        return bad("%s needs an argument", option_name(optopt, name, sizeof name));
    if (optopt >= OPT_JSON)
        return bad("%s takes no argument", option_name(optopt, name, sizeof name));
    if (optopt)
        return bad("unknown option '%s'", option_name(optopt, name, sizeof name));
    return bad("unknown or ambiguous option '%s'", argv[optind - 1]);
}

#define SHORT_OPTS ":f:t:c:vVlgATad:Ds:h"
#define FLAG_LETTERS "vVlgATaDh" /* the short options that take no argument */

/* Where the digits of an attached verbosity start in word w ("-v2", or grouped as "-lv2"), or 0:
 * only flags without an argument may come before the v ("-fv2.rep" names a file). */
static size_t attached_verbosity(const char *w)
{
    if (w[0] != '-' || w[1] == '-')
        return 0;
    for (size_t k = 1; w[k] && strchr(FLAG_LETTERS, w[k]); k++)
        if (w[k] == 'v' && isdigit((unsigned char)w[k + 1]))
            return k + 1;
    return 0;
}

/* The CMU driver's getopt reads "-v2" as -v 2 (and "-lv2" as -l -v 2), but here -v takes no
 * argument of its own (the original driver's -v), so getopt would read "-2" as a flag: such a
 * word is split in two first, "-lv" and "2". The new vector holds argv's words and copies of
 * the split ones' heads (*heads, freed by the caller; options point into them). */
static char **split_attached_verbosity(int *argc, char **argv, char **heads)
{
    size_t bytes = 1;
    for (int i = 0; i < *argc; i++)
        bytes += strlen(argv[i]) + 1;
    char **out = malloc(((size_t)*argc * 2 + 1) * sizeof *out);
    char *head = malloc(bytes); /* each head is shorter than its word */
    if (!out || !head) {
        free(out);
        free(head);
        return argv;
    }
    *heads = head;
    int n = 0, flags = 1;
    for (int i = 0; i < *argc; i++) {
        char *w = argv[i];
        flags &= i == 0 || strcmp(w, "--") != 0;
        out[n++] = w;
        size_t k = i > 0 && flags ? attached_verbosity(w) : 0;
        if (k) {
            out[n - 1] = head;
            head += snprintf(head, k + 1, "%s", w) + 1;
            out[n++] = w + k;
        }
    }
    out[n] = NULL;
    *argc = n;
    return out;
}

/* Every word of argv, flag by flag. */
static int parse_words(int argc, char **argv, struct options *o)
{
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, SHORT_OPTS, long_opts, NULL)) != -1) {
        int rc = c == '?' || c == ':' ? getopt_error(c, argv) : parse_one(c, optarg, argv, o);
        if (rc)
            return rc;
    }
    if (optind < argc)
        return bad("unexpected argument '%s'", argv[optind]);
    return 0;
}

int options_parse(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    o->level = LEVEL_DEFAULT;
    o->timeout = DEFAULT_TIMEOUT_SECS;
    o->max_heap = MAX_HEAP;
    char *heads = NULL;
    char **words = split_attached_verbosity(&argc, argv, &heads);
    int rc = parse_words(argc, words, o);
    if (words != argv)
        free(words);
    free(heads);
    if (rc)
        return rc;
    /* --no-check skips every check: a run that asks for some (-d 0, -d 2, -D) would pass unsaid */
    if (o->no_check && (o->correctness_only || o->series_dir || o->level != LEVEL_DEFAULT))
        return bad("--no-check cannot go with -c, --series, -d 0, -d 2 or -D%s", "");
    if (o->json + o->csv + o->tsv + o->grade + o->autolab > 1)
        return bad("choose one output format among -g, -A, -T, --json, --csv%s", "");
    /* -g and -A print a score, which a run that verifies nothing has not earned */
    if (o->no_check && (o->grade || o->autolab))
        return bad("--no-check verifies nothing, so there is no score for %s to print",
                   o->grade ? "-g" : "-A");
    /* -g and -A print a score, and a run without timing has none: a 0 would be a false one. */
    if (o->correctness_only && (o->grade || o->autolab))
        return bad("-c runs correctness only, so there is no perf index for %s to print: "
                   "use -f", o->grade ? "-g" : "-A");
    return 0;
}

void options_free(struct options *o)
{
    pathlist_free(&o->traces);
}
