// tests/api/scenarios/tokens.mjs — API tokens for machine clients: issued by a 安全管理员 with
// business permissions only and within its scope, shown once, used as `Authorization: Bearer`
// without CSRF, refused on every route outside their permissions (audited under the token's
// name), and dead once revoked or expired.
import { expectError, expectStatus, oneEntry } from '../lib/checks.mjs';
import { Client } from '../lib/session.mjs';

async function issue(base, issuer, body) {
  const res = await issuer.post(base, '/api/v1/tokens', { days: 1, permissions: ['region:read'], ...body });
  expectStatus(res, 201, 'issue');
  return { ...res.body, client: new Client({ name: `token:${body.name}`, token: res.body.token }) };
}

// What a region:read token may do, and what not.
async function tokenUse({ base, world }) {
  const t = await issue(base, world.as('t.sec'), { name: 'k.use', region: '510824' });
  const token = t.client;
  await token.expect(200, base, 'GET', '/api/v1/regions/510824');
  await token.expect(200, base, 'GET', '/api/v1/regions/5101'); // reference data is not scoped
  await token.expect(200, base, 'POST', '/api/v1/regions/resolve', { codes: ['51'] }); // no CSRF
  const denied = await token.get(base, '/api/v1/users');
  expectError(denied, 403, 'forbidden');
  await oneEntry(base, world.as('t.aud'), denied.headers['x-request-id'],
    { action: 'access.denied', actor_login: 'token:k.use', outcome: 'denied', detail: 'user:read', region: '510824000000' });
  for (const [method, path, body] of [
    ['POST', '/api/v1/users', { login: 'x.tok', display_name: 'x', region: '510824' }],
    ['GET', `/api/v1/users/${world.ids['t.county']}`],
    ['PUT', `/api/v1/users/${world.ids['t.target']}/roles`, { roles: ['viewer'] }],
    ['GET', '/api/v1/tokens'],
    ['POST', '/api/v1/tokens', { name: 'x', region: '510824', permissions: ['region:read'], days: 1 }],
    ['DELETE', `/api/v1/tokens/${t.id}`],
    ['GET', '/api/v1/audit'],
    ['POST', '/api/v1/auth/password', { old_password: 'x', new_password: 'Xx-Passw0rd-1' }],
  ]) {
    const res = await token.call(base, method, path, body);
    if (res.status !== 403) throw new Error(`token ${method} ${path}: ${res.status}, expected 403`);
  }
  // A token together with a session cookie: the token decides.
  const mixed = await world.as('admin').get(base, '/api/v1/users', { headers: { Authorization: `Bearer ${t.token}` } });
  expectError(mixed, 403, 'forbidden');
}

// Shown once: the list never holds the secret; a revoked or expired token is refused.
async function tokenLife({ base, world }) {
  const sec = world.as('t.sec');
  const t = await issue(base, sec, { name: 'k.life', region: '510824100' });
  const list = await sec.expect(200, base, 'GET', '/api/v1/tokens');
  const listed = list.items.find((i) => i.id === t.id);
  if (!listed || listed.revoked !== false) throw new Error(`not listed as active: ${JSON.stringify(listed)}`);
  if (JSON.stringify(list).includes(t.token.slice(4))) throw new Error('the token list shows a token secret');
  await t.client.expect(200, base, 'GET', '/api/v1/regions/51');
  const revoke = await sec.delete(base, `/api/v1/tokens/${t.id}`);
  expectStatus(revoke, 200, 'revoke');
  expectError(await t.client.get(base, '/api/v1/regions/51'), 401, 'unauthenticated');
  const after = await sec.expect(200, base, 'GET', '/api/v1/tokens');
  if (after.items.find((i) => i.id === t.id)?.revoked !== true) throw new Error('not listed as revoked');
  const old = await issue(base, sec, { name: 'k.old', region: '510824' });
  await old.client.expect(200, base, 'GET', '/api/v1/regions/51');
  await world.sqlOk(`UPDATE api_token SET expires_at = ${Math.floor(Date.now() / 1000) - 1} WHERE id = ${old.id}`);
  expectError(await old.client.get(base, '/api/v1/regions/51'), 401, 'unauthenticated');
  expectError(await new Client({ token: `mzt_${'A'.repeat(43)}` }).get(base, '/api/v1/regions/51'), 401, 'unauthenticated');
}

// Only business permissions, only within the issuer's scope.
async function tokenIssue({ base, world }) {
  const sec = world.as('t.sec');
  const body = { name: 'k.bad', region: '510824', days: 1 };
  for (const perm of ['user:read', 'user:create', 'user:assign', 'token:manage', 'audit:read', 'user:reveal', 'self']) {
    expectError(await sec.post(base, '/api/v1/tokens', { ...body, permissions: [perm] }), 422, 'validation_failed', 'permissions[0]');
  }
  for (const region of ['5101', '5108', '51', '00', '110101']) {
    expectError(await sec.post(base, '/api/v1/tokens', { ...body, region, permissions: ['region:read'] }),
      422, 'validation_failed', 'region');
  }
  const national = await issue(base, world.as('secadmin'), { name: 'k.national', region: '00' });
  if (national.region !== '000000000000') throw new Error(`national token region ${national.region}`);
  const me = await national.client.expect(200, base, 'GET', '/api/v1/auth/me');
  if (me.user.scope !== '') throw new Error(`national token scope ${JSON.stringify(me.user.scope)}`);
}

// A token's name becomes its audit actor: a name with a line break must not break auditing.
async function tokenNameControl({ base, world }) {
  const res = await world.as('t.sec').post(base, '/api/v1/tokens',
    { name: 'k.line\nbreak', region: '510824', permissions: ['region:read'], days: 1 });
  if (res.status === 422) return 'refused at issue (422)';
  expectStatus(res, 201, 'issue');
  const token = new Client({ token: res.body.token });
  const denied = await token.get(base, '/api/v1/users');
  if (denied.status !== 403)
    throw new Error(`a token named "k.line\\nbreak" was issued, and its refusal answers ${denied.status} `
      + `${JSON.stringify(denied.body)} instead of 403 (the access.denied entry cannot be written)`);
  return 'issued, and its refusals are audited';
}

export const tests = [
  { name: 'a region:read token reads regions without CSRF and is refused everything else (403, audited)', fn: tokenUse },
  { name: 'a token is shown once; revoked or expired it gets 401', fn: tokenLife },
  { name: 'tokens carry business permissions only, within the issuer\'s scope (422)', fn: tokenIssue },
  { name: 'a token name with a line break does not break the audit of its requests', fn: tokenNameControl },
];
