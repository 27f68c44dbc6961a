/*
 * tests/unit/core/test_arena.c — the per-request bump allocator of core/arena.c.
 *
 * Rules under test (arena.h, arena.c): every allocation is aligned for any type (16 bytes) and
 * never NULL; the first block is 16 KiB, later ones 64 KiB, an allocation over 32 KiB gets a
 * block of its own and the current block keeps serving small ones; cleanups run in reverse
 * order on arena_free (nginx's pool cleanups); a freed arena is recycled per thread. ASan
 * checks that every byte handed out is really there and that nothing leaks.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"

static bool aligned16(const void *p) { return ((uintptr_t)p & 15) == 0; }

/* Alignment in the first (embedded) block, in later blocks, and for large allocations. */
Test(arena, alignment)
{
    struct arena *a = arena_new();
    static const size_t sizes[] = { 1, 0, 2, 3, 7, 8, 15, 16, 17, 31, 33, 100, 1000, 4095 };
    for (int round = 0; round < 100; round++) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            void *p = arena_alloc(a, sizes[i]);
            cr_assert_not_null(p, "arena-1.1");
            cr_assert(aligned16(p), "arena-1.1: round %d size %zu at %p", round, sizes[i], p);
            memset(p, 0x5a, sizes[i]);
        }
    }
    void *big = arena_alloc(a, 40000);
    cr_assert(aligned16(big), "arena-1.2: %p", big);
    void *huge = arena_alloc(a, 70001);
    cr_assert(aligned16(huge), "arena-1.3: %p", huge);
    char *s = arena_strdup(a, "x");
    cr_assert(aligned16(s), "arena-1.4: %p", s);
    cr_assert(aligned16(arena_calloc(a, 3, 5)), "arena-1.5");
    arena_free(a);

    /* and in a recycled arena */
    a = arena_new();
    cr_assert(aligned16(arena_alloc(a, 1)), "arena-1.6");
    cr_assert(aligned16(arena_alloc(a, 1)), "arena-1.6");
    arena_free(a);
}

/* Many small allocations: distinct, non-overlapping, their contents intact at the end. */
Test(arena, many_small)
{
    enum { N = 20000 };
    struct arena *a = arena_new();
    static unsigned char *p[N];
    for (int i = 0; i < N; i++) {
        size_t size = 1 + (size_t)i % 40;
        p[i] = arena_alloc(a, size);
        memset(p[i], i & 0xff, size);
    }
    for (int i = 0; i < N; i++) {
        size_t size = 1 + (size_t)i % 40;
        for (size_t j = 0; j < size; j++)
            cr_assert_eq(p[i][j], i & 0xff, "arena-2.1: allocation %d byte %zu", i, j);
    }
    arena_free(a);
}

/* Large allocations (over 32 KiB: own block; over 64 KiB: larger than any block) are fully
 * usable, and small allocations afterwards still come from the current block. */
Test(arena, large)
{
    static const struct {
        const char *id;
        size_t size;
    } c[] = {
        { "arena-3.1", 32768 },         /* exactly half a block: a new 64 KiB block */
        { "arena-3.2", 32769 },         /* just over: a block of its own */
        { "arena-3.3", 65536 },
        { "arena-3.4", 65537 },
        { "arena-3.5", 1u << 20 },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct arena *a = arena_new();
        unsigned char *before = arena_alloc(a, 16);
        memset(before, 0x11, 16);
        unsigned char *big = arena_alloc(a, c[i].size);
        memset(big, 0x22, c[i].size);
        unsigned char *after = arena_alloc(a, 16);
        memset(after, 0x33, 16);
        if (c[i].size > 32768)
            cr_assert_eq(after, before + 16, "%s: small allocations continue in the block",
                         c[i].id);
        for (int k = 0; k < 2000; k++) {
            unsigned char *q = arena_alloc(a, 48);
            memset(q, 0x44, 48);
        }
        for (size_t j = 0; j < c[i].size; j++)
            if (big[j] != 0x22)
                cr_assert_fail("%s: large allocation overwritten at %zu", c[i].id, j);
        for (size_t j = 0; j < 16; j++) {
            cr_assert_eq(before[j], 0x11, "%s", c[i].id);
            cr_assert_eq(after[j], 0x33, "%s", c[i].id);
        }
        arena_free(a);
    }
}

Test(arena, strings)
{
    struct arena *a = arena_new();
    cr_assert_str_eq(arena_printf(a, "%s-%d-%03d", "ab", 42, 7), "ab-42-007", "arena-4.1");
    cr_assert_str_eq(arena_printf(a, "%s", ""), "", "arena-4.2");
    cr_assert_str_eq(arena_printf(a, "区划 %s", "510104"), "区划 510104", "arena-4.3");
    /* longer than a block */
    char *wide = arena_printf(a, "%*d|", 70000, 7);
    cr_assert_eq(strlen(wide), 70001, "arena-4.4");
    cr_assert_eq(wide[69999], '7', "arena-4.4");
    cr_assert_eq(wide[0], ' ', "arena-4.4");

    cr_assert_str_eq(arena_strndup(a, "abcdef", 3), "abc", "arena-5.1");
    cr_assert_str_eq(arena_strndup(a, "abc", 0), "", "arena-5.2");
    cr_assert_str_eq(arena_strndup(a, "中文", 3), "中", "arena-5.3");
    /* len bytes are copied even past a NUL, and a NUL is added after them */
    char *nul = arena_strndup(a, "a\0b", 3);
    cr_assert_eq(memcmp(nul, "a\0b\0", 4), 0, "arena-5.4");
    /* the source need not be NUL-terminated */
    static const char unterminated[4] = { 'w', 'x', 'y', 'z' };
    cr_assert_str_eq(arena_strndup(a, unterminated, 4), "wxyz", "arena-5.5");
    char src[] = "mutable";
    char *copy = arena_strdup(a, src);
    src[0] = 'M';
    cr_assert_str_eq(copy, "mutable", "arena-5.6: a copy, not the same memory");
    cr_assert_str_eq(arena_strdup(a, ""), "", "arena-5.7");
    arena_free(a);
}

