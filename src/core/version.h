/*
 * core/version.h — the program version, reported by --version and /api/v1/health.
 */
#ifndef MZ_VERSION_H
#define MZ_VERSION_H

#define MINZHENG_VERSION "0.1.0"

#endif
