/*
 * core/seal.c — SM4-CTR + HMAC-SM3 sealing of short secrets with the data key (seal.h).
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "errors.h"
#include "keyfile.h"
#include "seal.h"

#define IV_LEN 16
#define MAC_LEN 32
#define ENC_KEY_LEN 16
#define PREFIX "s1:"

/* Set before worker threads start; read-only afterwards. */
static unsigned char enc_key[ENC_KEY_LEN];
static unsigned char mac_key[MAC_LEN];
static bool loaded;

/* HMAC-SM3 of data under key. */
static int hmac_sm3(const unsigned char *key, size_t keylen, const unsigned char *data,
                    size_t len, unsigned char out[MAC_LEN])
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string("digest", (char *)"SM3", 0),
        OSSL_PARAM_construct_end(),
    };
    size_t n = 0;
    int ok = ctx && EVP_MAC_init(ctx, key, keylen, params) == 1 &&
             EVP_MAC_update(ctx, data, len) == 1 &&
             EVP_MAC_final(ctx, out, &n, MAC_LEN) == 1 && n == MAC_LEN;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return ok ? 0 : MZ_EINTERNAL;
}

int seal_key_set(const unsigned char *key)
{
    static const char enc_label[] = "minzheng seal sm4-ctr";
    static const char mac_label[] = "minzheng seal hmac-sm3";
    unsigned char full[MAC_LEN];
    int rc = hmac_sm3(key, SEAL_KEY_LEN, (const unsigned char *)enc_label, sizeof enc_label - 1,
                      full);
    if (rc == 0)
        rc = hmac_sm3(key, SEAL_KEY_LEN, (const unsigned char *)mac_label, sizeof mac_label - 1,
                      mac_key);
    if (rc) {
        OPENSSL_cleanse(full, sizeof full);
        seal_key_forget();
        return MZ_EIO;
    }
    memcpy(enc_key, full, ENC_KEY_LEN);
    OPENSSL_cleanse(full, sizeof full);
    loaded = true;
    return 0;
}

int seal_key_load(const char *path, int create)
{
    unsigned char key[SEAL_KEY_LEN];
    if (keyfile_load(path, create, key, SEAL_KEY_LEN, "seal") != 0)
        return MZ_EIO;
    int rc = seal_key_set(key);
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}

void seal_key_forget(void)
{
    OPENSSL_cleanse(enc_key, sizeof enc_key);
    OPENSSL_cleanse(mac_key, sizeof mac_key);
    loaded = false;
}

/* SM4-CTR of in (len bytes) with iv into out; the same call decrypts. */
static int sm4_ctr(const unsigned char iv[IV_LEN], const unsigned char *in, size_t len,
                   unsigned char *out)
{
    EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, "SM4-CTR", NULL);
    EVP_CIPHER_CTX *ctx = cipher ? EVP_CIPHER_CTX_new() : NULL;
    int n = 0, m = 0;
    int ok = ctx && EVP_EncryptInit_ex2(ctx, cipher, enc_key, iv, NULL) == 1 &&
             EVP_EncryptUpdate(ctx, out, &n, in, (int)len) == 1 &&
             EVP_EncryptFinal_ex(ctx, out + n, &m) == 1 && (size_t)(n + m) == len;
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(cipher);
    return ok ? 0 : MZ_EINTERNAL;
}

static void hex(const unsigned char *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
}

static int unhex(const char *in, size_t len, unsigned char *out)
{
    for (size_t i = 0; i < len; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = in[2 * i + k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0)
                return MZ_EINVAL;
            v = v * 16 + d;
        }
        out[i] = (unsigned char)v;
    }
    return 0;
}

int seal_text(const char *plain, size_t len, char *out, size_t outlen)
{
    if (!loaded || len < 1 || len > SEAL_PLAIN_MAX || outlen < SEAL_TEXT_LEN(len))
        return MZ_EINVAL;
    unsigned char buf[IV_LEN + SEAL_PLAIN_MAX + MAC_LEN];
    if (RAND_bytes(buf, IV_LEN) != 1)
        return MZ_EINTERNAL;
    int rc = sm4_ctr(buf, (const unsigned char *)plain, len, buf + IV_LEN);
    if (rc == 0)
        rc = hmac_sm3(mac_key, MAC_LEN, buf, IV_LEN + len, buf + IV_LEN + len);
    if (rc)
        return rc;
    memcpy(out, PREFIX, 3);
    hex(buf, IV_LEN + len + MAC_LEN, out + 3);
    out[3 + 2 * (IV_LEN + len + MAC_LEN)] = '\0';
    return 0;
}

int seal_open(const char *sealed, char *out, size_t outlen, size_t *len)
{
    size_t n = sealed ? strlen(sealed) : 0;
    if (!loaded || n < 3 || memcmp(sealed, PREFIX, 3) != 0 || (n - 3) % 2 != 0)
        return MZ_EINVAL;
    size_t bytes = (n - 3) / 2;
    if (bytes <= IV_LEN + MAC_LEN || bytes > IV_LEN + SEAL_PLAIN_MAX + MAC_LEN)
        return MZ_EINVAL;
    size_t plain = bytes - IV_LEN - MAC_LEN;
    if (outlen < plain + 1)
        return MZ_EINVAL;
    unsigned char buf[IV_LEN + SEAL_PLAIN_MAX + MAC_LEN], want[MAC_LEN];
    if (unhex(sealed + 3, bytes, buf) != 0)
        return MZ_EINVAL;
    int rc = hmac_sm3(mac_key, MAC_LEN, buf, IV_LEN + plain, want);
    if (rc)
        return rc;
    if (CRYPTO_memcmp(want, buf + IV_LEN + plain, MAC_LEN) != 0)
        return MZ_EPERM;
    rc = sm4_ctr(buf, buf + IV_LEN, plain, (unsigned char *)out);
    if (rc)
        return rc;
    out[plain] = '\0';
    *len = plain;
    return 0;
}
