// tests/api/scenarios/audit.mjs — the security audit log (GB/T 22239-2019 8.1.4.3;
// shared/domain/security.md §1.3): one entry per security event with who, what, outcome and
// request id; auditors read only their scope; the auditor's own queries are recorded; entries
// written concurrently keep the hash chain intact; paging is gap-free; the database refuses to
// change or delete entries (triggers, and on PostgreSQL the application role's privileges); and
// `minzheng audit verify` names the first entry that was tampered with.
import { auditEntries, expectError, expectStatus, oneEntry } from '../lib/checks.mjs';
import { anonymous, signIn } from '../lib/session.mjs';

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

// Each security event → exactly one entry, found by the request id of the answer.
async function oneEntryPerEvent({ base, world }) {
  const auditor = world.as('t.aud');
  const admin = world.as('admin');
  const account = await world.newAccount({ prefix: 'u.ev' });
  const rid = (res) => res.headers['x-request-id'];
  const events = [];
  const step = async (what, promise, status, expected) => {
    const res = await promise;
    expectStatus(res, status, what);
    events.push([what, rid(res), expected]);
    return res;
  };
  const id = account.id;
  const login = (password) => anonymous.call(base, 'POST', '/api/v1/auth/login', { login: account.login, password });
  await step('login', login(account.password), 200, { action: 'auth.login', actor_login: account.login, object_id: id, outcome: 'success' });
  await step('failed login', login('Wrong-Passw0rd'), 401, { action: 'auth.login', object_id: id, outcome: 'failure', detail: 'bad_credentials' });
  await step('logout', (await signIn(base, account.login, account.password)).post(base, '/api/v1/auth/logout'), 200,
    { action: 'auth.logout', actor_login: account.login, outcome: 'success' });
  await step('lock', admin.post(base, `/api/v1/users/${id}/lock`), 200, { action: 'user.lock', actor_login: 'admin', actor_role: 'sysadmin', object_id: id });
  await step('login while locked', login(account.password), 403, { action: 'auth.login', object_id: id, outcome: 'failure', detail: 'locked' });
  await step('unlock', admin.post(base, `/api/v1/users/${id}/unlock`), 200, { action: 'user.unlock', object_id: id });
  await step('roles', world.as('secadmin').put(base, `/api/v1/users/${id}/roles`, { roles: ['intake'] }), 200,
    { action: 'user.roles', actor_login: 'secadmin', actor_role: 'secadmin', object_id: id, detail: 'roles=intake' });
  await step('reveal', admin.get(base, `/api/v1/users/${id}/phone`), 200, { action: 'user.reveal', object_id: id, detail: 'field=phone' });
  const reset = await step('reset', admin.post(base, `/api/v1/users/${id}/reset-password`), 200, { action: 'user.reset', object_id: id });
  const fresh = await signIn(base, account.login, reset.body.one_time_password);
  await step('password change', fresh.post(base, '/api/v1/auth/password',
    { old_password: reset.body.one_time_password, new_password: 'Ev3nt-Passw0rd!' }), 200,
  { action: 'auth.password', actor_login: account.login, outcome: 'success' });
  await step('denied', fresh.get(base, '/api/v1/users'), 403,
    { action: 'access.denied', actor_login: account.login, actor_role: 'intake', outcome: 'denied', detail: 'user:read' });
  const token = await step('token issue', world.as('t.sec').post(base, '/api/v1/tokens',
    { name: 'u.ev', region: '510824', permissions: ['region:read'], days: 1 }), 201,
  { action: 'token.create', actor_login: 't.sec', object_type: 'api_token', detail: 'permissions=region:read' });
  await step('token revoke', world.as('t.sec').delete(base, `/api/v1/tokens/${token.body.id}`), 200,
    { action: 'token.revoke', object_type: 'api_token', object_id: token.body.id });
  await step('audit query', auditor.get(base, '/api/v1/audit?limit=1'), 200,
    { action: 'audit.read', actor_login: 't.aud', actor_role: 'auditor', object_type: 'audit_log' });
  const started = Date.now() - 120 * 1000;
  for (const [what, requestId, expected] of events) {
    const entry = await oneEntry(base, auditor, requestId, { region: '510824000000', ...expected })
      .catch((err) => { throw new Error(`${what}: ${err.message}`); });
    if (!ISO_TIME.test(entry.at) || Date.parse(entry.at) < started)
      throw new Error(`${what}: entry time ${entry.at}`);
    if (!/^127\.0\.0\.1:\d+$/.test(entry.source)) throw new Error(`${what}: source ${entry.source}`);
    if (!/^[0-9a-f]{64}$/.test(entry.hash)) throw new Error(`${what}: hash ${entry.hash}`);
  }
  return `${events.length} events`;
}

