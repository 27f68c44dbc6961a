// tests/api/lib/checks.mjs — small assertions the security scenarios share: error answers and
// audit-log look-ups through GET /api/v1/audit.

// Throws unless res is the error `code` with `status` (and, when given, the field).
export function expectError(res, status, code, field) {
  const got = res.body?.error;
  if (res.status !== status || got?.code !== code || (field !== undefined && got?.field !== field)) {
    const want = `${status} ${code}${field !== undefined ? ` (field ${field})` : ''}`;
    throw new Error(`expected ${want}, got ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  }
  return res;
}

// Throws unless res has `status`; returns its body.
export function expectStatus(res, status, what = 'request') {
  if (res.status !== status)
    throw new Error(`${what}: status ${res.status}, expected ${status}: ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body;
}

// Audit entries visible to `auditor` (a Client) matching the filters (an object of query
// parameters), newest first, following `next` up to `max` entries.
export async function auditEntries(base, auditor, filters = {}, max = 2000) {
  const items = [];
  let before = null;
  while (items.length < max) {
    const q = new URLSearchParams({ ...filters, limit: '500', ...(before ? { before } : {}) });
    const body = await auditor.expect(200, base, 'GET', `/api/v1/audit?${q}`);
    items.push(...body.items);
    if (!body.next) break;
    before = body.next;
  }
  return items;
}

// The entries written by the request whose X-Request-Id is requestId (narrowed by filters).
export async function entriesOf(base, auditor, requestId, filters = {}) {
  return (await auditEntries(base, auditor, filters)).filter((e) => e.request_id === requestId);
}

// Exactly one entry of requestId; checks the given fields of it and returns it.
export async function oneEntry(base, auditor, requestId, expected) {
  const filters = {};
  for (const key of ['action', 'actor', 'object_type', 'object_id'])
    if (expected[key === 'actor' ? 'actor_login' : key] !== undefined)
      filters[key] = expected[key === 'actor' ? 'actor_login' : key];
  const found = await entriesOf(base, auditor, requestId, filters);
  if (found.length !== 1) {
    throw new Error(`request ${requestId}: ${found.length} audit entries matching `
      + `${JSON.stringify(expected)}, expected exactly 1`);
  }
  for (const [key, value] of Object.entries(expected)) {
    if (found[0][key] !== value)
      throw new Error(`audit entry of ${requestId}: ${key} is ${JSON.stringify(found[0][key])}, expected ${JSON.stringify(value)}`);
  }
  return found[0];
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
