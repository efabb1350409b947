/* driver/suite.h: which trace files a run replays (-f, -t DIR, or the project's suite). */
#ifndef DRIVER_SUITE_H
#define DRIVER_SUITE_H

#include <stddef.h>

struct pathlist {
    char **path;
    int n, cap;
};

/* Appends a copy of path. Returns 0, or -1 out of memory. */
int pathlist_add(struct pathlist *l, const char *path);
void pathlist_free(struct pathlist *l);

/* -t DIR: the 11 default traces of the original lab, in its order, when DIR holds them all
 * (as .rep or .rep.xz); otherwise every *.rep and *.rep.xz in DIR, sorted by name.
 * Returns 0, or -1 with a message in err. */
int suite_from_dir(const char *dir, struct pathlist *out, char *err, size_t errlen);

/* The project's suite: traces/ beside the mdriver executable. */
int suite_default(struct pathlist *out, char *err, size_t errlen);

#endif
