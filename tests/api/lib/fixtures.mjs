// tests/api/lib/fixtures.mjs — the accounts, tokens and helpers every case and scenario shares.
//
// After `minzheng migrate` (which prints the one-time passwords of the three first
// administrators) and the region import, the runner calls World.setup(): the test accounts of
// ACCOUNTS are created with `minzheng user add`, every account (the first administrators too)
// signs in through the API with its one-time password and changes it, and a few objects are
// created through the API (an account with a phone number, API tokens), then the registry
// objects of lib/registry.mjs (persons, organisations, households, pending change requests).
// Each account is kept as a signed-in Client under its login; cases name it in "as", scenarios
// use world.as(login).
//
// Scope layout: 510824 (苍溪县) is the home county of the test objects; 5101 (成都市) is a
// region outside it, for callers that hold the permission but not the scope (the *.out
// accounts).
import path from 'node:path';

import { createRegistry, registryLookup } from './registry.mjs';
import { Client, firstSignIn, signIn } from './session.mjs';
import { runCapture, Server } from './server.mjs';

export const DEFAULT_AS = 't.national';

// Accounts made by the CLI and signed in: login, region, roles.
export const ACCOUNTS = [
  ['t.national', '00', 'viewer'],       // the default caller of the cases
  ['t.county', '510824', 'viewer'],
  ['t.out', '5101', 'viewer'],
  ['t.sys', '510824', 'sysadmin'],
  ['t.sec', '510824', 'secadmin'],
  ['t.aud', '510824', 'auditor'],
  ['t.sys.out', '5101', 'sysadmin'],
  ['t.sec.out', '5101', 'secadmin'],
  ['t.aud.out', '5101', 'auditor'],
  // the registry's business roles (sql/0003_registry.sql), in 苍溪县 and in 成都
  ['t.intake', '510824', 'intake'],               // 受理员: person write/reveal, household write
  ['t.investigator', '510824', 'investigator'],   // 调查员: reads and reveals, writes nothing
  ['t.reviewer', '510824', 'reviewer'],           // 审核员: decides household requests
  ['t.approver', '510824', 'approver'],           // 审批员: decides, writes organisations, reveals
  ['t.clerk.reviewer', '510824', 'intake,reviewer'], // files and decides: never its own request
  ['t.intake.out', '5101', 'intake'],
  ['t.reviewer.out', '5101', 'reviewer'],
  ['t.approver.out', '5101', 'approver'],
  // a township's caseworkers (陵江镇 510824100): township-level visits, delegated decisions
  ['t.town.investigator', '510824100', 'investigator'],
  ['t.town.reviewer', '510824100', 'reviewer'],
  // 资金发放员 (sql/0008_assist_case.sql): builds, confirms and pays the county's payroll
  ['t.payer', '510824', 'payer'],
  ['t.payer.out', '5101', 'payer'],
];

// Accounts made by the CLI and signed in with their one-time password, which they keep: every
// route but the password change and /auth/me must answer them 403 password_change_required.
export const UNCHANGED = [
  ['t.fresh', '510824', 'viewer'],
];

// Accounts made by the CLI that never sign in: the objects that cases lock, reset and re-role.
export const TARGETS = [
  ['t.target', '510824', 'viewer'],
  ['t.victim', '510824', 'viewer'],
];

export const FIRST_ADMINS = ['admin', 'secadmin', 'auditor'];
export const PHONE = '13812345678';
export const PHONE_MASKED = '138****5678';

// Password hashing is slow by design: sign-ins and `user add` run a few at a time, so that
// no single request waits behind all the others for longer than a request may take.
const SIGN_IN_PARALLEL = 4;

