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
import { auditEntries, entriesOf, expectError, expectStatus } from '../lib/checks.mjs';
import { decodeUtf8, getJson, send } from '../lib/http.mjs';
import { apply as applyCase, newHousehold as newAssistHousehold, send as sendWithKey } from '../lib/assist.mjs';
import { creditCode, maskId, personNumber } from '../lib/registry.mjs';
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

// ---------------------------------------------------------------- registry helpers

// Fresh 苍溪县 objects for the registry rows (numbers of lib/registry.mjs's scope-walk range).
let walkSerial = 0;
async function walkPerson({ base, world }, name) {
  const n = personNumber('1945-01-01', walkSerial++, walkSerial % 2 ? '401' : '402');
  const p = await world.as('t.intake').expect(201, base, 'POST', '/api/v1/persons',
    { id_number: n.idNumber, name, region: '510824' });
  return { ...p, idNumber: n.idNumber };
}

function walkCreditCode() {
  return creditCode('51', '510824', `7002${String(walkSerial++).padStart(4, '0')}`);
}

async function walkHousehold(ctx, name) {
  const head = await walkPerson(ctx, name);
  return ctx.world.as('t.intake').expect(201, ctx.base, 'POST', '/api/v1/households',
    { region: '510824', head_person_id: head.id });
}

// A household of 苍溪县 with a pending request filed by t.intake: {hid, rid}.
async function walkRequest(ctx, name) {
  const h = await walkHousehold(ctx, name);
  const r = await ctx.world.as('t.intake').expect(201, ctx.base, 'POST', `/api/v1/households/${h.id}/requests`,
    { kind: 'move_region', payload: { region: '510824100' } });
  return { hid: h.id, rid: r.id };
}

// GET of a file: {status, type, text (UTF-8, byte-order mark dropped), bytes}.
async function download(base, client, path) {
  const res = await send(base, { path, headers: client.authHeaders('GET') });
  const text = /^text\/csv/.test(res.headers['content-type']) ? decodeUtf8(res.bytes) : '';
  return { status: res.status, type: res.headers['content-type'], text, bytes: res.bytes,
    requestId: res.headers['x-request-id'] };
}

// ---------------------------------------------------------------- payroll helpers

// A fresh draft batch of 苍溪县 for month (no cases yet: an empty batch).
async function payrollBatch({ base, world }, month) {
  return world.as('t.payer').expect(201, base, 'POST', '/api/v1/assist/payrolls', { county: '510824', month });
}

// A read of a 苍溪县 batch: 404 for 成都's 资金发放员, 200 for 苍溪县's.
function payrollRead(suffix, month) {
  return {
    perm: 'assist:payroll', request: () => ({ path: `/api/v1/assist/payrolls/1${suffix}` }),
    async scoped({ base, world }) {
      const b = await payrollBatch({ base, world }, month);
      const path = `/api/v1/assist/payrolls/${b.id}${suffix}`;
      expectError(await world.as('t.payer.out').get(base, path), 404, 'not_found', 'id');
      await world.as('t.payer').expect(200, base, 'GET', path);
    },
  };
}

// POST /api/v1/imports?QUERY with a CSV body: {status, body}.
async function postCsv(base, client, query, csv) {
  const res = await send(base, { method: 'POST', path: `/api/v1/imports?${query}`,
    headers: { ...client.authHeaders('POST'), 'Content-Type': 'text/csv' }, body: Buffer.from(csv) });
  return { status: res.status, body: JSON.parse(decodeUtf8(res.bytes)) };
}

// The data lines of a CSV export (without its header).
const dataLines = (text) => text.trim().split('\r\n').slice(1);

// An export by 成都's clerk leaves out the 苍溪县 object, refuses `under` 苍溪县 (400); the
// county clerk's export has it. kind: persons | organisations; key/name/mark: the object's key,
// name and what its row shows.
async function exportScoped({ base, world }, kind, format, key, name, mark) {
  const out = world.as('t.intake.out');
  const path = `/api/v1/exports/${kind}.${format}`;
  expectError(await out.get(base, `${path}?under=510824`), 400, 'invalid_field', 'under');
  const rows = async (client, query) => {
    const d = await download(base, client, `${path}?${query}`);
    if (d.status !== 200) throw new Error(`${client.name} ${path}?${query}: status ${d.status}`);
    if (format === 'csv') return dataLines(d.text).filter((l) => l.includes(mark)).length;
    if (d.bytes.subarray(0, 2).toString() !== 'PK') throw new Error(`${path}: not an xlsx file`);
    const action = `${kind === 'persons' ? 'person' : 'organisation'}.export`;
    const [entry] = await entriesOf(base, world.as('auditor'), d.requestId, { action });
    return Number(/rows=(\d+)/.exec(entry?.detail ?? '')?.[1] ?? NaN);
  };
  for (const query of [`key=${key}`, `name=${encodeURIComponent(name)}`]) {
    const n = await rows(out, query);
    if (n !== 0) throw new Error(`成都's export ${path}?${query} has ${n} row(s) of the 苍溪县 object`);
  }
  const control = await rows(world.as('t.intake'), `key=${key}`);
  if (control !== 1) throw new Error(`control: 苍溪县's export ${path} has ${control} rows of it`);
}

