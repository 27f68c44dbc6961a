/*
 * tests/unit/core/test_password.c — password policy, hashing and generation of core/password.c.
 *
 * Rules under test: GB/T 22239-2019 8.1.4.1 a) (身份鉴别信息具有复杂度要求) as taken by
 * shared/domain/security.md §1.1 a) and §6 row 2 (issue #4): ≥ 8 characters, 3 of 4 classes,
 * no login name, weak-list check; characters are UTF-8 code points, at most 128. Hashes are
 * argon2id at libsodium's interactive limits. Hashing costs ~0.1 s (more under ASan): this file
 * runs argon2 five times in all (two hashes, three verifications).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "password.h"

static const char M_SHORT[] = "口令长度至少 8 位";
static const char M_LONG[] = "口令长度不能超过 128 位";
static const char M_CLASSES[] = "口令须包含大写字母、小写字母、数字和其他字符中的至少三类";
static const char M_LOGIN[] = "口令不能包含用户名";
static const char M_WEAK[] = "口令过于常见，请更换";
static const char M_ILLEGAL[] = "口令含有非法字符";
static const char M_CONTROL[] = "口令不能包含换行、制表符等控制字符";
static const char M_ENDS[] = "口令首尾不能是空格";

static void setup(void)
{
    cr_assert_eq(password_init(), 0);
}

TestSuite(password, .init = setup);

/* n copies of unit after prefix, into buf (for the 128/129-character cases). */
static const char *repeat(char *buf, size_t cap, const char *prefix, const char *unit, size_t n)
{
    size_t len = (size_t)snprintf(buf, cap, "%s", prefix);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s", unit);
    cr_assert_lt(len, cap, "repeat: buffer too small");
    return buf;
}

/* Passwords that meet §1.1 a). why is left alone on success. */
Test(password, policy_ok)
{
    static char max_ascii[200], max_han[600];
    static const struct {
        const char *id, *pw, *login;
    } c[] = {
        /* the length boundary: exactly 8 characters */
        { "pw-1.1", "Abcdef1!", NULL },
        /* 8 characters, 16 bytes: 口令 count as "other", so lower + digit + other = 3 */
        { "pw-1.2", "口令ab1234", NULL },
        { "pw-1.3", "中文Ab12口令", NULL },
        /* each combination of exactly three classes */
        { "pw-1.4", "Abcdefg1", NULL },   /* upper lower digit */
        { "pw-1.5", "Abcdefg!", NULL },   /* upper lower other */
        { "pw-1.6", "ABCDEFG1!", NULL },  /* upper digit other */
        { "pw-1.7", "abcdefg1!", NULL },  /* lower digit other */
        /* an inner space is "other" */
        { "pw-1.8", "abc defg1", NULL },
        /* the login rule: a login of 2 characters (2 bytes or 6) is not applied */
        { "pw-1.9", "ab345678!", "ab" },
        { "pw-1.10", "张三abc123", "张三" },
        { "pw-1.11", "Zhangsan1!", NULL },
        { "pw-1.12", "Zhangsan1!", "" },
        { "pw-1.13", "Zhang-San1", "zhangsan" }, /* not contained: the hyphen splits it */
        { "pw-1.14", "Xabd12345!", "abc" },      /* almost: abd */
        /* near the weak list, but not on it */
        { "pw-1.15", "Password1!x", NULL },
        { "pw-1.16", "Admin@1235", NULL },
        /* 128 characters: ASCII, and mostly 汉字 (378 bytes) */
        { "pw-1.17", NULL, NULL },
        { "pw-1.18", NULL, NULL },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        const char *pw = c[i].pw;
        if (strcmp(c[i].id, "pw-1.17") == 0)
            pw = repeat(max_ascii, sizeof max_ascii, "Ab1", "x", 125);
        if (strcmp(c[i].id, "pw-1.18") == 0)
            pw = repeat(max_han, sizeof max_han, "Ab1", "中", 125);
        const char *why = "untouched";
        cr_assert_eq(password_check_policy(pw, c[i].login, &why), 0, "%s: %s", c[i].id, why);
        cr_assert_str_eq(why, "untouched", "%s", c[i].id);
        cr_assert_eq(password_check_policy(pw, c[i].login, NULL), 0, "%s: why NULL", c[i].id);
    }
}

