/*
 * core/password.c — password policy, argon2id hashing and generated passwords; see password.h.
 *
 * Source: 《信息安全技术 网络安全等级保护基本要求》GB/T 22239-2019 8.1.4.1 a) (第三级, 身份鉴别):
 * "应对登录的用户进行身份标识和鉴别，身份标识具有唯一性，身份鉴别信息具有复杂度要求并定期更换";
 * the complexity rule minzheng takes for it is shared/domain/security.md §1.1 a) (issue #4):
 * ≥ 8 characters, 3 of 4 classes, no login name, not in a weak list. The standard gives no
 * numbers; the upper bound of 128 characters only caps the work of hashing.
 *
 * Characters are UTF-8 code points. The four classes are ASCII upper case, ASCII lower case,
 * ASCII digits and "other" (punctuation, inner spaces, any non-ASCII letter such as 汉字).
 * Refused outright: invalid UTF-8 (overlong forms, surrogates, > U+10FFFF), control characters
 * (C0, DEL, C1, U+2028/U+2029) anywhere, and a space (U+0020, U+00A0, U+3000) at either end,
 * which a user cannot see and a form may trim. Case-insensitive means ASCII case folding; the
 * comparison is done on bytes, which for valid UTF-8 only ever matches whole characters.
 */
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "errors.h"
#include "password.h"

_Static_assert(PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES, "PASSWORD_HASH_MAX");

int password_init(void)
{
    /* 0: initialised now, 1: already initialised, -1: failure. */
    return sodium_init() < 0 ? MZ_EINTERNAL : 0;
}

/* ---- policy ---------------------------------------------------------------------------- */

/* Reads one UTF-8 code point at *p (strict: RFC 3629, Unicode table 3-7) and advances *p.
 * Returns the code point, or -1 for an ill-formed sequence. */
static int32_t utf8_next(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = s[0];
    int n;
    uint32_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */

    if (c < 0x80) {
        *p = s + 1;
        return (int32_t)c;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
        c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        if (c == 0xED)
            hi = 0x9F; /* surrogates */
        c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        if (c == 0xF4)
            hi = 0x8F; /* > U+10FFFF */
        c &= 0x07;
    } else {
        return -1; /* continuation byte, C0/C1 overlong lead, F5..FF */
    }
    for (int i = 1; i <= n; i++) {
        uint32_t b = s[i]; /* a NUL here stops the loop: it is not a continuation byte */
        if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF))
            return -1;
        c = (c << 6) | (b & 0x3F);
    }
    *p = s + n + 1;
    return (int32_t)c;
}

static bool is_control(int32_t c)
{
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029;
}

static bool is_space(int32_t c)
{
    return c == 0x20 || c == 0xA0 || c == 0x3000;
}

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* True when needle occurs in hay, ASCII letters compared without case. */
static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *h = hay; *h; h++) {
        size_t i = 0;
        while (i < n && h[i] && ascii_lower((unsigned char)h[i]) ==
                                    ascii_lower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return false;
}

static bool equals_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (ascii_lower((unsigned char)*a) != ascii_lower((unsigned char)*b))
            return false;
    return *a == *b;
}

/* Characters in s: bytes that do not continue a UTF-8 sequence. */
static size_t utf8_count(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/*
 * Common passwords that satisfy the length and class rules, and so would pass without this list:
 * the keyboard walks and "word + 123 + symbol" patterns that top published leak lists and the
 * default passwords of Chinese office software and devices. Compared without ASCII case.
 */
static const char *const weak[] = {
    "Password1!", "Password@123", "Passw0rd!", "Passw0rd", "P@ssw0rd", "P@ssw0rd1", "P@55w0rd",
    "Admin@123", "Admin123!", "Admin@1234", "Admin#123", "Root@123", "Root@1234", "Test@123",
    "Huawei@123", "Welcome1!", "Welcome@123", "Qwer1234!", "Qwe123!@#", "1qaz@WSX", "1qaz!QAZ",
    "1qaz2wsx#EDC", "Zaq12wsx!", "Abc@1234", "Abc123!@#", "Abcd1234!", "Aa123456!", "Aa123456.",
    "Aa123456@", "Zz123456!", "Qq123456!", "Asdf1234!",
};

int password_check_policy(const char *password, const char *login, const char **why)
{
    const char *msg = NULL;
    const unsigned char *p = (const unsigned char *)(password ? password : "");
    size_t count = 0;
    bool upper = false, lower = false, digit = false, other = false;
    int32_t first = -1, last = -1;

    while (*p) {
        int32_t c = utf8_next(&p);
        if (c < 0) {
            msg = "口令含有非法字符";
            goto refused;
        }
        if (is_control(c)) {
            msg = "口令不能包含换行、制表符等控制字符";
            goto refused;
        }
        if (first < 0)
            first = c;
        last = c;
        count++;
        if (c >= 'A' && c <= 'Z')
            upper = true;
        else if (c >= 'a' && c <= 'z')
            lower = true;
        else if (c >= '0' && c <= '9')
            digit = true;
        else
            other = true;
    }
    if (count > 0 && (is_space(first) || is_space(last))) {
        msg = "口令首尾不能是空格";
        goto refused;
    }
    if (count < PASSWORD_MIN_LEN) {
        msg = "口令长度至少 8 位";
        goto refused;
    }
    if (count > PASSWORD_MAX_LEN) {
        msg = "口令长度不能超过 128 位";
        goto refused;
    }
    if ((int)upper + (int)lower + (int)digit + (int)other < 3) {
        msg = "口令须包含大写字母、小写字母、数字和其他字符中的至少三类";
        goto refused;
    }
    if (login && utf8_count(login) >= 3 && contains_nocase(password, login)) {
        msg = "口令不能包含用户名";
        goto refused;
    }
    for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++) {
        if (equals_nocase(password, weak[i])) {
            msg = "口令过于常见，请更换";
            goto refused;
        }
    }
    return 0;

refused:
    if (why)
        *why = msg;
    return MZ_EVALIDATE;
}

