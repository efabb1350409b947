/* driver/suite.c: finds the trace files of a run (see suite.h). */
#include "driver/suite.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The original driver's default trace list, in its order. */
static const char *const classic[] = {
    "amptjp-bal", "cccp-bal",   "cp-decl-bal",  "expr-bal",    "coalescing-bal", "random-bal",
    "random2-bal", "binary-bal", "binary2-bal", "realloc-bal", "realloc2-bal",
};
#define NUM_CLASSIC (sizeof classic / sizeof classic[0])
#define SUITE_DIR "traces"
#define INITIAL_PATHS 16

int pathlist_add(struct pathlist *l, const char *path)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : INITIAL_PATHS;
        char **p = realloc(l->path, (size_t)cap * sizeof *p);
        if (!p)
            return -1;
        l->path = p;
        l->cap = cap;
    }
    if (!(l->path[l->n] = strdup(path)))
        return -1;
    l->n++;
    return 0;
}

void pathlist_free(struct pathlist *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->path[i]);
    free(l->path);
    memset(l, 0, sizeof *l);
}

/* What the shell's `*.rep` and `*.rep.xz` match: not a dot file, such as the lock emacs keeps
 * beside a file being edited (.#NAME.rep, a link to nowhere). */
static int is_trace_name(const char *name)
{
    size_t n = strlen(name);
    if (name[0] == '.')
        return 0;
    return (n > 4 && strcmp(name + n - 4, ".rep") == 0) ||
           (n > 7 && strcmp(name + n - 7, ".rep.xz") == 0);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* dir/name, with one slash however dir ends (`-t traces/` names traces/x.rep in reports). */
static int join(char *buf, size_t n, const char *dir, const char *name)
{
    size_t len = strlen(dir);
    const char *sep = len && dir[len - 1] == '/' ? "" : "/";
    return snprintf(buf, n, "%s%s%s", dir, sep, name) < (int)n ? 0 : -1;
}

/* Path of the classic trace `name` in dir, plain or compressed; -1 when missing. */
static int find_classic(const char *dir, const char *name, char *buf, size_t n)
{
    static const char *const suffixes[] = {".rep", ".rep.xz"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char file[NAME_MAX + 1];
        snprintf(file, sizeof file, "%s%s", name, suffixes[i]);
        if (join(buf, n, dir, file) == 0 && access(buf, R_OK) == 0)
            return 0;
    }
    return -1;
}

static int classic_suite(const char *dir, struct pathlist *out)
{
    char path[PATH_MAX];
    for (size_t i = 0; i < NUM_CLASSIC; i++)
        if (find_classic(dir, classic[i], path, sizeof path) != 0)
            return -1;
    for (size_t i = 0; i < NUM_CLASSIC; i++)
        if (find_classic(dir, classic[i], path, sizeof path) != 0 || pathlist_add(out, path) != 0)
            return -1;
    return 0;
}

/* Whether path, which stat could not follow, is a symbolic link to nowhere (said on stderr). */
static int dangling(const char *path)
{
    struct stat st;
    if (errno != ENOENT || lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
        return 0;
    fprintf(stderr, "mdriver: %s: left out: a symbolic link to a missing file\n", path);
    return 1;
}

/* dir/name for each of names that is a regular file (or a link to one): a FIFO named like a
 * trace would block the driver's open until something wrote to it. A link to nowhere is left
 * out with a warning, as the shell's `*.rep` would hand it to a program that then fails on it. */
static int add_regular_files(const char *dir, const struct pathlist *names, struct pathlist *out,
                             char *err, size_t errlen)
{
    char path[PATH_MAX];
    struct stat st;
    for (int i = 0; i < names->n; i++) {
        if (join(path, sizeof path, dir, names->path[i]) != 0) {
            snprintf(err, errlen, "a trace's path is longer than PATH_MAX (%d bytes): %s/%s",
                     PATH_MAX, dir, names->path[i]); /* the reason first: the path may not fit */
            return -1;
        }
        if (stat(path, &st) == 0 ? !S_ISREG(st.st_mode) : dangling(path))
            continue;
        if (pathlist_add(out, path) != 0) {
            snprintf(err, errlen, "%s: out of memory listing traces", dir);
            return -1;
        }
    }
    return 0;
}

int suite_from_dir(const char *dir, struct pathlist *out, char *err, size_t errlen)
{
    if (classic_suite(dir, out) == 0)
        return 0;
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot open the trace directory: %s", dir, strerror(errno));
        return -1;
    }
    struct pathlist names = {0};
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) && rc == 0)
        if (is_trace_name(e->d_name))
            rc = pathlist_add(&names, e->d_name);
    closedir(d);
    if (rc != 0) {
        pathlist_free(&names);
        snprintf(err, errlen, "%s: out of memory listing traces", dir);
        return -1;
    }
    if (names.n)
        qsort(names.path, (size_t)names.n, sizeof *names.path, by_name);
    rc = add_regular_files(dir, &names, out, err, errlen);
    pathlist_free(&names);
    if (rc == 0 && out->n == 0) {
        snprintf(err, errlen, "%s: no trace files (*.rep, *.rep.xz) in this directory", dir);
        rc = -1;
    }
    return rc;
}

/* The default suite is traces/ beside mdriver: missing means a driver built elsewhere (MDRIVER=),
 * for which -t is the way; empty means the project's traces were removed, which make remakes. */
static void no_default_suite(const char *dir, char *err, size_t errlen)
{
    if (access(dir, F_OK) != 0)
        snprintf(err, errlen, "no trace suite beside this mdriver (%s is missing): give traces "
                 "with -t DIR (the project's suite is its traces/) or -f FILE", dir);
    else
        snprintf(err, errlen, "the project's trace suite %s is empty: run `make traces`, or give "
                 "traces with -t DIR or -f FILE", dir);
}

int suite_default(struct pathlist *out, char *err, size_t errlen)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) {
        snprintf(err, errlen, "cannot find the mdriver executable: %s", strerror(errno));
        return -1;
    }
    exe[n] = '\0';
    char dir[PATH_MAX];
    if (join(dir, sizeof dir, dirname(exe), SUITE_DIR) != 0 ||
        suite_from_dir(dir, out, err, errlen) != 0) {
        no_default_suite(dir, err, errlen);
        return -1;
    }
    return 0;
}