static int order[8];
static int norder;

static void record(void *data) { order[norder++] = *(int *)data; }

/* Cleanups run in reverse order of registration, once. */
Test(arena, cleanups_reverse)
{
    static int ids[] = { 1, 2, 3 };
    struct arena *a = arena_new();
    arena_on_free(a, record, &ids[0]);
    arena_alloc(a, 100000); /* cleanups registered around a large block */
    arena_on_free(a, record, &ids[1]);
    arena_on_free(a, record, &ids[2]);
    cr_assert_eq(norder, 0, "arena-6.1: nothing runs before free");
    arena_free(a);
    cr_assert_eq(norder, 3, "arena-6.2");
    cr_assert_eq(order[0], 3, "arena-6.2");
    cr_assert_eq(order[1], 2, "arena-6.2");
    cr_assert_eq(order[2], 1, "arena-6.2");

    /* the recycled arena has no cleanups left over */
    a = arena_new();
    arena_free(a);
    cr_assert_eq(norder, 3, "arena-6.3: a cleanup ran twice");
    arena_free(NULL); /* allowed */
}

static void free_ptr(void *p) { free(p); }

/* A resource tied to the arena is released with it: ASan would report the leak otherwise. */
Test(arena, cleanup_releases_resource)
{
    struct arena *a = arena_new();
    char *heap = malloc(64);
    strcpy(heap, "owned by the arena");
    arena_on_free(a, free_ptr, heap);
    arena_free(a);
}

/* After free, an arena (recycled or new) is fully usable again, and its old contents do not
 * leak into calloc. */
Test(arena, reuse_after_free)
{
    for (int round = 0; round < 5; round++) {
        struct arena *a = arena_new();
        for (int i = 0; i < 300; i++) {
            unsigned char *p = arena_alloc(a, 1000);
            memset(p, 0xab, 1000);
        }
        unsigned char *big = arena_alloc(a, 50000);
        memset(big, 0xcd, 50000);
        arena_free(a);

        a = arena_new();
        unsigned char *z = arena_calloc(a, 1000, 16);
        for (size_t j = 0; j < 16000; j++)
            cr_assert_eq(z[j], 0, "arena-7.%d: calloc byte %zu", round + 1, j);
        unsigned char *p = arena_alloc(a, 20000);
        memset(p, 1, 20000);
        arena_free(a);
    }

    /* two arenas alive at once: both work, both are released (one recycled, one freed) */
    struct arena *x = arena_new(), *y = arena_new();
    cr_assert_neq(x, y, "arena-7.6");
    char *sx = arena_strdup(x, "x"), *sy = arena_strdup(y, "y");
    cr_assert_str_eq(sx, "x", "arena-7.6");
    cr_assert_str_eq(sy, "y", "arena-7.6");
    arena_free(x);
    arena_free(y);
}

Test(arena, calloc_zeroes)
{
    struct arena *a = arena_new();
    /* dirty the first block, free, and take it back: calloc must still zero */
    unsigned char *d = arena_alloc(a, 16000);
    memset(d, 0xff, 16000);
    arena_free(a);
    a = arena_new();
    static const struct {
        const char *id;
        size_t n, size;
    } c[] = {
        { "arena-8.1", 0, 8 },   { "arena-8.2", 8, 0 },    { "arena-8.3", 1, 1 },
        { "arena-8.4", 7, 3 },   { "arena-8.5", 100, 100 }, { "arena-8.6", 3, 40000 },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        unsigned char *p = arena_calloc(a, c[i].n, c[i].size);
        cr_assert_not_null(p, "%s", c[i].id);
        for (size_t j = 0; j < c[i].n * c[i].size; j++)
            cr_assert_eq(p[j], 0, "%s: byte %zu", c[i].id, j);
    }
    arena_free(a);
}

/* Sizes that cannot be represented abort rather than return a short block. */
Test(arena, calloc_overflow_aborts, .signal = SIGABRT)
{
    struct arena *a = arena_new();
    arena_calloc(a, SIZE_MAX / 2, 4); /* arena-9.1 */
}

Test(arena, alloc_huge_aborts, .signal = SIGABRT)
{
    struct arena *a = arena_new();
    /* arena-9.2: rounding SIZE_MAX - 3 up to 16 must not wrap around to 0 */
    arena_alloc(a, SIZE_MAX - 3);
}
