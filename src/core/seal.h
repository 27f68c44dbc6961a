/*
 * core/seal.h — sealing short secrets stored in the database (a payee's bank account number,
 * shared/domain/security.md §3): SM4-CTR encryption then HMAC-SM3 over the IV and the cipher
 * text (encrypt-then-MAC, GB/T 32907-2016 SM4, GB/T 32905-2016 SM3, OpenSSL 3 EVP).
 *
 * The data key file (setting data_key_file) holds 32 random bytes outside the database; the
 * cipher key (16 bytes) and the MAC key (32 bytes) are derived from it with HMAC-SM3 under
 * two fixed labels, so neither key is used for both purposes. Every sealed value has its own
 * random 16-byte IV. A sealed value is text: "s1:" and the lower-case hex of
 * IV ‖ cipher text ‖ MAC (32 bytes). Opening checks the MAC first (constant time) and refuses
 * a value that was altered or sealed under another key.
 */
#ifndef MZ_SEAL_H
#define MZ_SEAL_H

#include <stddef.h>

#define SEAL_KEY_LEN 32
#define SEAL_PLAIN_MAX 256
/* Text length of a sealed value of n plain bytes, with its NUL. */
#define SEAL_TEXT_LEN(n) (3 + 2 * (16 + (n) + 32) + 1)

/* Loads the data key from path; with create, makes a new random one (mode 0600) when missing.
 * 0, or MZ_EIO (reason logged). Call before worker threads start. */
int seal_key_load(const char *path, int create);
/* Uses key (SEAL_KEY_LEN bytes) as the data key: for tests and tools. 0 or MZ_EIO. */
int seal_key_set(const unsigned char *key);
/* Wipes the key; seal and open then fail until the next load. */
void seal_key_forget(void);

/* Seals plain (1..SEAL_PLAIN_MAX bytes) into out (at least SEAL_TEXT_LEN(len) bytes).
 * 0, MZ_EINVAL (length, no key) or MZ_EINTERNAL (crypto failure). */
int seal_text(const char *plain, size_t len, char *out, size_t outlen);
/* Opens a sealed text into out (at least SEAL_PLAIN_MAX + 1 bytes, NUL-terminated), *len its
 * length. 0, MZ_EINVAL (malformed or no key) or MZ_EPERM (altered, or another key). */
int seal_open(const char *sealed, char *out, size_t outlen, size_t *len);

#endif
