// tests/api/scenarios/auth.mjs — signing in and staying signed in (GB/T 22239-2019 8.1.4.1,
// shared/domain/security.md §1.1): one answer for a wrong password and an unknown login, the
// lockout after failed attempts and its end, idle sessions, logout on the server side, CSRF,
// the password policy and history, and the forced password change (first login, admin reset,
// maximum age). Each test works on accounts of its own (world.newAccount), so that locking or
// re-passwording them disturbs nothing else; lockout expiry and idle sessions use servers of
// their own with short limits.
import { auditEntries, expectError, expectStatus, oneEntry, sleep } from '../lib/checks.mjs';
import { anonymous, changePassword, logIn, newPassword, signIn } from '../lib/session.mjs';

const ME = '/api/v1/auth/me';
const REGION = '/api/v1/regions/51';

function login(base, login, password) {
  return anonymous.call(base, 'POST', '/api/v1/auth/login', { login, password });
}

// The error body without its request id, for comparing two refusals.
function refusal(res) {
  const { request_id: _, ...rest } = res.body?.error ?? {};
  return JSON.stringify({ status: res.status, ...rest });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function sameAnswer({ base, world }) {
  const account = await world.newAccount({ prefix: 'a.same' });
  const times = { wrong: [], unknown: [] };
  let wrong;
  let unknown;
  for (let i = 0; i < 3; i++) {
    let t = Date.now();
    wrong = await login(base, account.login, 'Wrong-Passw0rd!');
    times.wrong.push(Date.now() - t);
    t = Date.now();
    unknown = await login(base, `${account.login}.nobody`, 'Wrong-Passw0rd!');
    times.unknown.push(Date.now() - t);
  }
  expectError(wrong, 401, 'unauthenticated');
  if (wrong.body.error.message !== '用户名或口令错误')
    throw new Error(`message ${JSON.stringify(wrong.body.error.message)}, expected 用户名或口令错误`);
  if (refusal(wrong) !== refusal(unknown))
    throw new Error(`wrong password ${refusal(wrong)} differs from unknown login ${refusal(unknown)}`);
  if (wrong.headers['set-cookie'] || unknown.headers['set-cookie']) throw new Error('a refused login set a cookie');
  // An unknown login costs a password check too (no user enumeration by timing).
  const [w, u] = [median(times.wrong), median(times.unknown)];
  if (u < w / 4) throw new Error(`an unknown login answers in ${u} ms, a wrong password in ${w} ms`);
  await oneEntry(base, world.as('t.aud'), wrong.headers['x-request-id'],
    { action: 'auth.login', object_type: 'user', object_id: account.id, outcome: 'failure',
      detail: 'bad_credentials', region: '510824000000' });
  await oneEntry(base, world.as('auditor'), unknown.headers['x-request-id'],
    { action: 'auth.login', object_id: `${account.login}.nobody`, outcome: 'failure', detail: 'bad_credentials' });
  // Three failures, then the right password: the account is not locked, and the counter restarts.
  await signIn(base, account.login, account.password);
  return `wrong password ${w} ms, unknown login ${u} ms`;
}

// 5 failures in a row (the default) lock the account: the 5th already answers locked.
async function lockout({ base, world }) {
  const account = await world.newAccount({ prefix: 'a.lock' });
  for (let i = 1; i <= 4; i++) expectError(await login(base, account.login, `Wrong-${i}-Passw0rd`), 401, 'unauthenticated');
  await signIn(base, account.login, account.password); // a success resets the count …
  for (let i = 1; i <= 4; i++) expectError(await login(base, account.login, `Wrong-${i}-Passw0rd`), 401, 'unauthenticated');
  const fifth = await login(base, account.login, 'Wrong-5-Passw0rd');
  expectError(fifth, 403, 'account_locked');
  expectError(await login(base, account.login, account.password), 403, 'account_locked');
  expectError(await login(base, account.login.toUpperCase(), account.password), 403, 'account_locked');
  const auditor = world.as('t.aud');
  await oneEntry(base, auditor, fifth.headers['x-request-id'],
    { action: 'auth.login', object_id: account.id, outcome: 'failure', detail: 'locked' });
  const admin = world.as('admin');
  const shown = await admin.expect(200, base, 'GET', `/api/v1/users/${account.id}`);
  if (shown.user.locked !== true) throw new Error('the account does not read as locked');
  const unlock = await admin.call(base, 'POST', `/api/v1/users/${account.id}/unlock`);
  expectStatus(unlock, 200, 'unlock');
  await oneEntry(base, auditor, unlock.headers['x-request-id'],
    { action: 'user.unlock', actor_login: 'admin', object_id: account.id, outcome: 'success' });
  await signIn(base, account.login, account.password);
}

// With --lockout-attempts 3 --lockout-seconds 2 the lock ends by itself.
async function lockoutExpires({ world }) {
  const account = await world.newAccount({ prefix: 'a.expire' });
  const server = await world.startServer('lockout', ['--lockout-attempts', '3', '--lockout-seconds', '2']);
  try {
    const { base } = server;
    expectError(await login(base, account.login, 'Wrong-1-Passw0rd'), 401, 'unauthenticated');
    expectError(await login(base, account.login, 'Wrong-2-Passw0rd'), 401, 'unauthenticated');
    expectError(await login(base, account.login, 'Wrong-3-Passw0rd'), 403, 'account_locked');
    expectError(await login(base, account.login, account.password), 403, 'account_locked');
    await sleep(3200);
    const client = await signIn(base, account.login, account.password);
    await client.expect(200, base, 'GET', REGION);
  } finally {
    await server.stop();
  }
}

// --session-idle 10: a session left alone for more than 10 s is over; one used every 6 s lives on.
async function idleExpiry({ world }) {
  const account = await world.newAccount({ prefix: 'a.idle' });
  const server = await world.startServer('idle', ['--session-idle', '10']);
  try {
    const { base } = server;
    const idle = await signIn(base, account.login, account.password);
    const active = await signIn(base, account.login, account.password);
    await active.expect(200, base, 'GET', REGION);
    await sleep(6000);
    await active.expect(200, base, 'GET', REGION);
    await sleep(5500);
    expectError(await idle.get(base, ME), 401, 'unauthenticated');
    expectError(await idle.get(base, ME), 401, 'unauthenticated');
    const stillActive = await active.get(base, ME);
    if (stillActive.status !== 200) {
      throw new Error(`a session used 5.5 s ago (and 11.5 s after login) got ${stillActive.status}: `
        + 'activity does not extend the idle time');
    }
  } finally {
    await server.stop();
  }
}

// Logout ends the session in the database: the cookie is useless afterwards, even if kept.
async function logout({ base, world }) {
  const account = await world.newAccount({ prefix: 'a.out' });
  const first = await signIn(base, account.login, account.password);
  const second = await signIn(base, account.login, account.password);
  const res = await first.post(base, '/api/v1/auth/logout');
  expectStatus(res, 200, 'logout');
  const cleared = [res.headers['set-cookie']].flat().find((c) => c?.startsWith('mz_session='));
  if (!cleared || !/^mz_session=;.*Max-Age=0/.test(cleared)) throw new Error(`logout set ${cleared}`);
  expectError(await first.get(base, ME), 401, 'unauthenticated');
  expectError(await first.get(base, REGION), 401, 'unauthenticated');
  expectError(await first.post(base, '/api/v1/auth/logout'), 401, 'unauthenticated');
  await second.expect(200, base, 'GET', ME); // the other session is untouched
  await oneEntry(base, world.as('t.aud'), res.headers['x-request-id'],
    { action: 'auth.logout', actor_login: account.login, outcome: 'success' });
}

// A state change with the cookie but without the right X-CSRF-Token is refused and changes
// nothing; the token of another session of the same account does not do either.
async function csrf({ base, world }) {
  const sys = await world.newAccount({ prefix: 'a.csrf', roles: ['sysadmin'] });
  const other = await signIn(base, sys.login, sys.password);
  const login = `a.csrfvictim${Date.now().toString(36)}`;
  const body = { login, display_name: '跨站', region: '510824' };
  const attempts = [
    ['no token', sys.post(base, '/api/v1/users', body, { csrf: false })],
    ['a wrong token', sys.post(base, '/api/v1/users', body, { headers: { 'X-CSRF-Token': 'x'.repeat(43) } })],
    ['another session\'s token', sys.post(base, '/api/v1/users', body, { headers: { 'X-CSRF-Token': other.csrf } })],
    ['the token as a query parameter', sys.post(base, `/api/v1/users?csrf_token=${sys.csrf}`, body, { csrf: false })],
    ['the session id as token', sys.post(base, '/api/v1/users', body, { headers: { 'X-CSRF-Token': sys.cookie } })],
  ];
  for (const [what, pending] of attempts) {
    const res = await pending;
    if (res.status !== 403 || res.body?.error?.code !== 'csrf_failed')
      throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}, expected 403 csrf_failed`);
  }
  const found = await world.as('admin').expect(200, base, 'GET', `/api/v1/users?q=${login}`);
  if (found.items.length) throw new Error('a refused request created the account');
  const target = await world.newAccount({ prefix: 'a.csrfroles' });
  expectError(await world.as('secadmin').put(base, `/api/v1/users/${target.id}/roles`,
    { roles: ['auditor'] }, { csrf: false }), 403, 'csrf_failed');
  const after = await world.as('admin').expect(200, base, 'GET', `/api/v1/users/${target.id}`);
  if (after.user.roles.join() !== 'viewer') throw new Error(`roles changed to ${after.user.roles}`);
  await sys.expect(201, base, 'POST', '/api/v1/users', body); // with the token it works
}

// The policy, the current password, a wrong old one, and what a change does to sessions.
async function passwordChange({ base, world }) {
  const account = await world.newAccount({ prefix: 'a.pw' });
  const other = await signIn(base, account.login, account.password);
  const cur = account.password;
  const change = (old_password, new_password) =>
    account.post(base, '/api/v1/auth/password', { old_password, new_password });
  for (const [why, pw] of [['too short', 'Ab1!xyz'], ['two classes', 'abcdefgh12345'],
    ['the login inside', `X${account.login.toUpperCase()}1!`], ['a common one', 'Admin@123'],
    ['the current one', cur]]) {
    const res = await change(cur, pw);
    if (res.status !== 422 || res.body.error.field !== 'new_password')
      throw new Error(`new password ${why}: ${res.status} ${JSON.stringify(res.body)}, expected 422 new_password`);
  }
  const wrongOld = await change('Not-The-0ld-One', newPassword());
  expectError(wrongOld, 422, 'validation_failed', 'old_password');
  await oneEntry(base, world.as('t.aud'), wrongOld.headers['x-request-id'],
    { action: 'auth.password', actor_login: account.login, outcome: 'failure', detail: 'old_password' });
  await other.expect(200, base, 'GET', ME); // nothing changed so far
  const next = newPassword();
  const res = await change(cur, next);
  expectStatus(res, 200, 'password change');
  account.password = next;
  await oneEntry(base, world.as('t.aud'), res.headers['x-request-id'],
    { action: 'auth.password', actor_login: account.login, outcome: 'success' });
  expectError(await other.get(base, ME), 401, 'unauthenticated'); // other sessions end …
  await account.expect(200, base, 'GET', ME); // … this one stays
  expectError(await login(base, account.login, cur), 401, 'unauthenticated');
  await signIn(base, account.login, next);
}

// The last 5 passwords (the current one and 4 before it) may not be used again; the 6th may.
// Changes are 1.1 s apart: the history is ordered by the second of each change.
async function passwordHistory({ base, world }) {
  const account = await world.newAccount({ prefix: 'a.hist' });
  const used = [account.password];
  for (let i = 0; i < 5; i++) {
    await sleep(1100);
    await changePassword(base, account);
    used.push(account.password);
  }
  // used[5] is current; used[1..4] are the 4 before it; used[0] is the 6th most recent.
  for (let i = 1; i <= 5; i++) {
    const res = await account.post(base, '/api/v1/auth/password',
      { old_password: account.password, new_password: used[i] });
    if (res.status !== 422 || res.body.error.field !== 'new_password')
      throw new Error(`reuse of the password ${5 - i} changes ago: ${res.status}, expected 422 new_password`);
  }
  await sleep(1100);
  await changePassword(base, account, used[0]);
}

// A new account must change its one-time password before anything else.
async function firstLogin({ base, world }) {
  const fresh = await world.newAccount({ prefix: 'a.first', firstLogin: false });
  const { res, client } = await logIn(base, fresh.login, fresh.password);
  expectStatus(res, 200, 'first login');
  if (res.body.must_change_password !== true) throw new Error('must_change_password is not true');
  expectError(await client.get(base, REGION), 403, 'password_change_required');
  expectError(await client.post(base, '/api/v1/regions/resolve', { codes: ['51'] }), 403, 'password_change_required');
  expectError(await client.get(base, '/api/v1/users'), 403, 'password_change_required');
  const me = await client.expect(200, base, 'GET', ME);
  if (me.must_change_password !== true) throw new Error('/auth/me: must_change_password is not true');
  expectError(await client.post(base, '/api/v1/auth/password', { old_password: fresh.password, new_password: 'short' }),
    422, 'validation_failed', 'new_password');
  await changePassword(base, client);
  await client.expect(200, base, 'GET', REGION);
  const again = await signIn(base, fresh.login, client.password);
  if (again.mustChange !== false) throw new Error('must_change_password after the change');
}

// An administrator's reset ends the account's sessions; the one-time password must be changed.
async function adminReset({ base, world }) {
  const account = await world.newAccount({ prefix: 'a.reset' });
  const res = await world.as('admin').post(base, `/api/v1/users/${account.id}/reset-password`);
  expectStatus(res, 200, 'reset');
  const otp = res.body.one_time_password;
  if (typeof otp !== 'string' || otp.length !== 16) throw new Error(`one_time_password ${otp}`);
  if (res.body.user.must_change_password !== true) throw new Error('must_change_password is not set');
  await oneEntry(base, world.as('t.aud'), res.headers['x-request-id'],
    { action: 'user.reset', actor_login: 'admin', object_id: account.id, outcome: 'success' });
  const entries = await auditEntries(base, world.as('auditor'), { action: 'user.reset', object_id: account.id });
  if (entries.some((e) => JSON.stringify(e).includes(otp))) throw new Error('the one-time password is in the audit log');
  expectError(await account.get(base, ME), 401, 'unauthenticated');
  expectError(await login(base, account.login, account.password), 401, 'unauthenticated');
  const client = await signIn(base, account.login, otp);
  if (client.mustChange !== true) throw new Error('login after reset: must_change_password is not true');
  expectError(await client.get(base, REGION), 403, 'password_change_required');
  await changePassword(base, client);
  await client.expect(200, base, 'GET', REGION);
}

// A password older than --password-max-age-days (90) must be changed: the change date is
// moved back 91 days in the database.
async function maxAge({ base, world }) {
  const account = await world.newAccount({ prefix: 'a.age' });
  await world.sqlOk(`UPDATE app_user SET password_changed_at = password_changed_at - ${91 * 86400} `
    + `WHERE id = ${account.id}`);
  expectError(await account.get(base, REGION), 403, 'password_change_required');
  const client = await signIn(base, account.login, account.password);
  if (client.mustChange !== true) throw new Error('must_change_password is not true after 91 days');
  expectError(await client.get(base, REGION), 403, 'password_change_required');
  await changePassword(base, client);
  await client.expect(200, base, 'GET', REGION);
}

// Locking an account ends its sessions; changing its roles does too.
async function lockAndRolesEndSessions({ base, world }) {
  const account = await world.newAccount({ prefix: 'a.end' });
  await world.as('admin').expect(200, base, 'POST', `/api/v1/users/${account.id}/lock`);
  expectError(await account.get(base, ME), 401, 'unauthenticated');
  expectError(await login(base, account.login, account.password), 403, 'account_locked');
  await world.as('admin').expect(200, base, 'POST', `/api/v1/users/${account.id}/unlock`);
  const client = await signIn(base, account.login, account.password);
  await world.as('secadmin').expect(200, base, 'PUT', `/api/v1/users/${account.id}/roles`, { roles: ['intake'] });
  expectError(await client.get(base, ME), 401, 'unauthenticated');
  const again = await signIn(base, account.login, account.password);
  if (again.user.roles.join() !== 'intake') throw new Error(`roles after the change: ${again.user.roles}`);
}

export const tests = [
  { name: 'wrong password and unknown login: one answer, same cost, both audited', fn: sameAnswer },
  { name: 'lockout: the 5th failure locks, even the right password is refused, unlock lets in', fn: lockout },
  { name: 'lockout ends by itself (--lockout-attempts 3 --lockout-seconds 2)', fn: lockoutExpires },
  { name: 'idle session ends after --session-idle 10, an active one lives on', fn: idleExpiry },
  { name: 'logout ends the session on the server, clears the cookie, is audited', fn: logout },
  { name: 'CSRF: without or with a wrong X-CSRF-Token a change is refused and nothing changes', fn: csrf },
  { name: 'password change: policy, current password, wrong old one, other sessions end', fn: passwordChange },
  { name: 'password history: the last 5 are refused, the 6th is accepted', fn: passwordHistory },
  { name: 'first login: everything but the password change answers password_change_required', fn: firstLogin },
  { name: 'admin reset: sessions end, old password refused, one-time password must be changed', fn: adminReset },
  { name: 'a password older than 90 days must be changed', fn: maxAge },
  { name: 'locking an account and changing its roles end its sessions', fn: lockAndRolesEndSessions },
];
