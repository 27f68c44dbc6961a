// tests/api/scenarios/scope.mjs — every operation of /api/v1/openapi.json against the access
// rules (GB/T 22239-2019 8.1.4.2 a) and f): deny by default, row scope by region, IDOR).
//
// ROUTES below says, for each operation, how to exercise it. The walk fails when openapi.json
// has an operation that is not in ROUTES (a new route cannot skip the scope test), when ROUTES
// names one that no longer exists, and when an operation's x-permission is not the one ROUTES
// expects. For every operation:
//   public (no x-permission)  it must be in ROUTES as public; anonymous calls are answered.
//   any other                 anonymous → 401; a signed-in account without the permission
//                             (an account with no role at all) → 403, unless the permission is
//                             "self" (every signed-in caller). These two checks run for every
//                             operation, in the table or not yet.
//   x-unscoped                a caller with the permission whose scope is 成都 (5101) reads or
//                             acts on 苍溪县 (510824) data and is answered 2xx (or the 4xx given).
//   scoped                    a caller with the permission whose scope is 成都 (5101) is refused
//                             the 苍溪县 object — 404 for items, lists without it, 422 for a
//                             region outside the scope — and nothing changes; the same call by a
//                             苍溪县 caller works (the control, so the 404 is about scope).
import { auditEntries, expectError, expectStatus } from '../lib/checks.mjs';
import { getJson } from '../lib/http.mjs';
import { signIn } from '../lib/session.mjs';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

// Fails unless every item of a list is in the 成都 scope and none is the object.
function onlyOutScope(items, id, what) {
  const stray = items.filter((i) => i.id === id || !String(i.region).startsWith('5101'));
  if (stray.length) throw new Error(`${what} shows ${stray.length} item(s) outside 成都, e.g. ${JSON.stringify(stray[0])}`);
}

async function allUsers(base, client) {
  const items = [];
  let after = '';
  for (;;) {
    const page = await client.expect(200, base, 'GET', `/api/v1/users?limit=200${after ? `&after=${after}` : ''}`);
    items.push(...page.items);
    if (!page.next) return items;
    after = page.next;
  }
}