/* Passwords the policy refuses, each with the sentence that says why. */
Test(password, policy_refused)
{
    static char long_ascii[200], long_han[600];
    static const struct {
        const char *id, *pw, *login, *why;
    } c[] = {
        /* length, boundaries first: nothing, 7 characters, 7 characters in 11 bytes, 129 */
        { "pw-2.1", NULL, NULL, M_SHORT },
        { "pw-2.2", "", NULL, M_SHORT },
        { "pw-2.3", "Abcde1!", NULL, M_SHORT },
        { "pw-2.4", "口令ab123", NULL, M_SHORT },
        { "pw-2.5", "中文Ab1口令", NULL, M_SHORT },
        { "pw-2.6", NULL, NULL, M_LONG },       /* 129 ASCII, filled below */
        { "pw-2.7", NULL, NULL, M_LONG },       /* 129 characters, mostly 汉字 */
        /* fewer than three classes: one class, and each pair */
        { "pw-3.1", "abcdefgh", NULL, M_CLASSES },
        { "pw-3.2", "口令口令口令口令", NULL, M_CLASSES },
        { "pw-3.3", "Abcdefgh", NULL, M_CLASSES },   /* upper lower */
        { "pw-3.4", "ABCDEFG1", NULL, M_CLASSES },   /* upper digit */
        { "pw-3.5", "ABCDEFG!", NULL, M_CLASSES },   /* upper other */
        { "pw-3.6", "abcdefg1", NULL, M_CLASSES },   /* lower digit */
        { "pw-3.7", "abcdefg!", NULL, M_CLASSES },   /* lower other */
        { "pw-3.8", "1234567!", NULL, M_CLASSES },   /* digit other */
        { "pw-3.9", "口令口令1234", NULL, M_CLASSES }, /* digit other (汉字) */
        { "pw-3.10", "abc defgh", NULL, M_CLASSES }, /* lower other (space) */
        /* the login name, without ASCII case; 3 characters is the boundary */
        { "pw-4.1", "xxZHANGSANxx1!", "ZhangSan", M_LOGIN },
        { "pw-4.2", "xxZHANGSANxx1!", "zhangsan", M_LOGIN },
        { "pw-4.3", "zhangsanA1!", "ZHANGSAN", M_LOGIN },
        { "pw-4.4", "A1!zhangsan", "zhangsan", M_LOGIN },
        { "pw-4.5", "xAbC12345!", "abc", M_LOGIN },
        { "pw-4.6", "张小明Ab12345", "张小明", M_LOGIN },
        /* the weak list, in any ASCII case (the brief's ten and a few more) */
        { "pw-5.1", "Password1!", NULL, M_WEAK },
        { "pw-5.2", "pASSWORD1!", NULL, M_WEAK },
        { "pw-5.3", "Passw0rd!", NULL, M_WEAK },
        { "pw-5.4", "ADMIN@123", NULL, M_WEAK },
        { "pw-5.5", "admin123!", NULL, M_WEAK },
        { "pw-5.6", "P@ssw0rd", NULL, M_WEAK },
        { "pw-5.7", "qwer1234!", NULL, M_WEAK },
        { "pw-5.8", "1QAZ@wsx", NULL, M_WEAK },
        { "pw-5.9", "abc@1234", NULL, M_WEAK },
        { "pw-5.10", "Aa123456!", NULL, M_WEAK },
        { "pw-5.11", "zZ123456!", NULL, M_WEAK },
        { "pw-5.12", "Huawei@123", NULL, M_WEAK },
        { "pw-5.13", "1qaz2wsx#EDC", NULL, M_WEAK },
        /* control characters anywhere, even where the rest would pass */
        { "pw-6.1", "\x01", NULL, M_CONTROL },
        { "pw-6.2", "Abcdef1\t!", NULL, M_CONTROL },
        { "pw-6.3", "Abcdef1!\n", NULL, M_CONTROL },
        { "pw-6.4", "\rAbcdef1!", NULL, M_CONTROL },
        { "pw-6.5", "Abcdef1\x7f!", NULL, M_CONTROL },       /* DEL */
        { "pw-6.6", "Abcdef1\xc2\x85!", NULL, M_CONTROL },   /* U+0085, C1 */
        { "pw-6.7", "Abcdef1\xe2\x80\xa8!", NULL, M_CONTROL }, /* U+2028 */
        { "pw-6.8", "Abcdef1\x1f!", NULL, M_CONTROL },
        /* invalid UTF-8 */
        { "pw-7.1", "Abcdef1!\xff", NULL, M_ILLEGAL },
        { "pw-7.2", "Abcdef1!\x80", NULL, M_ILLEGAL },          /* lone continuation */
        { "pw-7.3", "Abcdef1!\xe4\xb8", NULL, M_ILLEGAL },      /* truncated 中 */
        { "pw-7.4", "Abcdef1\xe4\xb8!", NULL, M_ILLEGAL },      /* 中 cut by ASCII */
        { "pw-7.5", "Abcdef1!\xc0\xaf", NULL, M_ILLEGAL },      /* overlong '/' */
        { "pw-7.6", "Abcdef1!\xe0\x80\xaf", NULL, M_ILLEGAL },  /* overlong, 3 bytes */
        { "pw-7.7", "Abcdef1!\xed\xa0\x80", NULL, M_ILLEGAL },  /* surrogate U+D800 */
        { "pw-7.8", "Abcdef1!\xf4\x90\x80\x80", NULL, M_ILLEGAL }, /* U+110000 */
        { "pw-7.9", "Abcdef1!\xf5\x80\x80\x80", NULL, M_ILLEGAL },
        { "pw-7.10", "\xb5\xb1\xb5\xb1\xb5\xb1\xb5\xb1", NULL, M_ILLEGAL }, /* GBK 当当… */
        /* a space at either end */
        { "pw-8.1", " Abcdef1!", NULL, M_ENDS },
        { "pw-8.2", "Abcdef1! ", NULL, M_ENDS },
        { "pw-8.3", "\xe3\x80\x80" "Abcdef1!", NULL, M_ENDS },  /* U+3000 */
        { "pw-8.4", "Abcdef1!\xc2\xa0", NULL, M_ENDS },         /* U+00A0 */
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        const char *pw = c[i].pw;
        if (strcmp(c[i].id, "pw-2.6") == 0)
            pw = repeat(long_ascii, sizeof long_ascii, "Ab1", "x", 126);
        if (strcmp(c[i].id, "pw-2.7") == 0)
            pw = repeat(long_han, sizeof long_han, "Ab1", "中", 126);
        const char *why = NULL;
        cr_assert_eq(password_check_policy(pw, c[i].login, &why), MZ_EVALIDATE, "%s", c[i].id);
        cr_assert_not_null(why, "%s", c[i].id);
        cr_assert_str_eq(why, c[i].why, "%s", c[i].id);
        cr_assert_eq(password_check_policy(pw, c[i].login, NULL), MZ_EVALIDATE, "%s", c[i].id);
    }
}

