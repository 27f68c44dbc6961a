// tests/api/scenarios/http.mjs — HTTP behaviour that single request/response cases cannot
// show: keep-alive, the tight server's limits (431 headers, 413 declared body, idle timeout,
// connection limit), log lines that a URL cannot forge, and graceful shutdown with requests
// in flight. Uses raw sockets so that exactly the bytes under test are sent; requests to
// routes that need a session carry the default test account's cookie (and CSRF token).
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { checkResponse } from '../lib/cases.mjs';
import { formatRequest, RawConnection } from '../lib/http.mjs';
import { describeExit, waitForHealth } from '../lib/server.mjs';

const TEN_MB = 10 * 1024 * 1024;
const TIGHT_CONNECTIONS = 8;

const health = (headers = {}) => formatRequest('GET', '/api/v1/health', headers);

// Reads one response and fails unless its status is `status`; returns it.
async function expectStatus(conn, status, timeoutMs = 5000) {
  const res = await conn.readResponse(timeoutMs);
  if (res.status !== status) throw new Error(`status ${res.status}, expected ${status}`);
  checkResponse(res);
  return res;
}

async function keepAlive({ port }) {
  const conn = await RawConnection.open(port);
  try {
    await conn.write(health());
    const first = await expectStatus(conn, 200);
    if (conn.closed) throw new Error('the server closed the connection after the first response');
    await conn.write(health());
    const second = await expectStatus(conn, 200);
    if (first.headers['x-request-id'] === second.headers['x-request-id'])
      throw new Error('both requests got the same X-Request-Id');
  } finally {
    conn.destroy();
  }
}

async function pipelined({ port, world }) {
  const conn = await RawConnection.open(port);
  try {
    const region = formatRequest('GET', '/api/v1/regions/51', world.as().authHeaders('GET'));
    await conn.write(Buffer.concat([health(), region, health()]));
    await expectStatus(conn, 200);
    const answer = await expectStatus(conn, 200);
    if (!answer.bytes.toString().includes('510000000000'))
      throw new Error('the second response is not the region 51');
    await expectStatus(conn, 200);
  } finally {
    conn.destroy();
  }
}

async function headersTooLarge({ tightPort }) {
  const conn = await RawConnection.open(tightPort);
  try {
    await conn.write(health({ 'X-Padding': 'a'.repeat(5000) }));
    const res = await conn.readResponse(3000);
    if (res.status !== 431) throw new Error(`status ${res.status}, expected 431`);
  } finally {
    conn.destroy();
  }
}

// A POST that declares 10 MB and sends no body must be refused at once with 413.
async function declaredBodyTooLarge(port, extraHeaders) {
  const conn = await RawConnection.open(port);
  try {
    const started = Date.now();
    await conn.write(formatRequest('POST', '/api/v1/regions/resolve', {
      'Content-Type': 'application/json', 'Content-Length': TEN_MB, ...extraHeaders,
    }));
    const res = await conn.readResponse(1500);
    if (res.status === 100) throw new Error('100 Continue for a body it has to refuse');
    if (res.status !== 413) throw new Error(`status ${res.status}, expected 413`);
    const body = checkResponse(res);
    if (body.error.code !== 'body_too_large')
      throw new Error(`error code ${body.error.code}, expected body_too_large`);
    return `${Date.now() - started} ms`;
  } finally {
    conn.destroy();
  }
}

async function idleTimeout({ tightPort }) {
  const conn = await RawConnection.open(tightPort);
  try {
    const started = Date.now();
    await conn.write('GET /api/v1/hea');
    await conn.waitClose(6000).catch(() => {
      throw new Error('the connection was still open after 6 s');
    });
    const ms = Date.now() - started;
    if (ms < 1500) throw new Error(`closed after ${ms} ms, before the 2 s timeout`);
    return `closed after ${ms} ms`;
  } finally {
    conn.destroy();
  }
}

