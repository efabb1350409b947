/* Input of rec-cc1-heapsort and rec-clang-heapsort (traces/recorded.mk): a small C program
 * compiled (not run) by cc1 and by clang. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rec {
    char key[24];
    int value;
};

static void sift(struct rec *a, size_t start, size_t end)
{
    size_t root = start;
    while (2 * root + 1 <= end) {
        size_t child = 2 * root + 1, swap = root;
        if (strcmp(a[swap].key, a[child].key) < 0)
            swap = child;
        if (child + 1 <= end && strcmp(a[swap].key, a[child + 1].key) < 0)
            swap = child + 1;
        if (swap == root)
            return;
        struct rec t = a[root];
        a[root] = a[swap];
        a[swap] = t;
        root = swap;
    }
}

static void heapsort_recs(struct rec *a, size_t n)
{
    if (n < 2)
        return;
    for (size_t s = (n - 2) / 2 + 1; s-- > 0;)
        sift(a, s, n - 1);
    for (size_t end = n - 1; end > 0; end--) {
        struct rec t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift(a, 0, end - 1);
    }
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
    struct rec *a = calloc(n, sizeof *a);
    if (!a)
        return 1;
    unsigned x = 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        snprintf(a[i].key, sizeof a[i].key, "k%08x", x);
        a[i].value = (int)i;
    }
    heapsort_recs(a, n);
    for (size_t i = 0; i + 1 < n; i++)
        if (strcmp(a[i].key, a[i + 1].key) > 0)
            return 2;
    printf("%s %d\n", a[0].key, a[0].value);
    free(a);
    return 0;
}
