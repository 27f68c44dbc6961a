/*
 * tests/unit/core/test_seal.c — sealing short secrets, core/seal.c (SM4-CTR + HMAC-SM3,
 * encrypt-then-MAC; shared/domain/security.md §3): a round trip, a fresh IV per value, an
 * altered value refused, another key refused, the key file made 0600 and read back.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "seal.h"
#include "tmpdir.h"

static const unsigned char KEY_A[SEAL_KEY_LEN] = "0123456789abcdef0123456789abcde";
static const unsigned char KEY_B[SEAL_KEY_LEN] = "fedcba9876543210fedcba987654321";

TestSuite(seal, .fini = seal_key_forget);

Test(seal, round_trip)
{
    cr_assert_eq(seal_key_set(KEY_A), 0);
    const char *account = "6222021234567890123";
    char sealed[SEAL_TEXT_LEN(32)], again[SEAL_TEXT_LEN(32)], out[SEAL_PLAIN_MAX + 1];
    size_t len = 0;
    cr_assert_eq(seal_text(account, strlen(account), sealed, sizeof sealed), 0);
    cr_assert_eq(strncmp(sealed, "s1:", 3), 0);
    cr_assert_null(strstr(sealed, "1234567890"), "the number is not in the sealed text");
    cr_assert_eq(seal_open(sealed, out, sizeof out, &len), 0);
    cr_assert_eq(len, strlen(account));
    cr_assert_str_eq(out, account);
    cr_assert_eq(seal_text(account, strlen(account), again, sizeof again), 0);
    cr_assert_str_neq(sealed, again, "a random IV per value");
}

Test(seal, tampered_refused)
{
    cr_assert_eq(seal_key_set(KEY_A), 0);
    char sealed[SEAL_TEXT_LEN(32)], out[SEAL_PLAIN_MAX + 1];
    size_t len = 0;
    cr_assert_eq(seal_text("6222021234567890", 16, sealed, sizeof sealed), 0);
    size_t at = 3 + 2 * 16 + 1; /* a digit of the cipher text */
    sealed[at] = sealed[at] == '0' ? '1' : '0';
    cr_assert_eq(seal_open(sealed, out, sizeof out, &len), MZ_EPERM);
    cr_assert_eq(seal_open("s1:zz", out, sizeof out, &len), MZ_EINVAL);
    cr_assert_eq(seal_open("6222021234567890", out, sizeof out, &len), MZ_EINVAL);
}

Test(seal, wrong_key_refused)
{
    cr_assert_eq(seal_key_set(KEY_A), 0);
    char sealed[SEAL_TEXT_LEN(32)], out[SEAL_PLAIN_MAX + 1];
    size_t len = 0;
    cr_assert_eq(seal_text("6222021234567890", 16, sealed, sizeof sealed), 0);
    cr_assert_eq(seal_key_set(KEY_B), 0);
    cr_assert_eq(seal_open(sealed, out, sizeof out, &len), MZ_EPERM);
    seal_key_forget();
    cr_assert_eq(seal_open(sealed, out, sizeof out, &len), MZ_EINVAL, "no key");
    cr_assert_eq(seal_text("6222021234567890", 16, sealed, sizeof sealed), MZ_EINVAL);
}

Test(seal, key_file)
{
    char dir[64], path[128], sealed[SEAL_TEXT_LEN(32)], out[SEAL_PLAIN_MAX + 1];
    size_t len = 0;
    test_tmpdir_template(dir, sizeof dir, "seal");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/data.key", dir);
    cr_assert_eq(seal_key_load(path, 0), MZ_EIO, "missing and not created");
    cr_assert_eq(seal_key_load(path, 1), 0);
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0);
    cr_assert_eq(sb.st_mode & 0777, 0600);
    cr_assert_eq(sb.st_size, SEAL_KEY_LEN);
    cr_assert_eq(seal_text("1234567890", 10, sealed, sizeof sealed), 0);
    seal_key_forget();
    cr_assert_eq(seal_key_load(path, 0), 0, "read back");
    cr_assert_eq(seal_open(sealed, out, sizeof out, &len), 0);
    cr_assert_str_eq(out, "1234567890");
    unlink(path);
    rmdir(dir);
}
