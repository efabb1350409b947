/* socket.c: tries to open a TCP connection (to a port the test listens on) from mm_init,
 * and sends what it can; then allocates correctly. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdint.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

static void *bump(size_t size)
{
    size_t total = (size + 31) / 16 * 16;
    char *p = mem_sbrk((intptr_t)total);
    if (p == (void *)-1)
        return NULL;
    *(size_t *)p = size;
    return p + 16;
}

void *mm_malloc(size_t size) { return bump(size); }

void *mm_realloc(void *ptr, size_t size)
{
    void *q = bump(size);
    if (q && ptr) {
        size_t old = *(size_t *)((char *)ptr - 16);
        memcpy(q, ptr, old < size ? old : size);
    }
    return q;
}

#define PORT 47811

int mm_init(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0)
        return 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(PORT)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(s, (struct sockaddr *)&a, sizeof a) == 0)
        send(s, "leak\n", 5, 0);
    close(s);
    return 0;
}

void mm_free(void *ptr) { (void)ptr; }
