/*
 * core/arena.c — bump allocator with cleanups; see arena.h.
 *
 * Memory comes in blocks: the first is 16 KiB and lives inside the arena itself, later ones
 * are 64 KiB, and an allocation over 32 KiB gets a block of its own. One released arena per thread is kept for reuse.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define FIRST_BLOCK 16384
#define NEXT_BLOCK 65536
#define ALIGN 16

struct block {
    struct block *next;
    size_t size, used;
    _Alignas(ALIGN) unsigned char data[]; /* so that data + used (a multiple of ALIGN) is too */
};

struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *data;
};

struct arena {
    struct block *head;      /* current block, with older ones chained behind */
    struct cleanup *cleanups;
    struct block first;      /* must be last: its data follows the struct */
};

static _Thread_local struct arena *spare;
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

/* Thread exit: the thread's spare arena goes with it. */
static void free_spare(void *unused)
{
    (void)unused;
    free(spare);
    spare = NULL;
}

static void make_spare_key(void) { pthread_key_create(&spare_key, free_spare); }

/* Keeps a as this thread's spare, arranging once per thread for it to be freed at exit. */
static void keep_spare(struct arena *a)
{
    pthread_once(&spare_once, make_spare_key);
    if (!pthread_getspecific(spare_key))
        pthread_setspecific(spare_key, a); /* any non-NULL value makes the destructor run */
    spare = a;
}

static void *xmalloc(size_t size)
{
    void *p = malloc(size);
    if (!p) {
        fprintf(stderr, "minzheng: out of memory allocating %zu bytes\n", size);
        abort();
    }
    return p;
}

struct arena *arena_new(void)
{
    struct arena *a = spare;
    if (a) {
        spare = NULL;
        return a;
    }
    a = xmalloc(sizeof *a + FIRST_BLOCK);
    a->cleanups = NULL;
    a->first.next = NULL;
    a->first.size = FIRST_BLOCK;
    a->first.used = 0;
    a->head = &a->first;
    return a;
}

void arena_free(struct arena *a)
{
    if (!a)
        return;
    for (struct cleanup *c = a->cleanups; c; c = c->next)
        c->fn(c->data);
    a->cleanups = NULL;
    for (struct block *b = a->head, *next; b; b = next) {
        next = b->next;
        if (b != &a->first)
            free(b);
    }
    a->head = &a->first;
    a->first.next = NULL;
    a->first.used = 0;
    if (!spare)
        keep_spare(a);
    else
        free(a);
}

static struct block *block_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(struct block)) {
        fprintf(stderr, "minzheng: allocation of %zu bytes is too large\n", size);
        abort();
    }
    struct block *b = xmalloc(sizeof *b + size);
    b->size = size;
    b->used = 0;
    return b;
}

void *arena_alloc(struct arena *a, size_t size)
{
    if (size > SIZE_MAX - (ALIGN - 1)) {
        fprintf(stderr, "minzheng: allocation of %zu bytes is too large\n", size);
        abort();
    }
    size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    struct block *b = a->head;
    if (b->size - b->used < size) {
        if (size > NEXT_BLOCK / 2) {
            /* A large allocation gets a block of its own, chained behind the current one
             * so that the current block keeps serving small allocations. */
            struct block *big = block_new(size);
            big->used = size;
            big->next = b->next;
            b->next = big;
            return big->data;
        }
        b = block_new(NEXT_BLOCK);
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += size;
    return p;
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        fprintf(stderr, "minzheng: allocation of %zu × %zu bytes overflows\n", n, size);
        abort();
    }
    void *p = arena_alloc(a, n * size);
    memset(p, 0, n * size);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
    char *p = arena_alloc(a, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return arena_strdup(a, "");
    char *p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void arena_on_free(struct arena *a, void (*fn)(void *), void *data)
{
    struct cleanup *c = arena_alloc(a, sizeof *c);
    c->fn = fn;
    c->data = data;
    c->next = a->cleanups;
    a->cleanups = c;
}
