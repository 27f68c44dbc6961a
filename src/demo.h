/*
 * demo.h — the demo site: a real county with its townships and villages.
 */
#ifndef MZ_DEMO_H
#define MZ_DEMO_H

struct config;
struct db;

/* The demo county: 四川省广元市苍溪县 (510824), a largely rural county of 34 townships and
 * 457 villages — typical of the places the social-assistance plans are written for. */
#define DEMO_COUNTY "510824000000"

/* Migrates db (creating the first administrators), loads the region tree when it is empty,
 * records the demo county, gives the demo accounts fresh passwords, printed, and, when the
 * county has no persons yet, generates `persons` of them with their households and
 * organisations (0: none). Returns 0 or an MZ_E… error. */
int demo_load(struct db *db, const struct config *cfg, long long persons);

#endif