// method, template → {perm, public?, unscoped?, request(o) → {path, body}, as?, status?,
// scoped?(ctx, o)}. o holds the objects of the walk: victim (an account of 苍溪县 no one signs
// in as), token (a token of 苍溪县), out (t.out's id).
const ROUTES = {
  'GET /api/v1/health': { public: true, request: () => ({ path: '/api/v1/health' }) },
  'GET /api/v1/openapi.json': { public: true, request: () => ({ path: '/api/v1/openapi.json' }) },
  'POST /api/v1/auth/login': {
    public: true, status: 401,
    request: () => ({ path: '/api/v1/auth/login', body: { login: 'nobody.scope', password: 'Wrong-Passw0rd' } }),
  },
  'POST /api/v1/auth/logout': {
    perm: 'self', unscoped: true, request: () => ({ path: '/api/v1/auth/logout' }),
    // its own session, so that the walk's callers stay signed in
    as: async ({ base, world }) => signIn(base, 't.out', world.as('t.out').password),
  },
  'GET /api/v1/auth/me': { perm: 'self', unscoped: true, request: () => ({ path: '/api/v1/auth/me' }) },
  'POST /api/v1/auth/password': {
    perm: 'self', unscoped: true, status: 422,
    request: () => ({ path: '/api/v1/auth/password', body: { old_password: 'Not-The-0ld-One', new_password: 'Sc0pe-Passw0rd!' } }),
  },
  'GET /api/v1/dicts': { perm: 'self', unscoped: true, request: () => ({ path: '/api/v1/dicts' }) },
  'GET /api/v1/regions': { perm: 'region:read', unscoped: true, request: () => ({ path: '/api/v1/regions?q=%E8%8B%8D%E6%BA%AA&under=5108' }) },
  'GET /api/v1/regions/{code}': { perm: 'region:read', unscoped: true, request: () => ({ path: '/api/v1/regions/510824' }) },
  'GET /api/v1/regions/{code}/children': { perm: 'region:read', unscoped: true, request: () => ({ path: '/api/v1/regions/510824/children' }) },
  'POST /api/v1/regions/resolve': { perm: 'region:read', unscoped: true, request: () => ({ path: '/api/v1/regions/resolve', body: { codes: ['510824'] } }) },

  'GET /api/v1/users': {
    perm: 'user:read', request: () => ({ path: '/api/v1/users' }),
    async scoped({ base, world }, o) {
      onlyOutScope(await allUsers(base, world.as('t.sys.out')), o.victim, '成都 系统管理员 GET /users');
      onlyOutScope(await allUsers(base, world.as('t.sec.out')), o.victim, '成都 安全管理员 GET /users');
      const q = await world.as('t.sys.out').expect(200, base, 'GET', '/api/v1/users?q=t.victim');
      if (q.items.length) throw new Error('成都 finds t.victim by name');
      const control = await world.as('t.sys').expect(200, base, 'GET', '/api/v1/users?q=t.victim');
      if (control.items.length !== 1) throw new Error('control: 苍溪县 does not find t.victim');
    },
  },
  'POST /api/v1/users': {
    perm: 'user:create', request: () => ({ path: '/api/v1/users', body: { login: 'w.any', display_name: 'x', region: '510824' } }),
    async scoped({ base, world }) {
      const login = `w.scope${Date.now().toString(36)}`;
      const body = { login, display_name: '范围', region: '510824' };
      expectError(await world.as('t.sys.out').post(base, '/api/v1/users', body), 422, 'validation_failed', 'region');
      expectError(await world.as('t.sys.out').post(base, '/api/v1/users', { ...body, region: '510824100' }), 422, 'validation_failed', 'region');
      expectStatus(await world.as('t.sys').post(base, '/api/v1/users', body), 201, 'control: 苍溪县 creates it');
    },
  },
  'GET /api/v1/users/{id}': {
    perm: 'user:read', request: (o) => ({ path: `/api/v1/users/${o.victim}` }),
    async scoped({ base, world }, o) {
      expectError(await world.as('t.sys.out').get(base, `/api/v1/users/${o.victim}`), 404, 'not_found');
      expectError(await world.as('t.sec.out').get(base, `/api/v1/users/${o.victim}`), 404, 'not_found');
      await world.as('t.sys').expect(200, base, 'GET', `/api/v1/users/${o.victim}`);
    },
  },
  'POST /api/v1/users/{id}/lock': {
    perm: 'user:lock', request: (o) => ({ path: `/api/v1/users/${o.victim}/lock` }),
    async scoped({ base, world }, o) {
      expectError(await world.as('t.sys.out').post(base, `/api/v1/users/${o.victim}/lock`), 404, 'not_found');
      const after = await world.as('t.sys').expect(200, base, 'GET', `/api/v1/users/${o.victim}`);
      if (after.user.locked) throw new Error('成都 locked the 苍溪县 account');
      await world.as('t.sys').expect(200, base, 'POST', `/api/v1/users/${o.victim}/lock`);
    },
  },
  'POST /api/v1/users/{id}/unlock': {
    perm: 'user:lock', request: (o) => ({ path: `/api/v1/users/${o.victim}/unlock` }),
    async scoped({ base, world }, o) {
      await world.as('t.sys').expect(200, base, 'POST', `/api/v1/users/${o.victim}/lock`);
      expectError(await world.as('t.sys.out').post(base, `/api/v1/users/${o.victim}/unlock`), 404, 'not_found');
      const after = await world.as('t.sys').expect(200, base, 'GET', `/api/v1/users/${o.victim}`);
      if (!after.user.locked) throw new Error('成都 unlocked the 苍溪县 account');
      await world.as('t.sys').expect(200, base, 'POST', `/api/v1/users/${o.victim}/unlock`);
    },
  },
  'POST /api/v1/users/{id}/reset-password': {
    perm: 'user:reset', request: (o) => ({ path: `/api/v1/users/${o.victim}/reset-password` }),
    async scoped({ base, world }, o) {
      const res = await world.as('t.sys.out').post(base, `/api/v1/users/${o.victim}/reset-password`);
      expectError(res, 404, 'not_found');
      if (JSON.stringify(res.body).includes('one_time_password')) throw new Error('a one-time password leaked');
      const resets = await auditEntries(base, world.as('t.aud'), { action: 'user.reset', object_id: o.victim });
      if (resets.some((e) => e.actor_login === 't.sys.out')) throw new Error('成都\'s reset was carried out');
      await world.as('t.sys').expect(200, base, 'POST', `/api/v1/users/${o.victim}/reset-password`);
    },
  },
  'PUT /api/v1/users/{id}/roles': {
    perm: 'user:assign', request: (o) => ({ path: `/api/v1/users/${o.victim}/roles`, body: { roles: ['viewer'] } }),
    async scoped({ base, world }, o) {
      expectError(await world.as('t.sec.out').put(base, `/api/v1/users/${o.victim}/roles`, { roles: ['auditor'] }), 404, 'not_found');
      const after = await world.as('t.sys').expect(200, base, 'GET', `/api/v1/users/${o.victim}`);
      if (after.user.roles.join() !== 'viewer') throw new Error(`成都 changed the roles to ${after.user.roles}`);
      await world.as('t.sec').expect(200, base, 'PUT', `/api/v1/users/${o.victim}/roles`, { roles: ['viewer'] });
    },
  },
  'GET /api/v1/users/{id}/phone': {
    perm: 'user:reveal', request: (o) => ({ path: `/api/v1/users/${o.victim}/phone` }),
    async scoped({ base, world }, o) {
      const phone = world.ids['t.phone'];
      expectError(await world.as('t.sys.out').get(base, `/api/v1/users/${phone}/phone`), 404, 'not_found');
      const reveals = await auditEntries(base, world.as('t.aud'), { action: 'user.reveal', object_id: phone });
      if (reveals.some((e) => e.actor_login === 't.sys.out')) throw new Error('成都\'s refused reveal was audited as a reveal');
      const control = await world.as('t.sys').expect(200, base, 'GET', `/api/v1/users/${phone}/phone`);
      if (!control.user.phone) throw new Error('control: no phone number');
    },
  },
  'GET /api/v1/tokens': {
    perm: 'token:manage', request: () => ({ path: '/api/v1/tokens' }),
    async scoped({ base, world }, o) {
      const out = await world.as('t.sec.out').expect(200, base, 'GET', '/api/v1/tokens');
      onlyOutScope(out.items, o.token.id, '成都 安全管理员 GET /tokens');
      const control = await world.as('t.sec').expect(200, base, 'GET', '/api/v1/tokens');
      if (!control.items.some((t) => t.id === o.token.id)) throw new Error('control: 苍溪县 does not list the token');
    },
  },
  'POST /api/v1/tokens': {
    perm: 'token:manage', request: () => ({ path: '/api/v1/tokens', body: { name: 'w', region: '510824', permissions: ['region:read'], days: 1 } }),
    async scoped({ base, world }) {
      const body = { name: 'w.scope', region: '510824', permissions: ['region:read'], days: 1 };
      expectError(await world.as('t.sec.out').post(base, '/api/v1/tokens', body), 422, 'validation_failed', 'region');
      expectStatus(await world.as('t.sec').post(base, '/api/v1/tokens', body), 201, 'control: 苍溪县 issues it');
    },
  },
  'DELETE /api/v1/tokens/{id}': {
    perm: 'token:manage', request: (o) => ({ path: `/api/v1/tokens/${o.token.id}` }),
    async scoped({ base, world }, o) {
      expectError(await world.as('t.sec.out').delete(base, `/api/v1/tokens/${o.token.id}`), 404, 'not_found');
      await o.token.client.expect(200, base, 'GET', '/api/v1/regions/51');
      await world.as('t.sec').expect(200, base, 'DELETE', `/api/v1/tokens/${o.token.id}`);
      expectError(await o.token.client.get(base, '/api/v1/regions/51'), 401, 'unauthenticated');
    },
  },
  'GET /api/v1/audit': {
    perm: 'audit:read', request: () => ({ path: '/api/v1/audit' }),
    async scoped({ base, world }, o) {
      const out = await auditEntries(base, world.as('t.aud.out'), {}, 5000);
      onlyOutScope(out.map((e) => ({ ...e, id: e.object_id })), o.victim, '成都 审计员 GET /audit');
      const byObject = await auditEntries(base, world.as('t.aud.out'), { object_id: o.victim });
      if (byObject.length) throw new Error('成都 reads entries of the 苍溪县 account');
      const control = await auditEntries(base, world.as('t.aud'), { object_id: o.victim });
      if (!control.length) throw new Error('control: 苍溪县 reads no entry of the account');
    },
  },
};

