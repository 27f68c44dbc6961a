/*
 * core/json.h — a small streaming JSON writer for replies, rows and lists.
 *
 * Writes straight into one growing buffer with a maximum size (curl's dynbuf): no tree is
 * built, so a page of rows costs one pass. Strings are escaped and checked as UTF-8 on the
 * way; an invalid byte becomes U+FFFD, so the output is always valid JSON. Commas are placed
 * by the writer. A write past the maximum marks the writer failed; check jw_failed() once at
 * the end. Parsing (input) is jansson's job, not this file's.
 */
#ifndef MZ_JSON_H
#define MZ_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jw {
    char *buf;       /* malloc'd; hand it over with jw_take() */
    size_t len, cap, max;
    bool comma;      /* a value was written at this level: the next one needs a comma */
    bool failed;
};

/* Starts an empty writer that may grow to max bytes. */
void jw_init(struct jw *w, size_t max);
/* Releases the buffer (if not taken). */
void jw_free(struct jw *w);
/* Gives the buffer to the caller (free() it) and its length; the writer is empty after. */
char *jw_take(struct jw *w, size_t *len);
bool jw_failed(const struct jw *w);

void jw_obj(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s);
/* len bytes of s; NULL writes null. */
void jw_strn(struct jw *w, const char *s, size_t len);
void jw_int(struct jw *w, int64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* Already-encoded JSON, written as one value. */
void jw_raw(struct jw *w, const char *json, size_t len);

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, no NUL). */
bool json_utf8_valid(const char *s, size_t len);
/* Number of characters (code points) of the UTF-8 string s. */
size_t text_chars(const char *s);
/* True when s holds a control character (below U+0020, or DEL). */
bool text_has_control(const char *s);

/* Key-value shorthands. */
void jw_kv_str(struct jw *w, const char *key, const char *s);
void jw_kv_strn(struct jw *w, const char *key, const char *s, size_t len);
void jw_kv_int(struct jw *w, const char *key, int64_t v);
void jw_kv_bool(struct jw *w, const char *key, bool v);

#endif