// What became of one connection too many: 'refused', 'closed', a status, or 'no answer'.
// With 8 connections held open on the tight server (--max-connections 8), a 9th is not
// served: libmicrohttpd stops accepting at the limit, so the 9th waits in the listen queue
// (as with nginx's worker_connections) until a slot frees, and is served then.
async function connectionLimit({ tightPort, tightBase }) {
  const held = [];
  let extra;
  try {
    for (let i = 0; i < TIGHT_CONNECTIONS; i++) held.push(await RawConnection.open(tightPort));
    await sleep(300);
    const open = held.filter((c) => !c.closed).length;
    if (open !== TIGHT_CONNECTIONS)
      throw new Error(`only ${open} of ${TIGHT_CONNECTIONS} connections stayed open (limit 8)`);
    extra = await RawConnection.open(tightPort, 1500);
    await extra.write(health());
    const early = await extra.readResponse(1000).then((r) => `status ${r.status}`, () => null);
    if (early) throw new Error(`connection ${TIGHT_CONNECTIONS + 1} was served (${early}) beyond the limit`);
    held.forEach((c) => c.destroy());
    const late = await extra.readResponse(3000);
    if (late.status !== 200)
      throw new Error(`connection ${TIGHT_CONNECTIONS + 1} got ${late.status} once a slot freed`);
  } finally {
    held.forEach((c) => c.destroy());
    if (extra) extra.destroy();
  }
  await waitForHealth(tightBase, 2000);
}

// A URL whose path decodes to a line break must not add a line of its own to the log. The
// server is one of its own, stopped before its log is read, as log lines may be buffered.
async function logInjection({ world }) {
  const server = await world.startServer('log-injection');
  const { logPath } = server;
  const marker = `FORGED-${process.pid}-${Date.now()}`;
  const conn = await RawConnection.open(server.port);
  try {
    await conn.write(formatRequest('GET', `/api/v1/regions/51%0D%0A${marker}%20GET%20/x%20200`));
    await conn.readResponse();
  } finally {
    conn.destroy();
    await server.stop();
  }
  const forged = fs.readFileSync(logPath, 'utf8').split(/\r?\n/).find((line) => line.startsWith(marker));
  if (forged) throw new Error(`the log got a forged line: ${JSON.stringify(forged)}`);
}

// 20 requests in flight on a server of its own when SIGTERM comes: 10 POSTs whose last body
// byte is held back until after the signal, and 10 GETs sent just before it. All must be
// answered 200 and the process must exit 0.
async function gracefulShutdown({ world }) {
  const server = await world.startServer('shutdown');
  const { logPath } = server;
  const viewer = world.as();
  const conns = [];
  try {
    for (let i = 0; i < 20; i++) conns.push(await RawConnection.open(server.port));
    const posts = conns.slice(0, 10);
    const gets = conns.slice(10);
    const body = JSON.stringify({ codes: ['510824', '5108'] });
    const post = formatRequest('POST', '/api/v1/regions/resolve', {
      'Content-Type': 'application/json', 'Content-Length': body.length, Connection: 'close',
      ...viewer.authHeaders('POST'),
    }, body);
    await Promise.all(posts.map((c) => c.write(post.subarray(0, -1))));
    await sleep(200);
    const get = formatRequest('GET', '/api/v1/regions/510824',
      { Connection: 'close', ...viewer.authHeaders('GET') });
    await Promise.all(gets.map((c) => c.write(get)));
    server.terminate();
    await sleep(200);
    await Promise.all(posts.map((c) => c.write(post.subarray(-1))));
    const answers = await Promise.allSettled(conns.map((c) => expectStatus(c, 200, 5000)));
    const failures = answers.filter((a) => a.status === 'rejected');
    if (failures.length)
      throw new Error(`${failures.length} of 20 requests failed, e.g. ${failures[0].reason.message}`);
    const exit = await server.waitExit(10000);
    if (!exit) throw new Error('still running 10 s after SIGTERM');
    if (exit.code !== 0 || exit.signal) throw new Error(`${describeExit(exit)} (see ${logPath})`);
  } finally {
    conns.forEach((c) => c.destroy());
    await server.kill();
  }
}

export const tests = [
  { name: 'keep-alive: two requests on one connection', fn: keepAlive },
  { name: 'keep-alive: three pipelined requests answered in order', fn: pipelined },
  { name: 'tight: headers over 4096 bytes get 431', fn: headersTooLarge },
  { name: 'tight: declared 10 MB body gets 413 without sending it',
    fn: ({ tightPort }) => declaredBodyTooLarge(tightPort, {}) },
  { name: 'tight: declared 10 MB body with Expect: 100-continue gets 413',
    fn: ({ tightPort }) => declaredBodyTooLarge(tightPort, { Expect: '100-continue' }) },
  { name: 'tight: a half-sent request is closed after the 2 s timeout', fn: idleTimeout },
  { name: 'tight: a 9th connection waits until one of 8 frees', fn: connectionLimit },
  { name: 'a line break in the URL cannot forge a log line', fn: logInjection },
  { name: 'graceful shutdown: 20 requests in flight complete, exit 0', fn: gracefulShutdown },
];
