/*
 * core/mask.c — display masking of ID and phone numbers; see mask.h.
 *
 * Source: shared/domain/security.md §3.4 (GB/T 35273-2020 7.2, de-identify personal information
 * shown on screens or paper; PIPL Art. 51(3)); the 6 + 4 form for ID numbers is the one in
 * mask.h (§3.4 proposes 3 + 4). Lengths are in bytes: ID numbers (15 or 18) and phone numbers
 * are ASCII, and anything else is masked entirely.
 */
#include <stdbool.h>
#include <string.h>

#include "mask.h"

/* A capped writer: keeps room for the NUL, drops what does not fit. */
struct out {
    char *buf;
    size_t cap, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len++] = c;
}

static void put_n(struct out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(o, s[i]);
}

static void put_stars(struct out *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(o, '*');
}

static char *finish(struct out *o)
{
    o->buf[o->len] = '\0';
    return o->buf;
}

static bool is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

/* One '*' per UTF-8 character of s (bytes that do not continue a sequence). */
static void put_stars_per_char(struct out *o, const char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            put(o, '*');
}

char *mask_id_number(const char *id, char *out, size_t outlen)
{
    struct out o = { out, outlen, 0 };

    if (outlen == 0)
        return out;
    if (!id)
        return finish(&o);
    if (!is_ascii(id)) {
        put_stars_per_char(&o, id);
        return finish(&o);
    }
    size_t len = strlen(id);
    if (len < 11) {
        put_stars(&o, len);
        return finish(&o);
    }
    size_t head = len - 8 < 6 ? len - 8 : 6; /* 3..6: at least 4 stay hidden */
    put_n(&o, id, head);
    put_stars(&o, len - head - 4);
    put_n(&o, id + len - 4, 4);
    return finish(&o);
}

char *mask_phone(const char *phone, char *out, size_t outlen)
{
    struct out o = { out, outlen, 0 };

    if (outlen == 0)
        return out;
    if (!phone)
        return finish(&o);
    if (!is_ascii(phone)) {
        put_stars_per_char(&o, phone);
        return finish(&o);
    }
    size_t len = strlen(phone);
    if (len >= 8) {
        size_t head = len - 8 < 3 ? len - 8 : 3; /* 0..3: at least 4 stay hidden */
        put_n(&o, phone, head);
        put_stars(&o, 4);
        put_n(&o, phone + len - 4, 4);
        return finish(&o);
    }
    size_t tail = len <= 4 ? 0 : (len - 4 < 2 ? len - 4 : 2); /* 0..2 */
    put_stars(&o, len - tail);
    put_n(&o, phone + len - tail, tail);
    return finish(&o);
}

char *mask_name(const char *name, char *out, size_t outlen)
{
    struct out o = { out, outlen, 0 };

    if (outlen == 0)
        return out;
    if (!name || !*name)
        return finish(&o);
    size_t first = 1;
    while (name[first] && ((unsigned char)name[first] & 0xC0) == 0x80)
        first++;
    if (!name[first]) {
        put(&o, '*');
        return finish(&o);
    }
    if (o.len + first < o.cap)
        put_n(&o, name, first);
    put_stars_per_char(&o, name + first);
    return finish(&o);
}
