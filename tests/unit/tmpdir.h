/*
 * tests/unit/tmpdir.h — the template of a test's temporary directory, for mkdtemp():
 * "/tmp/mz-<name>-" followed by the six placeholder characters mkdtemp() replaces.
 */
#ifndef MZ_TEST_TMPDIR_H
#define MZ_TEST_TMPDIR_H

#include <stdio.h>
#include <string.h>

static inline char *test_tmpdir_template(char *buf, size_t len, const char *name)
{
    int n = snprintf(buf, len, "/tmp/mz-%s-", name);
    if (n < 0 || (size_t)n + 7 > len)
        return NULL;
    memset(buf + n, 'X', 6);
    buf[n + 6] = '\0';
    return buf;
}

#endif