// The county 审计员 reads only 510824 entries, 成都's only 5101 ones, the national all.
async function auditScope({ base, world }) {
  await world.as('t.out').post(base, '/api/v1/users', { login: 'x', display_name: 'x', region: '5101' }); // a 5101 denial
  const county = await auditEntries(base, world.as('t.aud'), {}, 3000);
  const chengdu = await auditEntries(base, world.as('t.aud.out'), {}, 3000);
  const national = await auditEntries(base, world.as('auditor'), {}, 6000);
  const outside = (items, prefix) => items.filter((e) => !e.region.startsWith(prefix));
  if (outside(county, '510824').length)
    throw new Error(`the 苍溪县 auditor sees ${outside(county, '510824').length} entries of other regions, e.g. ${JSON.stringify(outside(county, '510824')[0])}`);
  if (outside(chengdu, '5101').length)
    throw new Error(`the 成都 auditor sees ${outside(chengdu, '5101').length} entries of other regions`);
  if (!county.length || !chengdu.length) throw new Error(`entries: 苍溪县 ${county.length}, 成都 ${chengdu.length}`);
  const regions = new Set(national.map((e) => e.region.slice(0, 4)));
  for (const prefix of ['0000', '5108', '5101'])
    if (!regions.has(prefix)) throw new Error(`the national auditor sees no entry of ${prefix}`);
  const seqs = new Set(national.map((e) => e.seq));
  const oldest = national.at(-1).seq;
  if (![...county, ...chengdu].every((e) => seqs.has(e.seq) || e.seq > national[0].seq || e.seq < oldest))
    throw new Error('an entry a county auditor sees is missing for the national one');
  return `苍溪县 ${county.length}, 成都 ${chengdu.length}, national ${national.length} entries`;
}

// 40 refusals at once: 40 entries with distinct seq, and the chain still verifies.
async function concurrentAppends({ base, world }) {
  const viewer = world.as('t.county');
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) =>
    viewer.post(base, '/api/v1/users', { login: `x.conc${i}`, display_name: 'x', region: '510824' })));
  const bad = answers.filter((r) => r.status !== 403);
  if (bad.length) throw new Error(`${bad.length} answers were not 403, e.g. ${bad[0].status}`);
  const ids = new Set(answers.map((r) => r.headers['x-request-id']));
  const entries = (await auditEntries(base, world.as('t.aud'), { action: 'access.denied', actor: 't.county' }))
    .filter((e) => ids.has(e.request_id));
  if (entries.length !== 40 || new Set(entries.map((e) => e.seq)).size !== 40)
    throw new Error(`${entries.length} entries (${new Set(entries.map((e) => e.seq)).size} distinct) for 40 refusals`);
  const r = await world.cli(['audit', 'verify']);
  if (r.code !== 0 || !/^audit log intact: \d+ entries verified$/m.test(r.stdout))
    throw new Error(`audit verify: exit ${r.code}: ${(r.stdout + r.stderr).trim()}`);
}

// Pages of 8 following `before` give exactly the entries of one page of 40.
async function paging({ base, world }) {
  const auditor = world.as('auditor');
  const whole = await auditor.expect(200, base, 'GET', '/api/v1/audit?limit=40');
  if (whole.items.length !== 40 || !whole.next) throw new Error(`${whole.items.length} items, next ${whole.next}`);
  let before = String(whole.items[0].seq + 1);
  const paged = [];
  for (let i = 0; i < 5; i++) {
    const page = await auditor.expect(200, base, 'GET', `/api/v1/audit?limit=8&before=${before}`);
    paged.push(...page.items);
    before = page.next;
  }
  const a = whole.items.map((e) => e.seq).join();
  const b = paged.map((e) => e.seq).join();
  if (a !== b) throw new Error(`paged ${b} differs from ${a}`);
  if (whole.next !== before) throw new Error(`next ${before} after the pages, ${whole.next} after the whole`);
  const seqs = whole.items.map((e) => e.seq);
  if (seqs.some((s, i) => i && s >= seqs[i - 1])) throw new Error('entries are not newest first');
}

// The triggers refuse UPDATE and DELETE, even to the owner.
async function triggersRefuse({ world }) {
  for (const statement of ["UPDATE audit_log SET detail = 'x' WHERE seq = 1", 'DELETE FROM audit_log WHERE seq = 1',
    ...(world.backend === 'postgres' ? ['TRUNCATE audit_log'] : [])]) {
    const r = await world.sql(statement);
    if (r.code === 0) throw new Error(`the owner could run: ${statement}`);
    if (!/append-only/.test(r.stderr)) throw new Error(`${statement}: ${r.stderr.trim()}`);
  }
  const count = await world.sqlOk('SELECT count(*) FROM audit_log WHERE seq = 1');
  if (count !== '1') throw new Error(`entry 1 is gone (${count})`);
}

