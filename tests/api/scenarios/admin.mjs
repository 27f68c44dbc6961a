// tests/api/scenarios/admin.mjs — access control and the separation of the three
// administrators (GB/T 22239-2019 8.1.4.2 and 8.1.5; shared/domain/security.md §1.2, §1.12):
// a refused permission is audited as access.denied, each administrator role can do its own work
// and nothing of the others', roles take effect through a new sign-in, and a full phone number
// is shown only through the audited reveal.
import { auditEntries, expectError, expectStatus, oneEntry } from '../lib/checks.mjs';
import { PHONE, PHONE_MASKED } from '../lib/fixtures.mjs';
import { signIn } from '../lib/session.mjs';

// A viewer creating an account: 403, and one access.denied entry naming route and permission.
async function denialAudited({ base, world }) {
  const viewer = world.as('t.county');
  const res = await viewer.post(base, '/api/v1/users', { login: 'x.denied', display_name: 'x', region: '510824' });
  expectError(res, 403, 'forbidden');
  await oneEntry(base, world.as('t.aud'), res.headers['x-request-id'], {
    action: 'access.denied', actor_login: 't.county', actor_role: 'viewer', object_type: 'route',
    object_id: '/api/v1/users', outcome: 'denied', detail: 'user:create', region: '510824000000',
  });
  const found = await world.as('admin').expect(200, base, 'GET', '/api/v1/users?q=x.denied');
  if (found.items.length) throw new Error('the refused request created the account');
}

// Every administrator against the others' routes: 403 each, audited.
async function threeAdmins({ base, world }) {
  const target = world.ids['t.target'];
  const matrix = [
    // [caller, method, path, body] — all must be refused with 403 forbidden
    ['t.sys', 'PUT', `/api/v1/users/${target}/roles`, { roles: ['viewer'] }],
    ['t.sys', 'GET', '/api/v1/audit'],
    ['t.sys', 'GET', '/api/v1/tokens'],
    ['t.sys', 'POST', '/api/v1/tokens', { name: 'x', region: '510824', permissions: ['region:read'], days: 1 }],
    ['t.sec', 'POST', '/api/v1/users', { login: 'x.sec', display_name: 'x', region: '510824' }],
    ['t.sec', 'POST', `/api/v1/users/${target}/lock`],
    ['t.sec', 'POST', `/api/v1/users/${target}/reset-password`],
    ['t.sec', 'GET', `/api/v1/users/${target}/phone`],
    ['t.sec', 'GET', '/api/v1/audit'],
    ['t.aud', 'POST', '/api/v1/users', { login: 'x.aud', display_name: 'x', region: '510824' }],
    ['t.aud', 'GET', '/api/v1/users'],
    ['t.aud', 'PUT', `/api/v1/users/${target}/roles`, { roles: ['viewer'] }],
    ['t.aud', 'POST', `/api/v1/users/${target}/unlock`],
    ['t.aud', 'POST', '/api/v1/tokens', { name: 'x', region: '510824', permissions: ['region:read'], days: 1 }],
  ];
  const auditor = world.as('t.aud');
  const denied = await auditEntries(base, auditor, { action: 'access.denied' }, 500);
  const before = new Set(denied.map((e) => e.request_id));
  const ids = [];
  for (const [who, method, path, body] of matrix) {
    const res = await world.as(who).call(base, method, path, body);
    if (res.status !== 403 || res.body.error.code !== 'forbidden')
      throw new Error(`${who} ${method} ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}, expected 403`);
    ids.push(res.headers['x-request-id']);
  }
  const after = await auditEntries(base, auditor, { action: 'access.denied' }, 500);
  const missing = ids.filter((id) => !after.some((e) => e.request_id === id) || before.has(id));
  if (missing.length) throw new Error(`${missing.length} of ${ids.length} refusals are not in the audit log`);
  // And each does its own work.
  await world.as('t.sys').expect(200, base, 'GET', `/api/v1/users/${target}`);
  await world.as('t.sec').expect(200, base, 'GET', '/api/v1/tokens');
  await world.as('t.aud').expect(200, base, 'GET', '/api/v1/audit?limit=1');
  return `${matrix.length} refusals audited`;
}

// 三员分立 on role assignment: one administrator role at most, never with a business role,
// not one's own; the first administrators hold exactly one role each.
async function separation({ base, world }) {
  const sec = world.as('secadmin');
  const account = await world.newAccount({ prefix: 'r.sep' });
  for (const roles of [['sysadmin', 'auditor'], ['sysadmin', 'secadmin'], ['secadmin', 'auditor'],
    ['auditor', 'intake'], ['viewer', 'sysadmin'], ['sysadmin', 'secadmin', 'auditor']]) {
    expectError(await sec.put(base, `/api/v1/users/${account.id}/roles`, { roles }), 422, 'validation_failed', 'roles');
  }
  expectError(await sec.put(base, `/api/v1/users/${world.ids.secadmin}/roles`, { roles: ['secadmin', 'viewer'] }),
    403, 'forbidden');
  for (const login of ['admin', 'secadmin', 'auditor']) {
    const body = await world.as('admin').expect(200, base, 'GET', `/api/v1/users/${world.ids[login]}`);
    if (body.user.roles.length !== 1) throw new Error(`${login} has roles ${body.user.roles}`);
  }
  const unchanged = await world.as('admin').expect(200, base, 'GET', `/api/v1/users/${account.id}`);
  if (unchanged.user.roles.join() !== 'viewer') throw new Error(`refused changes left roles ${unchanged.user.roles}`);
}