function operations(doc) {
  return Object.entries(doc.paths ?? {}).flatMap(([template, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ key: `${m.toUpperCase()} ${template}`, method: m.toUpperCase(), op: item[m] })));
}

async function fetchOperations(base) {
  const res = await getJson(base, '/api/v1/openapi.json');
  if (res.status !== 200) throw new Error(`openapi.json: status ${res.status}`);
  return operations(res.body);
}

// Every operation of openapi.json is in ROUTES, with the same permission, and vice versa.
async function tableComplete({ base }) {
  const ops = await fetchOperations(base);
  const problems = [];
  for (const { key, op } of ops) {
    const entry = ROUTES[key];
    if (!entry) {
      problems.push(`${key} (x-permission ${op['x-permission'] ?? 'none'}${op['x-unscoped'] ? ', x-unscoped' : ''}) is not in the scope table`);
      continue;
    }
    const perm = op['x-permission'];
    if (entry.public ? perm !== undefined : perm !== entry.perm)
      problems.push(`${key}: x-permission ${perm ?? 'none'}, the table expects ${entry.public ? 'none (public)' : entry.perm}`);
    if (!entry.public && Boolean(op['x-unscoped']) !== Boolean(entry.unscoped))
      problems.push(`${key}: x-unscoped is ${Boolean(op['x-unscoped'])}, the table expects ${Boolean(entry.unscoped)}`);
  }
  const known = new Set(ops.map((o) => o.key));
  for (const key of Object.keys(ROUTES)) if (!known.has(key)) problems.push(`${key} is in the scope table but not in openapi.json`);
  if (problems.length) throw new Error(problems.join('; '));
  return `${ops.length} operations`;
}

