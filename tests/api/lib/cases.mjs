// tests/api/lib/cases.mjs — the declarative API cases: loading tests/api/cases/**/*.json and
// checking one case against a server.
//
// A case file holds one case or a list of them:
//   {"name": "...", "server": "default"|"tight", "undocumented": true (optional),
//    "as": "<login>" | "token:<name>" | null (optional),
//    "csrf": false (optional),
//    "request": {"method", "path", "headers", "body" | "bodyBase64"},
//    "expect": {"status", "headers", "body"}}
// "as" names the caller (see fixtures.mjs): a signed-in account by login (default: the national
// viewer t.national, so that reference-data cases need not say), an API token of the fixtures,
// or null for an anonymous request. The runner adds the account's Cookie and, on anything but
// GET, its X-CSRF-Token (unless "csrf" is false); headers of the case win over both.
// Strings anywhere in request and expect may hold placeholders {{id:LOGIN}} (an account's id),
// {{token:NAME}} / {{secret:NAME}} (a fixture token's id / its mzt_ value), {{csrf:LOGIN}},
// {{repeat:N:TEXT}} (TEXT N times, for over-long values) and the registry fixtures'
// {{person:KEY}}, {{idnumber:KEY}}, {{masked:KEY}}, {{org:KEY}}, {{household:KEY}} … (see
// lib/registry.mjs).
// Non-ASCII characters of the path are percent-encoded (UTF-8), the rest is sent as written.
// A string body is sent as is, any other JSON value serialised (with Content-Type
// application/json unless the case sets one); bodyBase64 sends exact bytes (invalid UTF-8).
// expect.headers and expect.body are matched as subsets (see match.mjs).
import fs from 'node:fs';
import path from 'node:path';

import { decodeUtf8, send } from './http.mjs';
import { brief, describeMismatch, firstMismatch } from './match.mjs';

// All *.json files under dir, sorted, as paths relative to dir.
function caseFiles(dir) {
  return fs.readdirSync(dir, { recursive: true })
    .filter((file) => file.endsWith('.json'))
    .sort();
}

function checkShape(c) {
  if (typeof c.name !== 'string' || !c.name) throw new Error('a case without a name');
  if (typeof c.request?.path !== 'string') throw new Error(`${c.name}: request.path missing`);
  if (typeof c.expect?.status !== 'number') throw new Error(`${c.name}: expect.status missing`);
  if (c.server !== undefined && c.server !== 'default' && c.server !== 'tight')
    throw new Error(`${c.name}: server must be "default" or "tight"`);
  if (c.as !== undefined && c.as !== null && typeof c.as !== 'string')
    throw new Error(`${c.name}: "as" must be a login, "token:NAME" or null`);
}

const PLACEHOLDER = /\{\{(\w+):([^}]*)\}\}/g;

// value with every {{kind:arg}} of its strings replaced through lookup(kind, arg).
export function fillPlaceholders(value, lookup) {
  if (typeof value === 'string') return value.replace(PLACEHOLDER, (_, kind, arg) => lookup(kind, arg));
  if (Array.isArray(value)) return value.map((v) => fillPlaceholders(v, lookup));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillPlaceholders(v, lookup)]));
  return value;
}

// The cases of every file: [{file, ...case}], file being the path without ".json". A file
// that cannot be read or has a malformed case gives {file, loadError} instead.
export function loadCases(dir) {
  const cases = [];
  for (const file of caseFiles(dir)) {
    const label = file.slice(0, -'.json'.length);
    try {
      const parsed = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      const list = Array.isArray(parsed) ? parsed : [parsed];
      list.forEach(checkShape);
      cases.push(...list.map((c) => ({ file: label, ...c })));
    } catch (err) {
      cases.push({ file: label, loadError: err.message });
    }
  }
  return cases;
}

// The request of a case as {method, path, headers, body (Buffer or undefined)}.
function caseRequest({ method = 'GET', path: rawPath, headers = {}, body, bodyBase64 }) {
  const urlPath = rawPath.replace(/[^\x00-\x7f]+/gu, encodeURIComponent);
  if (bodyBase64 !== undefined)
    return { method, path: urlPath, headers, body: Buffer.from(bodyBase64, 'base64') };
  if (body === undefined || typeof body === 'string')
    return { method, path: urlPath, headers, body: body === undefined ? undefined : Buffer.from(body) };
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  const allHeaders = hasType ? headers : { ...headers, 'Content-Type': 'application/json' };
  return { method, path: urlPath, headers: allHeaders, body: Buffer.from(JSON.stringify(body)) };
}

// Checks what every response must satisfy: an X-Request-Id header, a JSON body when there is
// one, and for errors {"error": {"code": string, "message": non-empty string}} whose
// request_id, when given, is the header's. Returns the parsed body (undefined when empty).
export function checkResponse(res) {
  const requestId = res.headers['x-request-id'];
  if (!requestId) throw new Error(`status ${res.status} without an X-Request-Id header`);
  let body;
  if (res.bytes.length > 0) {
    try {
      body = JSON.parse(decodeUtf8(res.bytes));
    } catch (err) {
      const text = brief(res.bytes.toString('latin1'));
      throw new Error(`status ${res.status}, body is not JSON (${err.message}): ${text}`);
    }
  }
  if (res.status >= 400) checkErrorBody(res.status, body, requestId);
  return body;
}

function checkErrorBody(status, body, requestId) {
  const error = body?.error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string' || !error.message)
    throw new Error(`status ${status} without {"error":{"code","message"}}: ${brief(body)}`);
  if (error.request_id !== undefined && error.request_id !== requestId)
    throw new Error(`error.request_id ${brief(error.request_id)} is not the X-Request-Id ${requestId}`);
}

// Sends a case's request to base and throws an Error saying what differs from its expect.
// world (fixtures.mjs) supplies the caller of "as" and the placeholder values; without it
// the request is sent as written.
export async function runCase(c, base, vars, world) {
  const lookup = world ? (kind, arg) => world.lookup(kind, arg) : (kind, arg) => `{{${kind}:${arg}}}`;
  const request = fillPlaceholders(c.request, lookup);
  const expect = fillPlaceholders(c.expect, lookup);
  const caller = world ? world.as(c.as) : null;
  if (caller) {
    const auth = caller.authHeaders(request.method ?? 'GET', { csrf: c.csrf !== false });
    request.headers = { ...auth, ...(request.headers ?? {}) };
  }
  const res = await send(base, caseRequest(request));
  if (res.status !== expect.status) {
    throw new Error(`status ${res.status}, expected ${expect.status}: ${brief(res.bytes.toString('utf8'))}`);
  }
  const body = checkResponse(res);
  for (const [name, value] of Object.entries(expect.headers ?? {})) {
    const got = res.headers[name.toLowerCase()];
    const m = got === undefined
      ? { path: `header ${name}`, expected: value, got: '(missing)' }
      : firstMismatch(value, got, vars, `header ${name}`);
    if (m) throw new Error(describeMismatch(m));
  }
  if (expect.body !== undefined) {
    const m = firstMismatch(expect.body, body === undefined ? '(empty body)' : body, vars);
    if (m) throw new Error(describeMismatch(m));
  }
}
