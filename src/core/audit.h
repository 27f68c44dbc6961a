/*
 * core/audit.h — the security audit log (安全审计, GB/T 22239-2019 8.1.4.3): append-only,
 * hash-chained, verifiable.
 *
 * Every login, logout and failure, every permission change and every read, export or change of
 * a personal record is one entry: who (id, login, role), from where, when, what action on which
 * object, the outcome, and non-sensitive detail (field names, reason codes — never values).
 * Each entry's hash is HMAC-SM3 over its content and the previous entry's hash, keyed by a
 * secret kept outside the database (the audit key file), so neither an edit, an insertion nor a
 * deletion goes unnoticed by audit_verify(). Below the application, the database refuses UPDATE
 * and DELETE of entries (triggers, and on PostgreSQL the application role's privileges).
 * Appending is fail-closed: when it fails, the caller fails the operation it was recording.
 */
#ifndef MZ_AUDIT_H
#define MZ_AUDIT_H

#include <stddef.h>
#include <stdint.h>

struct db;

#define AUDIT_KEY_LEN 32
#define AUDIT_MIN_RETENTION_DAYS 180

/* Who acted. login and role are copied into the entry as they are at the time. */
struct audit_actor {
    int64_t id;              /* user id; 0 for none (anonymous, a machine token's own id) */
    const char *login;       /* "-" when unknown (a failed login records the name tried) */
    const char *role;        /* space-separated role names, "-" when none */
    const char *source;      /* client address "ip:port" */
    const char *request_id;
};

struct audit_event {
    const char *action;      /* "auth.login", "user.create", "person.reveal" … */
    const char *object_type; /* "session", "user", "person" … */
    const char *object_id;
    const char *region;      /* 12-digit region of the object: auditors read within scope */
    const char *outcome;     /* "success", "failure" or "denied" */
    const char *detail;      /* reason codes and field names, never personal values */
};

/*
 * Loads the audit key from path; with create, makes a new random key (mode 0600) when the file
 * does not exist. Returns 0, or MZ_EIO with a message on stderr. Must succeed before any other
 * audit function is called; the server refuses to start without it.
 */
int audit_key_load(const char *path, int create);

/* Wipes the key from memory (OPENSSL_cleanse); audit functions then fail until the next
 * audit_key_load(). For shutdown and tests. */
void audit_key_forget(void);

/*
 * Appends one entry. Joins the caller's transaction when one is open, else runs in its own.
 * Entries are serialised (SQLite: the write lock; PostgreSQL: an advisory lock) so the chain has
 * no forks. Returns 0 or MZ_E… (the caller must then fail its operation).
 */
int audit_append(struct db *db, const struct audit_actor *actor, const struct audit_event *ev);

struct audit_verify_result {
    int64_t checked;         /* entries found intact (before the first problem, if any) */
    int64_t first_bad_seq;   /* 0 when the chain is intact */
    char reason[160];        /* "altered", "inserted or reordered", "deleted before", … */
};

/* Walks the chain from the newest anchor (or the start). Returns 0 when it could be read (the
 * verdict is in *r), or a database error. */
int audit_verify(struct db *db, struct audit_verify_result *r);

/* Deletes entries older than max(retention_days, AUDIT_MIN_RETENTION_DAYS) after recording an
 * anchor, so the remainder still verifies, and appends an "audit.prune" entry attesting the
 * anchor (audit_verify() requires it). Joins the caller's transaction like audit_append().
 * *pruned receives the count. Returns 0, MZ_EINVAL for more than 36500 days, or MZ_E…. */
int audit_prune(struct db *db, int retention_days, int64_t *pruned);

#endif
