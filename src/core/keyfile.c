/*
 * core/keyfile.c — secret keys kept in files outside the database (the audit key, the data
 * key): read a key of a fixed length from a regular file that other users cannot read, or make
 * a new random one (mode 0600, its directory 0700) when it is missing. See keyfile.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "keyfile.h"
#include "log.h"

/* Creates the directory holding path when it is missing (one level, mode 0700). */
static int make_parent(const char *path, const char *what)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    char dir[PATH_MAX];
    size_t n = (size_t)(slash - path);
    if (n >= sizeof dir)
        return MZ_EIO;
    memcpy(dir, path, n);
    dir[n] = '\0';
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        log_error(NULL, "%s: cannot create directory %s: %s", what, dir, strerror(errno));
        return MZ_EIO;
    }
    return 0;
}

/* Writes a new random key to path (O_EXCL, 0600). Returns 0, MZ_ECONFLICT when the file
 * appeared meanwhile, or MZ_EIO. */
static int key_create(const char *path, unsigned char *key, size_t len, const char *what)
{
    if (make_parent(path, what) != 0)
        return MZ_EIO;
    if (RAND_bytes(key, len) != 1) {
        log_error(NULL, "%s: no random bytes for a new key", what);
        return MZ_EIO;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return MZ_ECONFLICT;
        log_error(NULL, "%s: cannot create key file %s: %s", what, path, strerror(errno));
        return MZ_EIO;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, key + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    int err = errno;
    if (done != len || fsync(fd) != 0) {
        log_error(NULL, "%s: cannot write key file %s: %s", what, path, strerror(err));
        close(fd);
        unlink(path);
        return MZ_EIO;
    }
    close(fd);
    log_info("%s: created a new key in %s", what, path);
    return 0;
}

/* Reads exactly len bytes from the regular file path. Returns 0, MZ_ENOTFOUND when
 * it does not exist, or MZ_EIO with the reason logged. */
static int key_read(const char *path, unsigned char *key, size_t len, const char *what)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return MZ_ENOTFOUND;
        log_error(NULL, "%s: cannot open key file %s: %s", what, path, strerror(errno));
        return MZ_EIO;
    }
    struct stat sb;
    int rc = MZ_EIO;
    if (fstat(fd, &sb) != 0) {
        log_error(NULL, "%s: cannot stat key file %s: %s", what, path, strerror(errno));
    } else if (!S_ISREG(sb.st_mode)) {
        log_error(NULL, "%s: key file %s is not a regular file", what, path);
    } else if (sb.st_mode & S_IRWXO) {
        log_error(NULL, "%s: key file %s is accessible to other users (mode %03o); "
                        "chmod 600 it", what, path, (unsigned)(sb.st_mode & 0777));
    } else if (sb.st_size != (off_t)len) {
        log_error(NULL, "%s: key file %s has %lld bytes, expected %d", what, path,
                  (long long)sb.st_size, (int)len);
    } else {
        size_t done = 0;
        while (done < len) {
            ssize_t r = read(fd, key + done, len - done);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            done += (size_t)r;
        }
        if (done == len)
            rc = 0;
        else
            log_error(NULL, "%s: cannot read key file %s: short read", what, path);
    }
    close(fd);
    return rc;
}

int keyfile_load(const char *path, int create, unsigned char *key, size_t len, const char *what)
{
    int rc = key_read(path, key, len, what);
    if (rc == MZ_ENOTFOUND && create) {
        rc = key_create(path, key, len, what);
        if (rc == MZ_ECONFLICT) /* another process made it first: use theirs */
            rc = key_read(path, key, len, what);
    } else if (rc == MZ_ENOTFOUND) {
        log_error(NULL, "%s: key file %s does not exist", what, path);
    }
    if (rc != 0) {
        OPENSSL_cleanse(key, len);
        return MZ_EIO;
    }
    return 0;
}
