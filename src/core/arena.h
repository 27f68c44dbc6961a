/*
 * core/arena.h — per-request memory: allocate freely, free everything at once.
 *
 * Each HTTP request (and each CLI command that wants one) owns an arena. arena_alloc() never
 * returns NULL: a real malloc failure is logged and aborts, and per-request caps (body size,
 * page size) keep requests far below that. Resources that are not memory are tied to the
 * arena with arena_on_free(), so an early return cannot leak them (nginx's pool cleanups).
 * Arenas are recycled per thread, so a steady request load does no malloc at all.
 */
#ifndef MZ_ARENA_H
#define MZ_ARENA_H

#include <stddef.h>

struct arena;

/* A fresh (or recycled) arena; never NULL. Free with arena_free(). */
struct arena *arena_new(void);
/* Runs the cleanups in reverse order and releases the memory. NULL is allowed. */
void arena_free(struct arena *a);
/* size bytes aligned for any type; never NULL. */
void *arena_alloc(struct arena *a, size_t size);
/* Zeroed allocation of n elements of size bytes each; never NULL. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
/* Copy of len bytes of s plus a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Calls fn(data) when the arena is freed. */
void arena_on_free(struct arena *a, void (*fn)(void *), void *data);

#endif
