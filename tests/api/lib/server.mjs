// tests/api/lib/server.mjs — runs the minzheng binary for the API tests: one-shot commands
// (migrate, regions import, user add, audit verify) and `serve` on a free loopback port,
// waited for through /api/v1/health and stopped with SIGTERM. All output goes to a log file
// per process; runCapture also hands a command's standard output back to the caller.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { send } from './http.mjs';

// A port that was free a moment ago: bind port 0, read the port, close.
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// The environment without MINZHENG_* settings, so that only the flags given here count.
function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MINZHENG_')));
}

// Starts `bin args…` with stdout and stderr appended to logPath. Returns the child and a
// promise of its end, {code, signal} (code null and `error` set when it could not start).
function spawnLogged(bin, args, logPath) {
  const log = fs.openSync(logPath, 'a');
  fs.writeSync(log, `$ ${bin} ${args.join(' ')}\n`);
  const child = spawn(bin, args, { stdio: ['ignore', log, log], env: cleanEnv() });
  fs.closeSync(log);
  const exited = new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, exited };
}

// "exit code 3", "signal SIGSEGV" or the spawn error.
export function describeExit({ code, signal, error }) {
  if (error) return error.message;
  return signal ? `killed by signal ${signal}` : `exit code ${code}`;
}

// Resolves to the exit's {code, signal}, or null when it has not come within timeoutMs.
function exitWithin(exited, timeoutMs) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    exited.then((exit) => {
      clearTimeout(timer);
      resolve(exit);
    });
  });
}

// Runs a one-shot command to its end; kills it after timeoutMs. Resolves to {code, signal}.
export async function runCommand(bin, args, logPath, timeoutMs) {
  const { child, exited } = spawnLogged(bin, args, logPath);
  const result = await exitWithin(exited, timeoutMs);
  if (result) return result;
  child.kill('SIGKILL');
  await exited;
  return { code: null, signal: null, error: new Error(`still running after ${timeoutMs / 1000} s`) };
}

// Like runCommand, but the output is also collected: resolves to {code, signal, stdout,
// stderr}; both are appended to the log as well. `bin` may be any program (sqlite3, psql).
export async function runCapture(bin, args, logPath, timeoutMs = 60000) {
  fs.appendFileSync(logPath, `$ ${bin} ${args.join(' ')}\n`);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() });
  const out = [];
  const err = [];
  child.stdout.on('data', (chunk) => out.push(chunk));
  child.stderr.on('data', (chunk) => err.push(chunk));
  const exited = new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  let result = await exitWithin(exited, timeoutMs);
  if (!result) {
    child.kill('SIGKILL');
    await exited;
    result = { code: null, signal: null, error: new Error(`still running after ${timeoutMs / 1000} s`) };
  }
  const stdout = Buffer.concat(out).toString('utf8');
  const stderr = Buffer.concat(err).toString('utf8');
  fs.appendFileSync(logPath, stdout + stderr);
  return { ...result, stdout, stderr };
}

// A `minzheng serve` process on 127.0.0.1.
export class Server {
  exit = null;       // {code, signal} once it has ended
  stopping = false;  // set when we sent SIGTERM

  constructor(bin, db, extraArgs, logPath, port, keyFile) {
    this.port = port;
    this.base = `http://127.0.0.1:${port}`;
    this.logPath = logPath;
    const args = ['serve', '--listen', `127.0.0.1:${port}`, '--db', db, '--threads', '4',
      ...(keyFile ? ['--audit-key-file', keyFile, '--data-key-file', `${keyFile}.data`] : []),
      ...extraArgs];
    ({ child: this.child, exited: this.exited } = spawnLogged(bin, args, logPath));
    this.exited.then((exit) => { this.exit = exit; });
  }

  // Starts a server and waits until /api/v1/health answers 200; throws (after killing it)
  // when it ends or does not answer within timeoutMs. keyFile is the --audit-key-file.
  static async start({ bin, db, keyFile, extraArgs = [], logPath, timeoutMs = 20000 }) {
    const server = new Server(bin, db, extraArgs, logPath, await freePort(), keyFile);
    try {
      await waitForHealth(server.base, timeoutMs,
        () => server.exit && `server ended before answering: ${describeExit(server.exit)}`);
    } catch (err) {
      await server.kill();
      throw err;
    }
    return server;
  }

  // True when the process ended without being asked to.
  crashed() {
    return this.exit !== null && !this.stopping;
  }

  // Sends SIGTERM, once.
  terminate() {
    if (this.stopping) return;
    this.stopping = true;
    this.terminatedAt = Date.now();
    this.child.kill('SIGTERM');
  }

  // After terminate(): resolves to {code, signal, ms since SIGTERM}, or kills the process and
  // resolves to null when it is still running after timeoutMs.
  async waitExit(timeoutMs) {
    const result = await exitWithin(this.exited, timeoutMs);
    if (result) return { ...result, ms: Date.now() - this.terminatedAt };
    this.child.kill('SIGKILL');
    await this.exited;
    return null;
  }

  // Sends SIGTERM and waits for the end, as waitExit.
  stop(timeoutMs = 10000) {
    this.terminate();
    return this.waitExit(timeoutMs);
  }

  // Kills the process if it still runs (cleanup after a failure).
  async kill() {
    this.stopping = true;
    if (!this.exit) this.child.kill('SIGKILL');
    await this.exited;
  }
}

// Polls GET base/api/v1/health until it answers 200. Throws after timeoutMs, or at once when
// gaveUp() returns a reason.
export async function waitForHealth(base, timeoutMs, gaveUp = () => null) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const reason = gaveUp();
    if (reason) throw new Error(reason);
    try {
      const res = await send(base, { path: '/api/v1/health' }, { timeoutMs: 1000 });
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = err.code ?? err.message;
    }
    await sleep(100);
  }
  throw new Error(`/api/v1/health did not answer 200 within ${timeoutMs / 1000} s (${last})`);
}

// The last n lines of a log file.
export function tailLog(logPath, n = 30) {
  if (!fs.existsSync(logPath)) return [];
  const lines = fs.readFileSync(logPath, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-n);
}