// fn(item) for every item, at most `width` at a time; resolves to the results in order.
async function inParallel(items, width, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

// "  admin     sysadmin one-time password XXXX" lines of `minzheng migrate` → {login: password}.
export function parseBootstrap(stdout) {
  const found = {};
  for (const m of stdout.matchAll(/^\s+(\S+)\s+\S+\s+one-time password (\S+)\s*$/gm)) found[m[1]] = m[2];
  return found;
}

// "LOGIN: one-time password XXXX (must be changed at first login)" → XXXX.
export function parseOneTimePassword(stdout, login) {
  const m = new RegExp(`^${login.replace(/\./g, '\\.')}: one-time password (\\S+) `, 'm').exec(stdout);
  if (!m) throw new Error(`no one-time password for ${login} in ${JSON.stringify(stdout)}`);
  return m[1];
}

export class World {
  accounts = {};   // login → signed-in Client
  ids = {};        // login → account id (string)
  tokens = {};     // name → {id, token, region, client}
  registry = null; // the registry objects of lib/registry.mjs
  base = null;     // the default server

  // options: bin, backend, db (the owner's --db, for the CLI), serveDb (the server's --db),
  // appDbUrl (PostgreSQL: the application role's URL), keyFile, workDir.
  constructor(options) {
    Object.assign(this, options);
    this.logPath = path.join(options.workDir, 'setup.log');
  }

  // The Client of an account, an API token ("token:NAME") or anonymous (null).
  as(name) {
    if (name === null) return new Client();
    if (name === undefined) return this.accounts[DEFAULT_AS];
    if (name.startsWith('token:')) {
      const t = this.tokens[name.slice(6)];
      if (!t) throw new Error(`no fixture token ${name}`);
      return t.client;
    }
    const client = this.accounts[name];
    if (!client) throw new Error(`no signed-in fixture account ${name}`);
    return client;
  }

  // Runs `minzheng ARGS --db DB --audit-key-file KEY`; resolves to {code, stdout, stderr}.
  cli(args, timeoutMs = 60000) {
    return runCapture(this.bin, [...args, '--db', this.db, '--audit-key-file', this.keyFile],
      this.logPath, timeoutMs);
  }

  // Runs SQL on the database as its owner (sqlite3, or psql with the owner's URL); resolves to
  // {code, stdout, stderr}. For PostgreSQL, `as: 'app'` connects as the application role.
  sql(statement, { as = 'owner' } = {}) {
    if (this.backend === 'sqlite')
      return runCapture('sqlite3', ['-batch', '-cmd', '.timeout 5000', this.db, statement], this.logPath);
    const url = as === 'app' ? this.appDbUrl : this.db;
    return runCapture('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', url, '-c', statement],
      this.logPath);
  }

  // Like sql() but throws unless it succeeded; resolves to the trimmed output.
  async sqlOk(statement, options) {
    const r = await this.sql(statement, options);
    if (r.code !== 0) throw new Error(`SQL failed (${r.stderr.trim()}): ${statement}`);
    return r.stdout.trim();
  }

  // A server of a scenario's own on the same database, with extra flags; the caller stops it.
  startServer(label, extraArgs = []) {
    return Server.start({
      bin: this.bin, db: this.serveDb, keyFile: this.keyFile, extraArgs,
      logPath: path.join(this.workDir, `server-${label}.log`),
    });
  }

  // `minzheng user add` → the one-time password.
  async addUser(login, region, roles, name) {
    const r = await this.cli(['user', 'add', login, region, roles, ...(name ? [name] : [])]);
    if (r.code !== 0) throw new Error(`user add ${login}: exit ${r.code}: ${r.stderr.trim()}`);
    return parseOneTimePassword(r.stdout, login);
  }

  // A new account made through the API by the national administrators — created by admin,
  // given roles by secadmin — signed in and past its first password change (unless
  // firstLogin is false: then it is returned with its one-time password, not signed in).
  // Resolves to a Client (with id, login, password).
  async newAccount({ prefix = 's', region = '510824', roles = ['viewer'], phone, firstLogin = true } = {}) {
    const login = `${prefix}.${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
    const body = { login, display_name: `测试 ${login}`, region, ...(phone ? { phone } : {}) };
    const created = await this.as('admin').expect(201, this.base, 'POST', '/api/v1/users', body);
    const { id } = created.user;
    if (roles.length)
      await this.as('secadmin').expect(200, this.base, 'PUT', `/api/v1/users/${id}/roles`, { roles });
    if (!firstLogin)
      return new Client({ name: login, login, id, password: created.one_time_password });
    const client = await firstSignIn(this.base, login, created.one_time_password);
    return client;
  }

  // Signs in the first administrators and the ACCOUNTS (each changing its one-time password),
  // creates the TARGETS; resolves to a note. bootstrap: {login: one-time password}.
  async signInAccounts(bootstrap) {
    for (const login of FIRST_ADMINS)
      if (!bootstrap[login]) throw new Error(`migrate printed no one-time password for ${login}`);
    const made = await inParallel([...ACCOUNTS, ...UNCHANGED, ...TARGETS], SIGN_IN_PARALLEL,
      async ([login, region, roles]) => [login, await this.addUser(login, region, roles)]);
    const passwords = { ...bootstrap, ...Object.fromEntries(made) };
    const signers = [...FIRST_ADMINS, ...ACCOUNTS.map(([login]) => login)];
    const clients = await inParallel([
      ...signers.map((login) => () => firstSignIn(this.base, login, passwords[login])),
      ...UNCHANGED.map(([login]) => () => signIn(this.base, login, passwords[login])),
    ], SIGN_IN_PARALLEL, (start) => start());
    for (const c of clients) {
      this.accounts[c.login] = c;
      this.ids[c.login] = c.id;
    }
    for (const [login] of TARGETS) this.ids[login] = await this.findId(login);
    return `${clients.length} accounts signed in, ${TARGETS.length} targets`;
  }

  // The id of an account, looked up by the national sysadmin.
  async findId(login) {
    const body = await this.as('admin').expect(200, this.base, 'GET',
      `/api/v1/users?q=${encodeURIComponent(login)}&limit=200`);
    const user = body.items.find((u) => u.login === login);
    if (!user) throw new Error(`account ${login} not found`);
    return user.id;
  }

  // An API token issued by `issuer`; kept under `name` for "as": "token:NAME".
  async issueToken(name, issuer, { region = '510824', permissions = ['region:read'], days = 1 } = {}) {
    const body = await this.as(issuer).expect(201, this.base, 'POST', '/api/v1/tokens',
      { name, region, permissions, days });
    const t = { id: body.id, token: body.token, region: body.region,
      client: new Client({ name: `token:${name}`, token: body.token }) };
    this.tokens[name] = t;
    return t;
  }

  // The objects the cases act on, made through the API.
  async createObjects() {
    const created = await this.as('t.sys').expect(201, this.base, 'POST', '/api/v1/users',
      { login: 't.phone', display_name: '电话测试', region: '510824', phone: PHONE });
    this.ids['t.phone'] = created.user.id;
    await this.issueToken('county', 't.sec');
    await this.issueToken('revokable', 't.sec');
    await this.issueToken('national', 'secadmin', { region: '00' });
    return `t.phone ${created.user.id}, ${Object.keys(this.tokens).length} tokens`;
  }

  // The persons, organisations, households and pending requests of lib/registry.mjs.
  createRegistry() {
    return createRegistry(this);
  }

  // Values for {{…}} in cases: id:LOGIN, token:NAME (its id), secret:NAME (the mzt_ value),
  // csrf:LOGIN, password:LOGIN (the current password of a signed-in account), repeat:N:TEXT,
  // and the registry objects: person, idnumber, masked, org, code, household, request (see
  // lib/registry.mjs).
  lookup(kind, arg) {
    const registered = registryLookup(this.registry, kind, arg);
    if (registered !== undefined) return registered;
    switch (kind) {
    case 'password':
      return this.as(arg).password;
    case 'id':
      if (!this.ids[arg]) throw new Error(`no fixture account ${arg}`);
      return this.ids[arg];
    case 'token':
    case 'secret': {
      const t = this.tokens[arg];
      if (!t) throw new Error(`no fixture token ${arg}`);
      return kind === 'token' ? t.id : t.token;
    }
    case 'csrf':
      return this.as(arg).csrf;
    case 'repeat': {
      const colon = arg.indexOf(':');
      return arg.slice(colon + 1).repeat(Number(arg.slice(0, colon)));
    }
    default:
      throw new Error(`unknown placeholder {{${kind}:${arg}}}`);
    }
  }
}