/* One hash, checked for its form, verified right and wrong; a second hash shows the salt. */
Test(password, hash_verify)
{
    char h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];
    const char *pw = "Correct-Horse9";

    cr_assert_eq(password_init(), 0, "pw-9.1: a second sodium_init is fine");
    cr_assert_eq(password_hash(pw, h1), 0, "pw-9.2");
    cr_assert_lt(strnlen(h1, sizeof h1), sizeof h1, "pw-9.3: NUL-terminated");
    cr_assert_eq(strncmp(h1, "$argon2id$", 10), 0, "pw-9.4: %s", h1);
    /* libsodium's interactive limits: 64 MiB, 2 passes, one lane */
    cr_assert_not_null(strstr(h1, "$v=19$m=65536,t=2,p=1$"), "pw-9.5: %s", h1);
    cr_assert(password_verify(pw, h1), "pw-9.6");
    cr_assert_not(password_verify("Correct-Horse8", h1), "pw-9.7");
    cr_assert_not(password_verify("correct-horse9", h1), "pw-9.8: case matters");
    cr_assert_eq(password_hash(pw, h2), 0, "pw-9.9");
    cr_assert_str_neq(h1, h2, "pw-9.10: salted");
}

/* Refusals that cost no argon2 run. */
Test(password, hash_verify_refused)
{
    char out[PASSWORD_HASH_MAX];
    char garbage[300];
    memset(out, 'x', sizeof out);
    cr_assert_eq(password_hash(NULL, out), MZ_EINVAL, "pw-10.1");
    for (size_t i = 0; i < sizeof out; i++)
        cr_assert_eq(out[i], 'x', "pw-10.1: out written on failure");

    static const char real[] = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA"
                               "$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXphYmNkZWY";
    cr_assert_not(password_verify("Correct-Horse9", NULL), "pw-10.2");
    cr_assert_not(password_verify("Correct-Horse9", ""), "pw-10.3");
    cr_assert_not(password_verify(NULL, real), "pw-10.4");
    cr_assert_not(password_verify("", real), "pw-10.5");
    cr_assert_not(password_verify("Correct-Horse9", "$argon2id$garbage"), "pw-10.6");
    cr_assert_not(password_verify("Correct-Horse9", "plain text"), "pw-10.7");
    memset(garbage, 'a', sizeof garbage - 1);
    garbage[sizeof garbage - 1] = '\0';
    memcpy(garbage, "$argon2id$", 10);
    cr_assert_not(password_verify("Correct-Horse9", garbage), "pw-10.8: longer than STRBYTES");
}

