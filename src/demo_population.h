/*
 * demo_population.h — a deterministic, realistic population for the demo county (issue #5):
 * persons (自然人) with valid 公民身份号码, households (家庭) with GB/T 4761 relations, and
 * organisations (法人) with valid 统一社会信用代码.
 *
 * Two layers. The generator (demo_pop_*) is pure: a fixed-seed PRNG, no clock, no I/O; it makes
 * one household at a time, so memory does not grow with the population, and the same seed and
 * village list give the same households, byte for byte. The loader (demo_population_load) reads
 * the county's villages from the region table and streams the generator into the database with
 * db_copy, one transaction per DEMO_POP_CHUNK_PERSONS persons (≈ 190 000 rows with their
 * households, memberships and change rows).
 */
#ifndef MZ_DEMO_POPULATION_H
#define MZ_DEMO_POPULATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

#define DEMO_POP_DEFAULT_PERSONS 20000LL  /* `minzheng demo` without --persons */
#define DEMO_POP_MAX_PERSONS 10000000LL   /* a province-sized benchmark */
#define DEMO_POP_SEED 0x6D696E7A68656E67ULL  /* "minzheng" */
/* Persons per transaction of the loader. Not 50 000 rows: on SQLite each commit rewrites most
 * leaf pages of person's random-order indexes (id_number, name, region), so 1 M persons took
 * 61 s in chunks of 50 000 rows and 35–45 s in chunks of 50 000 persons (≈ 190 000 rows);
 * 100 000 persons gained nothing more. */
#define DEMO_POP_CHUNK_PERSONS 50000

/* The population is as of this day: every birth, death and membership date is before it, and
 * it is created_at of every row (2026-01-01 00:00 China time, Unix seconds). */
#define DEMO_POP_AS_OF 20260101
#define DEMO_POP_AS_OF_UNIX 1767196800LL

#define DEMO_POP_HOUSEHOLD_MAX 6  /* current members of one household, the head included */
#define DEMO_POP_MEMBERS_MAX 8    /* members of one household including former (deceased) ones */
#define DEMO_POP_ADDRESS_MAX 16   /* ID-number address codes: the county and its neighbours */

/* A village-level unit (12-digit 统计用区划代码) of the county, as read from the region table. */
struct demo_village {
    char code[13];   /* e.g. 510824100205 */
    char town[64];   /* its township's name, e.g. 陵江镇 */
    char name[64];   /* its own name, e.g. 白观村村民委员会 */
};

/* What the generator works from; everything is copied by demo_pop_new(). */
struct demo_pop_setup {
    uint64_t seed;
    int64_t first_id;            /* ids of persons, households, organisations: first_id, +1 … */
    char county_name[32];        /* e.g. 苍溪县 */
    char county[13];             /* the county's 12-digit code, e.g. 510824000000 */
    /* 6-digit address codes for ID numbers: [0] the county, then neighbouring counties (for
     * people born elsewhere); 1 to DEMO_POP_ADDRESS_MAX of them */
    char address6[DEMO_POP_ADDRESS_MAX][7];
    int naddress;
    const struct demo_village *villages;  /* at least one; sorted by code */
    size_t nvillages;
};

/* One generated person. Codes are those of the dictionaries in sql/0004_dicts.sql. */
struct demo_person {
    int64_t id;
    char id_number[19];
    char name[24];
    char sex;                    /* 'M' or 'F', matching the ID number */
    int birth;                   /* yyyymmdd, matching the ID number */
    char ethnicity[3];           /* GB 3304 */
    char hukou_region[13];
    bool hukou_rural;            /* hukou_type rural (else urban) */
    char region[13];             /* residence: the household's village */
    char phone[12];              /* "" when none */
    const char *marital;         /* GB/T 2261.2 */
    int death;                   /* yyyymmdd; 0 while alive */
    const char *labour;          /* full, partial, none; NULL for the deceased */
    const char *health;          /* healthy, chronic, serious, disabled; NULL for the deceased */
    char disability_category;    /* '1'…'7' (残疾人证 category digit), 0 when none */
    char disability_grade;       /* '1'…'4', 0 when none */
    const char *education;       /* GB/T 4658 */
    const char *employment;      /* NULL for the deceased */
    const char *relation;        /* GB/T 4761-2008, to the head; the head's is "02" */
    int joined_on;               /* yyyymmdd */
    int left_on;                 /* yyyymmdd; 0 for a current member */
};

/* One generated organisation. */
struct demo_org {
    int64_t id;
    char credit_code[19];
    char name[160];
    const char *org_type;        /* dict org_type */
    char region[13];
    int64_t legal_rep;           /* a person's id, 0 when none */
    int registered_on;           /* yyyymmdd */
    const char *status;          /* dict org_status */
    char address[160];
};

/* One generated household: the head is m[0]; former members (deceased, left_on set) follow
 * the current ones. With it come the organisations whose legal representative it provides. */
struct demo_household {
    int64_t id;
    char region[13];
    char address[200];
    bool living_together;
    int n;                       /* members, m[0 … n-1] */
    int ncurrent;                /* current members (left_on 0), m[0 … ncurrent-1] */
    struct demo_person m[DEMO_POP_MEMBERS_MAX];
    int norgs;
    struct demo_org orgs[2];
};

struct demo_pop;

/* Makes a generator. Returns 0 with *out set (free with demo_pop_free), MZ_EINVAL for a setup
 * without villages or address codes, or MZ_ENOMEM. */
int demo_pop_new(const struct demo_pop_setup *setup, struct demo_pop **out);
/* Frees g and everything it holds; g may be NULL. */
void demo_pop_free(struct demo_pop *g);

/* The next household, of 1 to min(max_persons, DEMO_POP_HOUSEHOLD_MAX) current members, and the
 * organisations that fall due with it: one per 400 persons, and a village's committee (村民委员会 /
 * 居民委员会) with the first household there that has an adult to lead it. A deceased former
 * member also counts against max_persons (so n <= max_persons). Cannot fail. */
void demo_pop_household(struct demo_pop *g, int max_persons, struct demo_household *out);

/* The committees of villages no household reached, without legal representative; writes at
 * most cap of them to out and returns their number. */
size_t demo_pop_finish(struct demo_pop *g, struct demo_org *out, size_t cap);

/* A fresh id from the generator's sequence (for rows made around the population). */
int64_t demo_pop_take_id(struct demo_pop *g);

struct demo_population_stats {
    bool skipped;                /* the county had persons already: nothing was added */
    long long persons, deceased, households, members, orgs, changes;
    double seconds;
};

/*
 * Fills the county county12 with `persons` persons (0 to DEMO_POP_MAX_PERSONS), their
 * households and organisations, unless the county has persons already (stats->skipped, nothing
 * added): the villages come from the region table, ID-number neighbours are the other counties
 * of the same city. Each record gets one "(created)" row in record_change. Commits every
 * DEMO_POP_CHUNK_PERSONS persons; shows progress on a terminal.
 * Returns 0, MZ_ENOTFOUND when the county has no villages, or the database's MZ_E… error (the
 * chunks committed before it stay).
 */
int demo_population_load(struct db *db, const char *county12, long long persons,
                         struct demo_population_stats *stats);

#endif