// The objects of the walk: a fresh 苍溪县 token; t.victim; an account without any role.
async function objects({ base, world }) {
  const token = await world.issueToken('scope-walk', 't.sec');
  const roleless = await world.newAccount({ prefix: 'w.norole', roles: [] });
  return { victim: world.ids['t.victim'], token, roleless };
}

// The request of an operation: the table's, or for one missing from the table (reported by
// tableComplete) every {param} as 1 and an empty body of the declared type — {} when openapi
// declares a JSON body, else an empty text/csv body (raw-body routes such as POST /imports
// declare none) — which is enough to be refused.
function requestOf(key, entry, o, op) {
  if (entry) return entry.request(o);
  const path = key.slice(key.indexOf(' ') + 1).replace(/\{[^}/]+\}/g, '1');
  if (op.requestBody?.content?.['application/json']) return { path, body: {} };
  return { path, body: '', headers: { 'Content-Type': 'text/csv' } };
}

async function call(client, base, method, { path, body, headers }) {
  return client.call(base, method, path, method === 'GET' || method === 'DELETE' ? undefined : body ?? {},
    { headers });
}

// Public operations answer anonymous callers; every other one answers them 401.
async function anonymousCalls(ctx) {
  const { base, world } = ctx;
  const o = await objects(ctx);
  const anon = world.as(null);
  const problems = [];
  for (const { key, method, op } of await fetchOperations(base)) {
    const entry = ROUTES[key];
    if (!entry && !op['x-permission']) continue; // a public operation missing from the table
    const res = await call(anon, base, method, requestOf(key, entry, o, op));
    const want = entry?.public ? (entry.status ?? 200) : 401;
    if (res.status !== want) problems.push(`${key}: anonymous got ${res.status}, expected ${want}`);
  }
  if (problems.length) throw new Error(problems.join('; '));
}

// Every operation that needs a permission refuses a signed-in account without it: 403.
async function withoutPermission(ctx) {
  const { base } = ctx;
  const o = await objects(ctx);
  const problems = [];
  let checked = 0;
  for (const { key, method, op } of await fetchOperations(base)) {
    const entry = ROUTES[key];
    const perm = op['x-permission'];
    if (!perm || perm === 'self') continue;
    const res = await call(o.roleless, base, method, requestOf(key, entry, o, op));
    checked++;
    if (res.status !== 403 || res.body?.error?.code !== 'forbidden')
      problems.push(`${key}: an account without ${perm} got ${res.status} ${res.body?.error?.code ?? ''}`);
  }
  if (problems.length) throw new Error(problems.join('; '));
  return `${checked} operations`;
}

// Unscoped operations: a 成都 caller with the permission works on 苍溪县 reference data.
async function unscopedCalls(ctx) {
  const { base, world } = ctx;
  const o = await objects(ctx);
  const problems = [];
  for (const { key, method } of await fetchOperations(base)) {
    const entry = ROUTES[key];
    if (!entry?.unscoped) continue;
    const caller = entry.as ? await entry.as(ctx) : world.as('t.out');
    const res = await call(caller, base, method, entry.request(o));
    const want = entry.status ?? 200;
    if (res.status !== want) problems.push(`${key}: the 成都 viewer got ${res.status}, expected ${want}`);
  }
  if (problems.length) throw new Error(problems.join('; '));
}

// Scoped operations: a 成都 caller with the permission is refused the 苍溪县 object.
async function scopedCalls(ctx) {
  const { base } = ctx;
  const o = await objects(ctx);
  const problems = [];
  let checked = 0;
  for (const { key } of await fetchOperations(base)) {
    const entry = ROUTES[key];
    if (!entry || entry.public || entry.unscoped) continue;
    checked++;
    try {
      await entry.scoped(ctx, o);
    } catch (err) {
      problems.push(`${key}: ${err.message}`);
    }
  }
  if (problems.length) throw new Error(problems.join('; '));
  return `${checked} operations`;
}

export const tests = [
  { name: 'every operation of openapi.json is in the scope table with its permission', fn: tableComplete },
  { name: 'every operation but the public ones answers anonymous callers 401', fn: anonymousCalls },
  { name: 'every operation refuses a signed-in account without its permission (403)', fn: withoutPermission },
  { name: 'unscoped operations: a 成都 caller reads 苍溪县 reference data', fn: unscopedCalls },
  { name: 'scoped operations: a 成都 caller with the permission cannot see or touch 苍溪县 objects', fn: scopedCalls },
];