/* ---- hashing --------------------------------------------------------------------------- */

int password_hash(const char *password, char out[PASSWORD_HASH_MAX])
{
    char buf[crypto_pwhash_STRBYTES];

    if (!password)
        return MZ_EINVAL;
    if (sodium_init() < 0) /* cheap when password_init() already ran */
        return MZ_EINTERNAL;
    /* crypto_pwhash_str fails only when it cannot allocate the memlimit (64 MiB). */
    if (crypto_pwhash_str(buf, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return MZ_ENOMEM;
    memcpy(out, buf, sizeof buf);
    return 0;
}

bool password_verify(const char *password, const char *hash)
{
    if (!password || !*password || !hash || !*hash)
        return false;
    /* A stored value must be a NUL-terminated string within crypto_pwhash_STRBYTES. */
    if (strnlen(hash, crypto_pwhash_STRBYTES) == crypto_pwhash_STRBYTES)
        return false;
    if (sodium_init() < 0)
        return false;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* ---- generated passwords --------------------------------------------------------------- */

/* No 0/O/o, 1/l/I: a generated password is read off a screen or a sheet of paper. */
static const char gen_upper[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";
static const char gen_lower[] = "abcdefghijkmnpqrstuvwxyz";
static const char gen_digit[] = "23456789";
static const char gen_other[] = "@#%+=-_";

static char pick(const char *set, size_t n)
{
    return set[randombytes_uniform((uint32_t)n)];
}

/* One candidate: one character of each class, the rest from all four, shuffled. */
static void generate_once(char buf[PASSWORD_GEN_LEN + 1])
{
    static const char *const sets[] = { gen_upper, gen_lower, gen_digit, gen_other };
    static const size_t lens[] = { sizeof gen_upper - 1, sizeof gen_lower - 1,
                                   sizeof gen_digit - 1, sizeof gen_other - 1 };
    const size_t total = lens[0] + lens[1] + lens[2] + lens[3];

    for (size_t i = 0; i < 4; i++)
        buf[i] = pick(sets[i], lens[i]);
    for (size_t i = 4; i < PASSWORD_GEN_LEN; i++) {
        uint32_t r = randombytes_uniform((uint32_t)total);
        size_t s = 0;
        while (r >= lens[s])
            r -= (uint32_t)lens[s++];
        buf[i] = sets[s][r];
    }
    for (size_t i = PASSWORD_GEN_LEN - 1; i > 0; i--) { /* Fisher–Yates */
        size_t j = randombytes_uniform((uint32_t)(i + 1));
        char t = buf[i];
        buf[i] = buf[j];
        buf[j] = t;
    }
    buf[PASSWORD_GEN_LEN] = '\0';
}

int password_generate(const char *login, char out[PASSWORD_GEN_LEN + 1])
{
    char buf[PASSWORD_GEN_LEN + 1];

    if (sodium_init() < 0)
        return MZ_EINTERNAL;
    /* Every candidate has the length and the four classes and cannot be on the weak list (every
     * entry is shorter than 16); only the login can refuse it, with probability < 1/2000 for a
     * 3-character login, less for longer ones. 64 tries do not all fail. */
    for (int attempt = 0; attempt < 64; attempt++) {
        generate_once(buf);
        if (password_check_policy(buf, login, NULL) == 0) {
            memcpy(out, buf, sizeof buf);
            sodium_memzero(buf, sizeof buf);
            return 0;
        }
    }
    sodium_memzero(buf, sizeof buf);
    return MZ_EINTERNAL;
}
