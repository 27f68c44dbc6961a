/*
 * core/keyfile.h — secret keys in files outside the database (the audit key of audit.c, the
 * data key of seal.c). A key file holds exactly the key's bytes, is a regular file and is not
 * accessible to other users; a new one is made with random bytes, mode 0600.
 */
#ifndef MZ_KEYFILE_H
#define MZ_KEYFILE_H

#include <stddef.h>

/* Reads len bytes from path into key; with create, makes a new random key file when it does
 * not exist (its directory too, one level). what names the key in log lines ("audit",
 * "seal"). Returns 0, or MZ_EIO with the reason logged (key wiped). */
int keyfile_load(const char *path, int create, unsigned char *key, size_t len, const char *what);

#endif