/* 200 generated passwords: 16 characters from the alphabet without look-alikes, one of each
 * class, all distinct, each passing the policy for the login it was made for. */
Test(password, generate)
{
    /* no 0/O/o, 1/l/I */
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ" "abcdefghijkmnpqrstuvwxyz"
                                   "23456789" "@#%+=-_";
    static const char *const logins[] = { NULL, "", "ab", "abc", "xyz", "zhangsan", "Admin",
                                          "张小明", "a2b" };
    static char pw[200][PASSWORD_GEN_LEN + 1];
    bool seen[256] = { false };

    for (size_t i = 0; i < 200; i++) {
        const char *login = logins[i % (sizeof logins / sizeof logins[0])];
        memset(pw[i], 'x', sizeof pw[i]);
        cr_assert_eq(password_generate(login, pw[i]), 0, "gen-%zu", i);
        cr_assert_eq(strlen(pw[i]), PASSWORD_GEN_LEN, "gen-%zu: %s", i, pw[i]);
        const char *why = NULL;
        cr_assert_eq(password_check_policy(pw[i], login, &why), 0, "gen-%zu: %s (%s)", i,
                     pw[i], why);
        int classes[4] = { 0 };
        for (size_t k = 0; k < PASSWORD_GEN_LEN; k++) {
            unsigned char ch = (unsigned char)pw[i][k];
            cr_assert_not_null(memchr(alphabet, ch, sizeof alphabet - 1), "gen-%zu: %c", i, ch);
            seen[ch] = true;
            classes[ch >= 'A' && ch <= 'Z' ? 0 : ch >= 'a' && ch <= 'z' ? 1
                    : ch >= '0' && ch <= '9' ? 2 : 3]++;
        }
        for (int k = 0; k < 4; k++)
            cr_assert_gt(classes[k], 0, "gen-%zu: class %d missing in %s", i, k, pw[i]);
        for (size_t j = 0; j < i; j++)
            cr_assert_str_neq(pw[i], pw[j], "gen-%zu equals gen-%zu", i, j);
    }
    /* 3 200 draws over 63 characters: each one turns up (a miss has probability ~e^-50) */
    for (size_t k = 0; k < sizeof alphabet - 1; k++)
        cr_assert(seen[(unsigned char)alphabet[k]], "gen: '%c' never drawn", alphabet[k]);
}