// A role granted by the 安全管理员 takes effect at the next sign-in, and is audited.
async function rolesTakeEffect({ base, world }) {
  const account = await world.newAccount({ prefix: 'r.grant' });
  expectError(await account.get(base, '/api/v1/audit?limit=1'), 403, 'forbidden');
  const res = await world.as('t.sec').put(base, `/api/v1/users/${account.id}/roles`, { roles: ['auditor'] });
  expectStatus(res, 200, 'roles');
  await oneEntry(base, world.as('t.aud'), res.headers['x-request-id'],
    { action: 'user.roles', actor_login: 't.sec', object_id: account.id, detail: 'roles=auditor', outcome: 'success' });
  const auditor = await signIn(base, account.login, account.password);
  await auditor.expect(200, base, 'GET', '/api/v1/audit?limit=1');
  expectError(await auditor.get(base, `/api/v1/users/${account.id}`), 403, 'forbidden');
  await world.as('t.sec').expect(200, base, 'PUT', `/api/v1/users/${account.id}/roles`, { roles: ['viewer'] });
  const viewer = await signIn(base, account.login, account.password);
  expectError(await viewer.get(base, '/api/v1/audit?limit=1'), 403, 'forbidden');
}

// Masking: lists and details show 138****5678; /phone shows it in full and adds one entry.
async function masking({ base, world }) {
  const account = await world.newAccount({ prefix: 'r.phone', phone: PHONE });
  const sys = world.as('t.sys');
  const list = await sys.expect(200, base, 'GET', `/api/v1/users?q=${account.login}`);
  if (list.items.length !== 1 || list.items[0].phone !== PHONE_MASKED)
    throw new Error(`list: ${JSON.stringify(list.items)}`);
  const one = await sys.expect(200, base, 'GET', `/api/v1/users/${account.id}`);
  if (one.user.phone !== PHONE_MASKED) throw new Error(`detail shows phone ${one.user.phone}`);
  for (const who of ['t.sec', 'secadmin']) {
    const body = await world.as(who).expect(200, base, 'GET', `/api/v1/users/${account.id}`);
    if (body.user.phone !== PHONE_MASKED) throw new Error(`${who} sees phone ${body.user.phone}`);
  }
  const auditor = world.as('t.aud');
  const before = await auditEntries(base, auditor, { action: 'user.reveal', object_id: account.id });
  const res = await sys.get(base, `/api/v1/users/${account.id}/phone`);
  if (expectStatus(res, 200, 'reveal').user.phone !== PHONE) throw new Error(`reveal shows ${res.body.user.phone}`);
  const entry = await oneEntry(base, auditor, res.headers['x-request-id'], {
    action: 'user.reveal', actor_login: 't.sys', object_type: 'user', object_id: account.id,
    detail: 'field=phone', region: '510824000000', outcome: 'success',
  });
  const after = await auditEntries(base, auditor, { action: 'user.reveal', object_id: account.id });
  if (after.length !== before.length + 1) throw new Error(`${after.length - before.length} new reveal entries, expected 1`);
  const all = await auditEntries(base, world.as('auditor'), { object_id: account.id });
  if (all.some((e) => JSON.stringify(e).includes(PHONE))) throw new Error('the full phone number is in the audit log');
  expectError(await world.as('t.sec').get(base, `/api/v1/users/${account.id}/phone`), 403, 'forbidden');
  return `reveal entry ${entry.seq}`;
}

// Accounts are created without roles: a 系统管理员 cannot hand out any.
async function createWithoutRoles({ base, world }) {
  const login = `r.noroles${Date.now().toString(36)}`;
  const res = await world.as('t.sys').post(base, '/api/v1/users',
    { login, display_name: '无角色', region: '510824', roles: ['sysadmin'], permissions: ['audit:read'] });
  expectStatus(res, 201, 'create');
  if (res.body.user.roles.length) throw new Error(`created with roles ${res.body.user.roles}`);
  await oneEntry(base, world.as('t.aud'), res.headers['x-request-id'],
    { action: 'user.create', actor_login: 't.sys', actor_role: 'sysadmin', object_id: res.body.user.id, region: '510824000000' });
  const client = await signIn(base, login, res.body.one_time_password);
  if (client.user.roles.length || client.user.permissions.length)
    throw new Error(`a new account has roles ${client.user.roles} and permissions ${client.user.permissions}`);
}

export const tests = [
  { name: 'a refused permission answers 403 and is audited as access.denied', fn: denialAudited },
  { name: '三员: each administrator is refused the others\' work (403, audited)', fn: threeAdmins },
  { name: '三员分立: two administrator roles, admin + business, own roles are refused', fn: separation },
  { name: 'a role granted by 安全管理员 takes effect at the next sign-in and is audited', fn: rolesTakeEffect },
  { name: 'masking: 138****5678 in lists and details, the full number only by the audited reveal', fn: masking },
  { name: 'an account is created without roles, whatever the request says', fn: createWithoutRoles },
];