// Fails unless none of `who` finds the object by any of the queries; the county viewer does.
async function searchesScoped({ base, world }, path, queries, id, who = ['t.out', 't.intake.out']) {
  for (const q of queries) {
    for (const login of who) {
      const r = await world.as(login).expect(200, base, 'GET', `${path}?${q}`);
      onlyOutScope(r.items, id, `成都 ${login} GET ${path}?${q}`);
    }
  }
  const control = await world.as('t.county').expect(200, base, 'GET', `${path}?${queries[0]}`);
  if (!control.items.some((i) => i.id === id)) throw new Error(`control: 苍溪县 does not find it by ${queries[0]}`);
}

async function notFoundFor(logins, { base, world }, method, path, body) {
  for (const login of logins)
    expectError(await world.as(login).call(base, method, path, body), 404, 'not_found');
}

// method, template → {perm, public?, unscoped?, request(o) → {path, body, headers?}, as?,
// status?, scoped?(ctx, o)}. o holds the objects of the walk: victim (an account of 苍溪县 no
// one signs in as), token (a token of 苍溪县), out (t.out's id), reg (the registry fixtures of
// lib/registry.mjs).
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
  'GET /api/v1/calendar': { perm: 'self', unscoped: true, request: () => ({ path: '/api/v1/calendar?year=2026' }) },
  // the national calendar: a city's system administrator is refused, the national one is not
  'PUT /api/v1/calendar/{day}': {
    perm: 'calendar:write', request: () => ({ path: '/api/v1/calendar/2031-01-01', body: { kind: 'OFF', name: '元旦', source: 'w' } }),
    async scoped({ base, world }) {
      const body = { kind: 'OFF', name: '元旦', source: 'w.scope' };
      expectError(await world.as('t.sys.out').put(base, '/api/v1/calendar/2031-01-01', body), 403, 'forbidden');
      const year = await world.as('t.county').expect(200, base, 'GET', '/api/v1/calendar?year=2031');
      if (year.days.length) throw new Error('成都 edited the national calendar');
      await world.as('admin').expect(200, base, 'PUT', '/api/v1/calendar/2031-01-01', body);
      await world.as('admin').expect(200, base, 'DELETE', '/api/v1/calendar/2031-01-01');
    },
  },
  'DELETE /api/v1/calendar/{day}': {
    perm: 'calendar:write', request: () => ({ path: '/api/v1/calendar/2031-01-02' }),
    async scoped({ base, world }) {
      await world.as('admin').expect(200, base, 'PUT', '/api/v1/calendar/2031-01-02', { kind: 'OFF', name: '元旦', source: 'w' });
      expectError(await world.as('t.sys.out').delete(base, '/api/v1/calendar/2031-01-02'), 403, 'forbidden');
      await world.as('admin').expect(200, base, 'DELETE', '/api/v1/calendar/2031-01-02');
    },
  },
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
  // ---------------------------------------------------------------- the registry (issue #5)
  'GET /api/v1/persons': {
    perm: 'person:read', request: (o) => ({ path: `/api/v1/persons?key=${o.reg.persons.zhang.idNumber}` }),
    async scoped(ctx, o) {
      const z = o.reg.persons.zhang;
      await searchesScoped(ctx, '/api/v1/persons',
        [`key=${z.idNumber}`, `name=${encodeURIComponent(z.name)}`, 'under=510824', 'under=51&limit=200'], z.id);
    },
  },
  'POST /api/v1/persons': {
    perm: 'person:write',
    request: () => ({ path: '/api/v1/persons', body: { id_number: personNumber('1945-01-01', 9999, '401').idNumber, name: 'x', region: '510824' } }),
    async scoped({ base, world }) {
      const n = personNumber('1945-01-01', walkSerial++, '401');
      const body = { id_number: n.idNumber, name: '范围', region: '510824' };
      expectError(await world.as('t.intake.out').post(base, '/api/v1/persons', body), 422, 'validation_failed', 'region');
      expectError(await world.as('t.intake.out').post(base, '/api/v1/persons', { ...body, region: '510824100' }), 422, 'validation_failed', 'region');
      const none = await world.as('t.county').expect(200, base, 'GET', `/api/v1/persons?key=${n.idNumber}`);
      if (none.total !== 0) throw new Error('成都 registered a 苍溪县 person');
      expectStatus(await world.as('t.intake').post(base, '/api/v1/persons', body), 201, 'control: 苍溪县 registers it');
    },
  },
  'GET /api/v1/persons/{id}': {
    perm: 'person:read', request: (o) => ({ path: `/api/v1/persons/${o.reg.persons.zhang.id}` }),
    async scoped(ctx, o) {
      const path = `/api/v1/persons/${o.reg.persons.zhang.id}`;
      await notFoundFor(['t.out', 't.intake.out', 't.approver.out'], ctx, 'GET', path);
      await ctx.world.as('t.county').expect(200, ctx.base, 'GET', path);
    },
  },
  'PATCH /api/v1/persons/{id}': {
    perm: 'person:write', request: (o) => ({ path: `/api/v1/persons/${o.reg.persons.zhang.id}`, body: { version: 1, name: 'x' } }),
    async scoped(ctx) {
      const { base, world } = ctx;
      const p = await walkPerson(ctx, '改不了');
      const path = `/api/v1/persons/${p.id}`;
      await notFoundFor(['t.intake.out'], ctx, 'PATCH', path, { version: 1, name: '越权改名' });
      const after = await world.as('t.county').expect(200, base, 'GET', path);
      if (after.name !== '改不了' || after.version !== 1 || after.history.length !== 1) throw new Error('成都 changed the person');
      await world.as('t.intake').expect(200, base, 'PATCH', path, { version: 1, name: '改得了' });
    },
  },
  'GET /api/v1/persons/{id}/reveal': {
    perm: 'person:reveal', request: (o) => ({ path: `/api/v1/persons/${o.reg.persons.zhang.id}/reveal` }),
    async scoped(ctx, o) {
      const z = o.reg.persons.zhang;
      const path = `/api/v1/persons/${z.id}/reveal`;
      for (const login of ['t.intake.out', 't.approver.out']) {
        const res = await ctx.world.as(login).get(ctx.base, path);
        expectError(res, 404, 'not_found');
        if (JSON.stringify(res.body).includes(z.idNumber)) throw new Error('the number leaked');
      }
      const reveals = await auditEntries(ctx.base, ctx.world.as('auditor'), { action: 'person.reveal', object_id: z.id });
      if (reveals.some((e) => e.actor_login.endsWith('.out'))) throw new Error('a refused reveal was audited as a reveal');
      const control = await ctx.world.as('t.intake').expect(200, ctx.base, 'GET', path);
      if (control.id_number !== z.idNumber) throw new Error('control: the number is not revealed');
    },
  },
  'GET /api/v1/persons/duplicates': {
    perm: 'person:read', request: () => ({ path: '/api/v1/persons/duplicates?under=510824' }),
    async scoped({ base, world }, o) {
      const dup = o.reg.persons['dup.a'];
      for (const login of ['t.out', 't.intake.out']) {
        const all = await world.as(login).expect(200, base, 'GET', '/api/v1/persons/duplicates?limit=500');
        const stray = all.groups.filter((g) => !g.region.startsWith('5101'));
        if (stray.length) throw new Error(`成都 ${login} sees duplicate groups of ${stray[0].region}`);
        expectError(await world.as(login).get(base, '/api/v1/persons/duplicates?under=510824'), 400, 'invalid_field', 'under');
      }
      const control = await world.as('t.county').expect(200, base, 'GET', '/api/v1/persons/duplicates?under=510824&limit=500');
      const group = control.groups.find((g) => g.name === dup.name);
      if (!group || group.persons.length !== 2 || !group.persons.some((p) => p.id === dup.id))
        throw new Error('control: 苍溪县 does not see its duplicate pair');
    },
  },
  'GET /api/v1/organisations': {
    perm: 'org:read', request: (o) => ({ path: `/api/v1/organisations?key=${o.reg.orgs.main.code}` }),
    async scoped(ctx, o) {
      const m = o.reg.orgs.main;
      await searchesScoped(ctx, '/api/v1/organisations',
        [`key=${m.code}`, `name=${encodeURIComponent(m.name)}`, 'under=510824', 'under=51&limit=200'], m.id, ['t.out', 't.approver.out']);
    },
  },
  'POST /api/v1/organisations': {
    perm: 'org:write',
    request: () => ({ path: '/api/v1/organisations', body: { credit_code: creditCode('51', '510824', '70029999'), name: 'x', org_type: 'other', region: '510824' } }),
    async scoped({ base, world }) {
      const body = { credit_code: walkCreditCode(), name: '范围社团', org_type: 'social_group', region: '510824' };
      expectError(await world.as('t.approver.out').post(base, '/api/v1/organisations', body), 422, 'validation_failed', 'region');
      const none = await world.as('t.county').expect(200, base, 'GET', `/api/v1/organisations?key=${body.credit_code}`);
      if (none.total !== 0) throw new Error('成都 registered a 苍溪县 organisation');
      expectStatus(await world.as('t.approver').post(base, '/api/v1/organisations', body), 201, 'control: 苍溪县 registers it');
    },
  },
  'GET /api/v1/organisations/{id}': {
    perm: 'org:read', request: (o) => ({ path: `/api/v1/organisations/${o.reg.orgs.main.id}` }),
    async scoped(ctx, o) {
      const path = `/api/v1/organisations/${o.reg.orgs.main.id}`;
      await notFoundFor(['t.out', 't.approver.out'], ctx, 'GET', path);
      await ctx.world.as('t.county').expect(200, ctx.base, 'GET', path);
    },
  },
  'PATCH /api/v1/organisations/{id}': {
    perm: 'org:write', request: (o) => ({ path: `/api/v1/organisations/${o.reg.orgs.main.id}`, body: { version: 1, name: 'x' } }),
    async scoped({ base, world }) {
      const org = await world.as('t.approver').expect(201, base, 'POST', '/api/v1/organisations',
        { credit_code: walkCreditCode(), name: '改不了社团', org_type: 'social_group', region: '510824' });
      const path = `/api/v1/organisations/${org.id}`;
      expectError(await world.as('t.approver.out').call(base, 'PATCH', path, { version: 1, status: 'revoked' }), 404, 'not_found');
      const after = await world.as('t.county').expect(200, base, 'GET', path);
      if (after.status !== 'active' || after.version !== 1) throw new Error('成都 changed the organisation');
      await world.as('t.approver').expect(200, base, 'PATCH', path, { version: 1, status: 'revoked' });
    },
  },
  'GET /api/v1/households': {
    perm: 'household:read', request: () => ({ path: '/api/v1/households?under=510824' }),
    async scoped(ctx, o) {
      const p = o.reg.persons;
      await searchesScoped(ctx, '/api/v1/households',
        [`person_id=${p['hm.child'].id}`, `head_name=${encodeURIComponent(p['hm.head'].name)}`, 'under=510824', 'under=51&limit=200'],
        o.reg.households.main);
    },
  },
  'POST /api/v1/households': {
    perm: 'household:write', request: (o) => ({ path: '/api/v1/households', body: { region: '510824', head_person_id: o.reg.persons['hm.free'].id } }),
    async scoped(ctx) {
      const { base, world } = ctx;
      const head = await walkPerson(ctx, '范围户主');
      const out = world.as('t.intake.out');
      expectError(await out.post(base, '/api/v1/households', { region: '510824', head_person_id: head.id }), 422, 'validation_failed', 'region');
      expectError(await out.post(base, '/api/v1/households', { region: '510104', head_person_id: head.id }), 422, 'validation_failed', 'head_person_id');
      const none = await world.as('t.county').expect(200, base, 'GET', `/api/v1/households?person_id=${head.id}`);
      if (none.total !== 0) throw new Error('成都 made a household of a 苍溪县 person');
      await world.as('t.intake').expect(201, base, 'POST', '/api/v1/households', { region: '510824', head_person_id: head.id });
    },
  },
  'GET /api/v1/households/{id}': {
    perm: 'household:read', request: (o) => ({ path: `/api/v1/households/${o.reg.households.main}` }),
    async scoped(ctx, o) {
      const path = `/api/v1/households/${o.reg.households.main}`;
      await notFoundFor(['t.out', 't.intake.out', 't.reviewer.out'], ctx, 'GET', path);
      await ctx.world.as('t.county').expect(200, ctx.base, 'GET', path);
    },
  },
  'POST /api/v1/households/{id}/requests': {
    perm: 'household:write',
    request: (o) => ({ path: `/api/v1/households/${o.reg.households.main}/requests`, body: { kind: 'move_region', payload: { region: '510824100' } } }),
    async scoped(ctx) {
      const { base, world } = ctx;
      const h = await walkHousehold(ctx, '申请范围');
      const path = `/api/v1/households/${h.id}/requests`;
      await notFoundFor(['t.intake.out'], ctx, 'POST', path, { kind: 'move_region', payload: { region: '510104' } });
      await notFoundFor(['t.intake.out'], ctx, 'POST', path, { kind: 'move_region', payload: { region: '510824100' } });
      const after = await world.as('t.county').expect(200, base, 'GET', `/api/v1/households/${h.id}`);
      if (after.requests.length) throw new Error('成都 filed a request on a 苍溪县 household');
      await world.as('t.intake').expect(201, base, 'POST', path, { kind: 'move_region', payload: { region: '510824100' } });
    },
  },
  'POST /api/v1/households/{id}/requests/{rid}/apply': {
    perm: 'household:decide',
    request: (o) => ({ path: `/api/v1/households/${o.reg.households.pending}/requests/${o.reg.requests.pending}/apply` }),
    async scoped(ctx) {
      const { base, world } = ctx;
      const { hid, rid } = await walkRequest(ctx, '批准范围');
      const path = `/api/v1/households/${hid}/requests/${rid}/apply`;
      await notFoundFor(['t.reviewer.out', 't.approver.out'], ctx, 'POST', path, {});
      const after = await world.as('t.county').expect(200, base, 'GET', `/api/v1/households/${hid}`);
      if (after.requests[0]?.status !== 'pending' || after.region !== '510824000000') throw new Error('成都 applied the request');
      await world.as('t.reviewer').expect(200, base, 'POST', path, {});
    },
  },
  'POST /api/v1/households/{id}/requests/{rid}/reject': {
    perm: 'household:decide',
    request: (o) => ({ path: `/api/v1/households/${o.reg.households.pending}/requests/${o.reg.requests.pending}/reject`, body: { reason: 'x' } }),
    async scoped(ctx) {
      const { base, world } = ctx;
      const { hid, rid } = await walkRequest(ctx, '驳回范围');
      const path = `/api/v1/households/${hid}/requests/${rid}/reject`;
      await notFoundFor(['t.reviewer.out', 't.approver.out'], ctx, 'POST', path, { reason: '越权驳回' });
      const after = await world.as('t.county').expect(200, base, 'GET', `/api/v1/households/${hid}`);
      if (after.requests[0]?.status !== 'pending') throw new Error('成都 rejected the request');
      await world.as('t.approver').expect(200, base, 'POST', path, { reason: '驳回' });
    },
  },
  'POST /api/v1/imports': {
    perm: 'registry:import',
    request: () => ({ path: '/api/v1/imports?entity=persons', body: 'id_number,name,region\n', headers: { 'Content-Type': 'text/csv' } }),
    async scoped({ base, world }, o) {
      const z = o.reg.persons.zhang;
      const fresh = personNumber('1945-01-01', walkSerial++, '401').idNumber;
      const csv = `id_number,name,region\n${z.idNumber},越权改名,510104\n${fresh},越权新增,510824\n`;
      const res = await postCsv(base, world.as('t.intake.out'), 'entity=persons', csv);
      if (res.status !== 200 || res.body.inserted !== 0 || res.body.updated !== 0 || res.body.rejected !== 2)
        throw new Error(`成都's import of 苍溪县 rows: ${res.status} ${JSON.stringify(res.body)}`);
      const zhang = await world.as('t.county').expect(200, base, 'GET', `/api/v1/persons/${z.id}`);
      if (zhang.name !== z.name || zhang.region !== '510824000000' || zhang.version !== 1) throw new Error('成都\'s import changed a 苍溪县 person');
      const none = await world.as('t.county').expect(200, base, 'GET', `/api/v1/persons?key=${fresh}`);
      if (none.total !== 0) throw new Error('成都 imported a 苍溪县 person');
      const mine = await postCsv(base, world.as('t.intake'), 'entity=persons', `id_number,name,region\n${fresh},范围导入,510824\n`);
      if (mine.status !== 200 || mine.body.inserted !== 1) throw new Error(`control: 苍溪县's import: ${JSON.stringify(mine.body)}`);
    },
  },
  'GET /api/v1/imports/{id}/report': {
    perm: 'registry:import', request: () => ({ path: '/api/v1/imports/1/report' }),
    async scoped({ base, world }) {
      const made = await postCsv(base, world.as('t.intake'), 'entity=persons', 'id_number,name,region\n510104198503120118,坏号,510824\n');
      if (made.status !== 200) throw new Error(`import: ${made.status}`);
      const path = `/api/v1/imports/${made.body.report_id}/report`;
      const out = await download(base, world.as('t.intake.out'), path);
      if (out.status !== 404) throw new Error(`成都 reads the 苍溪县 import report: ${out.status}`);
      const control = await download(base, world.as('t.intake'), path);
      if (control.status !== 200 || !control.text.includes('id_number')) throw new Error(`control: ${control.status}`);
    },
  },
  'GET /api/v1/exports/persons.csv': {
    perm: 'registry:export', request: () => ({ path: '/api/v1/exports/persons.csv?under=510824' }),
    scoped: (ctx, o) => exportScoped(ctx, 'persons', 'csv', o.reg.persons.zhang.idNumber, o.reg.persons.zhang.name, maskId(o.reg.persons.zhang.idNumber)),
  },
  'GET /api/v1/exports/persons.xlsx': {
    perm: 'registry:export', request: () => ({ path: '/api/v1/exports/persons.xlsx?under=510824' }),
    scoped: (ctx, o) => exportScoped(ctx, 'persons', 'xlsx', o.reg.persons.zhang.idNumber, o.reg.persons.zhang.name),
  },
  'GET /api/v1/exports/organisations.csv': {
    perm: 'registry:export', request: () => ({ path: '/api/v1/exports/organisations.csv?under=510824' }),
    scoped: (ctx, o) => exportScoped(ctx, 'organisations', 'csv', o.reg.orgs.main.code, o.reg.orgs.main.name, o.reg.orgs.main.code),
  },
  'GET /api/v1/exports/organisations.xlsx': {
    perm: 'registry:export', request: () => ({ path: '/api/v1/exports/organisations.xlsx?under=510824' }),
    scoped: (ctx, o) => exportScoped(ctx, 'organisations', 'xlsx', o.reg.orgs.main.code, o.reg.orgs.main.name),
  },
  // ---------------------------------------------------------------- assistance standards (issue #10)
  'POST /api/v1/assist/standards': {
    perm: 'assist:standard:write',
    request: () => ({ path: '/api/v1/assist/standards', body: { region: '510824', kind: 'tekun_care_3', amount_fen: 1, period: 'month', effective_from: '2001-01', source: 'w' } }),
    async scoped({ base, world }) {
      const body = { region: '510824', kind: 'tekun_care_3', amount_fen: 12345, period: 'month', effective_from: '2001-02', source: 'w.scope' };
      expectError(await world.as('t.approver.out').post(base, '/api/v1/assist/standards', body), 422, 'validation_failed', 'region');
      expectError(await world.as('t.approver.out').post(base, '/api/v1/assist/standards', { ...body, region: '51' }), 422, 'validation_failed', 'region');
      const hist = await world.as('t.county').expect(200, base, 'GET', '/api/v1/assist/standards/history?kind=tekun_care_3');
      if (hist.items.some((i) => i.source === 'w.scope')) throw new Error('成都 set a 苍溪县 standard');
      expectStatus(await world.as('t.approver').post(base, '/api/v1/assist/standards', body), 201, 'control: 苍溪县 sets it');
    },
  },
  'GET /api/v1/assist/standards': {
    perm: 'assist:standard:read', request: () => ({ path: '/api/v1/assist/standards?kind=tekun_care_3&region=510824' }),
    async scoped({ base, world }) {
      await world.as('t.approver').expect(201, base, 'POST', '/api/v1/assist/standards',
        { region: '510824', kind: 'tekun_care_3', amount_fen: 2000, period: 'month', effective_from: '2001-03', source: 'w.read' });
      const path = '/api/v1/assist/standards?kind=tekun_care_3&region=510824&month=2001-03';
      for (const login of ['t.out', 't.approver.out'])
        expectError(await world.as(login).get(base, path), 400, 'invalid_field', 'region');
      const own = await world.as('t.out').get(base, '/api/v1/assist/standards?kind=tekun_care_3&month=2001-03');
      if (own.status !== 404) throw new Error(`成都 reads a standard of its own region: ${own.status} ${JSON.stringify(own.body)}`);
      const control = await world.as('t.county').expect(200, base, 'GET', path);
      if (control.source !== 'w.read') throw new Error('control: 苍溪县 does not read its standard');
    },
  },
  'GET /api/v1/assist/standards/history': {
    perm: 'assist:standard:read', request: () => ({ path: '/api/v1/assist/standards/history?kind=tekun_care_3&region=510824' }),
    async scoped({ base, world }) {
      await world.as('t.approver').expect(201, base, 'POST', '/api/v1/assist/standards',
        { region: '510824', kind: 'tekun_care_3', amount_fen: 3000, period: 'year', effective_from: '2001-04', source: 'w.hist' });
      const path = '/api/v1/assist/standards/history?kind=tekun_care_3&region=510824';
      for (const login of ['t.out', 't.approver.out'])
        expectError(await world.as(login).get(base, path), 400, 'invalid_field', 'region');
      const own = await world.as('t.out').expect(200, base, 'GET', '/api/v1/assist/standards/history?kind=tekun_care_3');
      onlyOutScope(own.items.filter((i) => !/^51(0000)?0{6}$/.test(i.region)), '', '成都 GET /assist/standards/history');
      if (own.items.some((i) => i.region.startsWith('510824'))) throw new Error('成都 reads a 苍溪县 standard');
      const control = await world.as('t.county').expect(200, base, 'GET', path);
      if (!control.items.some((i) => i.source === 'w.hist')) throw new Error('control: 苍溪县 does not read its history');
    },
  },
  // ---------------------------------------------------------------- assistance cases (issue #10)
  'POST /api/v1/assist/cases': {
    perm: 'assist:case:intake', request: () => ({ path: '/api/v1/assist/cases', body: { programme: 'dibao' } }),
    async scoped(ctx) {
      const h = await newAssistHousehold(ctx, '越权受理', []);
      const body = { programme: 'lshi_expense', household_id: h.id, applicant_id: h.head.id, channel: 'window', authorised: true };
      expectError(await sendWithKey(ctx, 't.intake.out', 'POST', '/api/v1/assist/cases', body), 422, 'validation_failed', 'household_id');
      expectStatus(await sendWithKey(ctx, 't.intake', 'POST', '/api/v1/assist/cases', body), 201, 'control: 苍溪县 accepts it');
    },
  },
  'GET /api/v1/assist/cases': {
    perm: 'assist:case:read', request: () => ({ path: '/api/v1/assist/cases?under=510824' }),
    async scoped(ctx) {
      const c = await applyCase(ctx, '越权列表');
      for (const q of ['', '?under=510824', '?under=51&limit=200'])
        onlyOutScope((await ctx.world.as('t.out').expect(200, ctx.base, 'GET', `/api/v1/assist/cases${q}`)).items, c.id, `成都 GET /assist/cases${q}`);
      const control = await ctx.world.as('t.county').expect(200, ctx.base, 'GET', '/api/v1/assist/cases?under=510824&limit=200&state=accepted');
      if (!control.items.some((i) => i.id === c.id) && control.next === null) throw new Error('control: 苍溪县 does not list its case');
    },
  },
  'GET /api/v1/assist/cases/{id}': {
    perm: 'assist:case:read', request: () => ({ path: '/api/v1/assist/cases/1' }),
    async scoped(ctx) {
      const c = await applyCase(ctx, '越权查看');
      expectError(await ctx.world.as('t.out').get(ctx.base, `/api/v1/assist/cases/${c.id}`), 404, 'not_found');
      await ctx.world.as('t.county').expect(200, ctx.base, 'GET', `/api/v1/assist/cases/${c.id}`);
    },
  },
  'GET /api/v1/assist/cases/{id}/payments': {
    perm: 'assist:case:read', request: () => ({ path: '/api/v1/assist/cases/1/payments' }),
    async scoped(ctx) {
      const c = await applyCase(ctx, '越权台账');
      expectError(await ctx.world.as('t.out').get(ctx.base, `/api/v1/assist/cases/${c.id}/payments`), 404, 'not_found');
      await ctx.world.as('t.county').expect(200, ctx.base, 'GET', `/api/v1/assist/cases/${c.id}/payments`);
    },
  },
  'POST /api/v1/assist/cases/{id}/actions': {
    perm: 'assist:case:read', request: () => ({ path: '/api/v1/assist/cases/1/actions', body: { action: 'withdraw' } }),
    async scoped(ctx) {
      const c = await applyCase(ctx, '越权办理');
      const body = { action: 'withdraw', comment: '申请人撤回' };
      expectError(await sendWithKey(ctx, 't.intake.out', 'POST', `/api/v1/assist/cases/${c.id}/actions`, body), 404, 'not_found', 'id');
      const still = await ctx.world.as('t.county').expect(200, ctx.base, 'GET', `/api/v1/assist/cases/${c.id}`);
      if (still.state !== 'accepted') throw new Error('成都 changed a 苍溪县 case');
      expectStatus(await sendWithKey(ctx, 't.intake', 'POST', `/api/v1/assist/cases/${c.id}/actions`, body), 200, 'control: 苍溪县 withdraws it');
    },
  },
  'GET /api/v1/tasks': {
    perm: 'assist:case:read', request: () => ({ path: '/api/v1/tasks' }),
    async scoped(ctx) {
      const c = await applyCase(ctx, '越权待办');
      onlyOutScope((await ctx.world.as('t.intake.out').expect(200, ctx.base, 'GET', '/api/v1/tasks?limit=500')).items, c.id, '成都 GET /tasks');
      const control = await ctx.world.as('t.investigator').expect(200, ctx.base, 'GET', '/api/v1/tasks?limit=500');
      if (!control.items.some((i) => i.id === c.id)) throw new Error('control: 苍溪县 does not see its task');
    },
  },
  // ---------------------------------------------------------------- assistance settings (issue #10)
  'POST /api/v1/assist/settings': {
    perm: 'assist:setting:write',
    request: () => ({ path: '/api/v1/assist/settings', body: { region: '510824', key: 'death_review_months', value: '3', source: 'w' } }),
    async scoped({ base, world }) {
      const body = { region: '510824', key: 'death_review_months', value: '4', source: 'w.scope' };
      expectError(await world.as('t.approver.out').post(base, '/api/v1/assist/settings', body), 422, 'validation_failed', 'region');
      expectError(await world.as('t.approver.out').post(base, '/api/v1/assist/settings', { ...body, region: '51' }), 422, 'validation_failed', 'region');
      const hist = await world.as('t.county').expect(200, base, 'GET', '/api/v1/assist/settings/history?key=death_review_months');
      if (hist.items.some((i) => i.source === 'w.scope')) throw new Error('成都 set a 苍溪县 setting');
      expectStatus(await world.as('t.approver').post(base, '/api/v1/assist/settings', body), 201, 'control: 苍溪县 sets it');
    },
  },
  'GET /api/v1/assist/settings': {
    perm: 'assist:setting:read', request: () => ({ path: '/api/v1/assist/settings?region=510824' }),
    async scoped({ base, world }) {
      await world.as('t.approver').expect(201, base, 'POST', '/api/v1/assist/settings',
        { region: '510824', key: 'death_review_months', value: '5', source: 'w.read' });
      const path = '/api/v1/assist/settings?region=510824&key=death_review_months';
      for (const login of ['t.out', 't.approver.out'])
        expectError(await world.as(login).get(base, path), 404, 'not_found', 'region');
      const own = await world.as('t.out').expect(200, base, 'GET', '/api/v1/assist/settings?key=death_review_months');
      if (own.items.some((i) => i.source === 'w.read')) throw new Error('成都 reads a 苍溪县 setting');
      const control = await world.as('t.county').expect(200, base, 'GET', path);
      if (control.items[0].source !== 'w.read') throw new Error('control: 苍溪县 does not read its setting');
    },
  },
  'GET /api/v1/assist/settings/history': {
    perm: 'assist:setting:read', request: () => ({ path: '/api/v1/assist/settings/history?region=510824' }),
    async scoped({ base, world }) {
      await world.as('t.approver').expect(201, base, 'POST', '/api/v1/assist/settings',
        { region: '510824', key: 'death_review_months', value: '6', source: 'w.hist' });
      const path = '/api/v1/assist/settings/history?region=510824&key=death_review_months';
      for (const login of ['t.out', 't.approver.out'])
        expectError(await world.as(login).get(base, path), 404, 'not_found', 'region');
      const own = await world.as('t.out').expect(200, base, 'GET', '/api/v1/assist/settings/history');
      onlyOutScope(own.items.filter((i) => !/^51(0000)?0{6}$/.test(i.region)), '', '成都 GET /assist/settings/history');
      if (own.items.some((i) => i.region.startsWith('510824'))) throw new Error('成都 reads a 苍溪县 setting');
      const control = await world.as('t.county').expect(200, base, 'GET', path);
      if (!control.items.some((i) => i.source === 'w.hist')) throw new Error('control: 苍溪县 does not read its history');
    },
  },
  // ---------------------------------------------------------------- payroll (issue #10)
  'POST /api/v1/assist/payrolls': {
    perm: 'assist:payroll',
    request: () => ({ path: '/api/v1/assist/payrolls', body: { county: '510824', month: '2002-01' } }),
    async scoped({ base, world }) {
      const body = { county: '510824', month: '2002-02' };
      expectError(await world.as('t.payer.out').post(base, '/api/v1/assist/payrolls', body), 422, 'validation_failed', 'county');
      const list = await world.as('t.payer').expect(200, base, 'GET', '/api/v1/assist/payrolls?county=510824&month=2002-02');
      if (list.items.length) throw new Error('成都 built a 苍溪县 batch');
      expectStatus(await world.as('t.payer').post(base, '/api/v1/assist/payrolls', body), 201, 'control: 苍溪县 builds it');
    },
  },
  'GET /api/v1/assist/payrolls': {
    perm: 'assist:payroll', request: () => ({ path: '/api/v1/assist/payrolls' }),
    async scoped({ base, world }) {
      const b = await payrollBatch({ base, world }, '2002-03');
      const out = await world.as('t.payer.out').expect(200, base, 'GET', '/api/v1/assist/payrolls');
      if (out.items.some((i) => i.id === b.id || !i.county.startsWith('5101'))) throw new Error('成都 lists a 苍溪县 batch');
      expectError(await world.as('t.payer.out').get(base, '/api/v1/assist/payrolls?county=510824'), 400, 'invalid_field', 'county');
      const own = await world.as('t.payer').expect(200, base, 'GET', '/api/v1/assist/payrolls?month=2002-03');
      if (!own.items.some((i) => i.id === b.id)) throw new Error('control: 苍溪县 does not list its batch');
    },
  },
  'GET /api/v1/assist/payrolls/{id}': payrollRead('', '2002-04'),
  'GET /api/v1/assist/payrolls/{id}/lines': payrollRead('/lines', '2002-05'),
  'GET /api/v1/assist/payrolls/{id}/skipped': payrollRead('/skipped', '2002-06'),
  'POST /api/v1/assist/payrolls/{id}/cancel': {
    perm: 'assist:payroll', request: () => ({ path: '/api/v1/assist/payrolls/1/cancel', body: {} }),
    async scoped({ base, world }) {
      const b = await payrollBatch({ base, world }, '2002-07');
      const path = `/api/v1/assist/payrolls/${b.id}/cancel`;
      expectError(await world.as('t.payer.out').post(base, path, {}), 404, 'not_found', 'id');
      const still = await world.as('t.payer').expect(200, base, 'GET', `/api/v1/assist/payrolls/${b.id}`);
      if (still.status !== 'draft') throw new Error(`成都 cancelled a 苍溪县 batch: ${still.status}`);
      const done = await world.as('t.payer').expect(200, base, 'POST', path, {});
      if (done.status !== 'cancelled') throw new Error('control: 苍溪县 does not cancel its batch');
      expectError(await world.as('t.payer').post(base, path, {}), 409, 'conflict', 'status');
      expectStatus(await world.as('t.payer').post(base, '/api/v1/assist/payrolls', { county: '510824', month: '2002-07' }), 201, 'rerun after cancel');
    },
  },
  'POST /api/v1/assist/payrolls/{id}/confirm': {
    perm: 'assist:payroll', request: () => ({ path: '/api/v1/assist/payrolls/1/confirm', body: {} }),
    async scoped({ base, world }) {
      const b = await payrollBatch({ base, world }, '2002-08');
      const path = `/api/v1/assist/payrolls/${b.id}/confirm`;
      expectError(await world.as('t.payer.out').post(base, path, {}), 404, 'not_found', 'id');
      const done = await world.as('t.payer').expect(200, base, 'POST', path, {});
      if (done.status !== 'confirmed') throw new Error('control: 苍溪县 does not confirm its batch');
      expectError(await world.as('t.payer').post(base, path, {}), 409, 'conflict', 'status');
      expectError(await world.as('t.payer').post(base, `/api/v1/assist/payrolls/${b.id}/cancel`, {}), 409, 'conflict', 'status');
    },
  },
  'GET /api/v1/assist/payrolls/{id}/bank-file': {
    perm: 'assist:payroll', request: () => ({ path: '/api/v1/assist/payrolls/1/bank-file' }),
    async scoped({ base, world }) {
      const b = await payrollBatch({ base, world }, '2002-09');
      const path = `/api/v1/assist/payrolls/${b.id}/bank-file`;
      expectError(await world.as('t.payer').get(base, path), 409, 'conflict', 'status');
      await world.as('t.payer').expect(200, base, 'POST', `/api/v1/assist/payrolls/${b.id}/confirm`, {});
      expectError(await world.as('t.payer.out').get(base, path), 404, 'not_found', 'id');
      const file = await download(base, world.as('t.payer'), path);
      if (file.status !== 200 || !file.text.includes('合计,0,')) throw new Error(`control: 苍溪县 bank file ${file.status} ${file.text.slice(0, 200)}`);
    },
  },
  'POST /api/v1/assist/payrolls/{id}/returns': {
    perm: 'assist:payroll',
    request: () => ({ path: '/api/v1/assist/payrolls/1/returns', body: '1,paid,\n', headers: { 'Content-Type': 'text/csv' } }),
    async scoped({ base, world }) {
      const csv = { headers: { 'Content-Type': 'text/csv' } };
      const draft = await payrollBatch({ base, world }, '2002-10');
      const path = `/api/v1/assist/payrolls/${draft.id}/returns`;
      expectError(await world.as('t.payer').call(base, 'POST', path, '1,paid,\n', csv), 409, 'conflict', 'status');
      await world.as('t.payer').expect(200, base, 'POST', `/api/v1/assist/payrolls/${draft.id}/confirm`, {});
      expectError(await world.as('t.payer.out').call(base, 'POST', path, '1,paid,\n', csv), 404, 'not_found', 'id');
      const control = await world.as('t.payer').call(base, 'POST', path, '明细编号,状态,原因\n1,paid,\n', csv);
      expectError(control, 422, 'validation_failed', 'body');
      if (!control.body.error.message.includes('第 2 行')) throw new Error(`control: the unknown line is not named: ${control.body.error.message}`);
      const bad = await world.as('t.payer').call(base, 'POST', path, '1,maybe,\n', csv);
      expectError(bad, 422, 'validation_failed', 'body');
    },
  },
  'POST /api/v1/assist/cases/{id}/bank-account': {
    perm: 'assist:bank:write',
    request: () => ({ path: '/api/v1/assist/cases/1/bank-account', body: { bank_name: '农业银行', account: '6228480012345678' } }),
    // Cases are created by the case workflow (not yet merged): the walk checks that an unknown
    // or foreign case is answered 404 by both counties; the control follows with the workflow.
    async scoped({ base, world }) {
      const body = { bank_name: '农业银行', account: '6228480012345678' };
      for (const login of ['t.payer.out', 't.payer'])
        expectError(await world.as(login).post(base, '/api/v1/assist/cases/1/bank-account', body), 404, 'not_found', 'id');
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
  return { victim: world.ids['t.victim'], token, roleless, reg: world.registry };
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
