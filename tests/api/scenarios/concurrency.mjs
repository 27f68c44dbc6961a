// tests/api/scenarios/concurrency.mjs — 64 keep-alive clients hammer the default server for
// 10 s with a mix of region, children, search and health requests on real codes, signed in as
// the default test account (every request checks the session); not one transport error or
// non-2xx answer is allowed.
import http from 'node:http';

import { getJson, send } from '../lib/http.mjs';

const CLIENTS = 64;
const DURATION_MS = 10 * 1000;
const REQUEST_TIMEOUT_MS = 30 * 1000;

async function children(base, code, headers) {
  const res = await getJson(base, `/api/v1/regions/${code}/children?limit=500`, { headers });
  if (res.status !== 200) throw new Error(`children of ${code}: status ${res.status}`);
  return res.body.items;
}

// Real regions of every level: 四川's cities, the counties of three of them, 苍溪's townships
// and the villages of one township.
async function sampleRegions(base, headers) {
  const cities = await children(base, '51', headers);
  const counties = (await Promise.all(cities.slice(0, 3).map((c) => children(base, c.code, headers)))).flat();
  const townships = await children(base, '510824', headers);
  const villages = await children(base, townships[0].code, headers);
  const all = [...cities, ...counties, ...townships, ...villages];
  if (all.length < 100) throw new Error(`only ${all.length} regions to sample from`);
  return all;
}

const pick = (list) => list[Math.floor(Math.random() * list.length)];

// The shortest form of a 12-digit code: 2, 4, 6, 9 or 12 digits, dropping trailing zeros.
function shortCode(code) {
  const length = [2, 4, 6, 9].find((n) => /^0*$/.test(code.slice(n))) ?? 12;
  return code.slice(0, length);
}

// A random request path of the mix.
function randomPath(regions) {
  const region = pick(regions);
  const name = [...region.name];
  const q = encodeURIComponent(name.slice(0, 1 + Math.floor(Math.random() * name.length)).join(''));
  const paths = [
    () => `/api/v1/regions/${region.code}`,
    () => `/api/v1/regions/${shortCode(region.code)}`,
    () => `/api/v1/regions/${region.code}/children?limit=${1 + Math.floor(Math.random() * 50)}`,
    () => `/api/v1/regions?q=${q}&limit=10`,
    () => `/api/v1/regions?q=${q}&under=51&level=${region.level}`,
    () => '/api/v1/health',
  ];
  return pick(paths)();
}

// One client: requests one after another until the deadline, counting into stats.
async function client(base, agent, regions, headers, deadline, stats) {
  while (Date.now() < deadline) {
    const path = randomPath(regions);
    try {
      const res = await send(base, { path, headers }, { agent, timeoutMs: REQUEST_TIMEOUT_MS });
      stats.total++;
      if (res.status < 200 || res.status > 299) {
        stats.non2xx++;
        stats.examples.push(`${path}: status ${res.status}`);
      }
    } catch (err) {
      stats.total++;
      stats.errors++;
      stats.examples.push(`${path}: ${err.code ?? err.message}`);
    }
  }
}

async function hammer({ base, world }) {
  const headers = world.as().authHeaders('GET');
  const regions = await sampleRegions(base, headers);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const stats = { total: 0, errors: 0, non2xx: 0, examples: [] };
  const started = Date.now();
  try {
    const deadline = started + DURATION_MS;
    await Promise.all(Array.from({ length: CLIENTS },
      () => client(base, agent, regions, headers, deadline, stats)));
  } finally {
    agent.destroy();
  }
  const seconds = (Date.now() - started) / 1000;
  const rate = Math.round(stats.total / seconds);
  const summary = `${stats.total} requests in ${seconds.toFixed(1)} s, ${rate}/s`;
  if (stats.errors || stats.non2xx) {
    throw new Error(`${summary}: ${stats.errors} errors, ${stats.non2xx} non-2xx; `
      + `first: ${stats.examples.slice(0, 3).join('; ')}`);
  }
  return summary;
}

export const tests = [
  { name: `${CLIENTS} keep-alive clients for ${DURATION_MS / 1000} s, no errors`, fn: hammer },
];