// PostgreSQL: the server's role may INSERT and SELECT the audit log, nothing else.
async function appRolePrivileges({ world }) {
  if (world.appDbUrl === world.db) throw new Error('the server runs as the owner (no separate application role)');
  const count = await world.sqlOk('SELECT count(*) FROM audit_log', { as: 'app' });
  if (!(Number(count) > 0)) throw new Error(`the application role counts ${count} entries`);
  for (const statement of ["UPDATE audit_log SET detail = 'x' WHERE seq = 1", 'DELETE FROM audit_log WHERE seq = 1',
    'TRUNCATE audit_log', "INSERT INTO audit_anchor (upto_seq, hash, pruned_at) VALUES (1, 'x', 'x')",
    'DELETE FROM audit_anchor', 'ALTER TABLE audit_log DISABLE TRIGGER USER', 'DROP TABLE audit_log']) {
    const r = await world.sql(statement, { as: 'app' });
    if (r.code === 0) throw new Error(`the application role could run: ${statement}`);
    if (!/permission denied|must be owner/.test(r.stderr)) throw new Error(`${statement}: ${r.stderr.trim()}`);
  }
}

// Change one entry in the database behind the server's back: verify names it; put it back and
// verify passes again.
async function tamper({ world }) {
  const before = await world.cli(['audit', 'verify']);
  if (before.code !== 0) throw new Error(`before tampering: ${before.stdout.trim()}`);
  const original = await world.sqlOk('SELECT detail FROM audit_log WHERE seq = 3');
  const quoted = `'${original.replace(/'/g, "''")}'`;
  let disable;
  let enable;
  if (world.backend === 'sqlite') {
    const trigger = await world.sqlOk("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_log_no_update'");
    if (!trigger) throw new Error('no trigger audit_log_no_update');
    disable = 'DROP TRIGGER audit_log_no_update;';
    enable = `${trigger};`;
  } else {
    disable = 'ALTER TABLE audit_log DISABLE TRIGGER USER;';
    enable = 'ALTER TABLE audit_log ENABLE TRIGGER USER;';
  }
  await world.sqlOk(`${disable} UPDATE audit_log SET detail = 'x' WHERE seq = 3; ${enable}`);
  let broken;
  try {
    broken = await world.cli(['audit', 'verify']);
  } finally {
    await world.sqlOk(`${disable} UPDATE audit_log SET detail = ${quoted} WHERE seq = 3; ${enable}`);
  }
  if (broken.code !== 1 || !/^audit log BROKEN at entry 3: /m.test(broken.stdout))
    throw new Error(`after changing entry 3: exit ${broken.code}: ${(broken.stdout + broken.stderr).trim()}`);
  const after = await world.cli(['audit', 'verify']);
  if (after.code !== 0) throw new Error(`after restoring entry 3: ${after.stdout.trim()}`);
  const update = await world.sql("UPDATE audit_log SET detail = 'x' WHERE seq = 3");
  if (update.code === 0) throw new Error('the trigger is gone after the test');
  return broken.stdout.trim().split('\n')[0];
}

// The auditor cannot do anything but read.
async function auditorReadsOnly({ base, world }) {
  const auditor = world.as('auditor');
  expectError(await auditor.post(base, '/api/v1/users', { login: 'x.aud', display_name: 'x', region: '00' }), 403, 'forbidden');
  expectError(await auditor.put(base, `/api/v1/users/${world.ids['t.target']}/roles`, { roles: ['viewer'] }), 403, 'forbidden');
  expectError(await auditor.post(base, '/api/v1/tokens', { name: 'x', region: '00', permissions: ['region:read'], days: 1 }), 403, 'forbidden');
  expectError(await auditor.post(base, `/api/v1/users/${world.ids['t.target']}/lock`), 403, 'forbidden');
}

export const tests = [
  { name: 'each security event writes exactly one entry (who, what, object, outcome, request id)', fn: oneEntryPerEvent },
  { name: 'auditors read only their scope: 苍溪县, 成都, national', fn: auditScope },
  { name: '40 concurrent audited refusals: 40 entries, the chain verifies', fn: concurrentAppends },
  { name: 'paging with before is gap-free and newest first', fn: paging },
  { name: 'the database refuses UPDATE, DELETE (and TRUNCATE) of the audit log, owner included', fn: triggersRefuse },
  { name: 'PostgreSQL: the application role may only INSERT and SELECT the audit log', backend: 'postgres', fn: appRolePrivileges },
  { name: 'audit verify names a tampered entry (3); restored, it verifies again', fn: tamper },
  { name: '审计员 cannot change anything (403)', fn: auditorReadsOnly },
];
