// tests/api/lib/session.mjs — signed-in API clients for the tests.
//
// A Client is one caller: a browser-like session (the mz_session cookie and the CSRF token the
// login answered with), an API token (Authorization: Bearer mzt_…), or nobody (anonymous). Its
// call() sends one JSON request with the caller's credentials and returns the parsed answer,
// after the checks every response must pass (X-Request-Id, JSON body, error shape).
import crypto from 'node:crypto';

import { checkResponse } from './cases.mjs';
import { send } from './http.mjs';

export const COOKIE = 'mz_session';

// A password that satisfies the policy (≥ 8 characters, four classes) and is new each time.
export function newPassword() {
  return `Mz#${crypto.randomBytes(6).toString('hex')}Q7`;
}

// The request path with non-ASCII characters percent-encoded (UTF-8), the rest as written.
function encodePath(path) {
  return path.replace(/[^\x00-\x7f]+/gu, encodeURIComponent);
}

export class Client {
  // name: label in messages; login/password/id/user: the account; cookie, csrf: the session;
  // token: an API token instead of a session. All null: anonymous.
  constructor({ name = 'anonymous', login = null, password = null, id = null, user = null,
    cookie = null, csrf = null, token = null } = {}) {
    Object.assign(this, { name, login, password, id, user, cookie, csrf, token });
  }

  get anonymous() {
    return !this.cookie && !this.token;
  }

  // Authentication headers for a request: the cookie plus, on anything but GET, the CSRF token
  // (unless csrf is false), or the bearer token.
  authHeaders(method = 'GET', { csrf = true } = {}) {
    if (this.token) return { Authorization: `Bearer ${this.token}` };
    if (!this.cookie) return {};
    const headers = { Cookie: `${COOKIE}=${this.cookie}` };
    if (csrf && method !== 'GET' && method !== 'HEAD' && this.csrf) headers['X-CSRF-Token'] = this.csrf;
    return headers;
  }

  // Sends one request; body is an object (sent as JSON), a string (sent as is) or undefined.
  // Resolves to {status, headers, body} with body parsed (undefined when empty).
  async call(base, method, path, body, { headers = {}, csrf = true } = {}) {
    const all = { ...this.authHeaders(method, { csrf }), ...headers };
    let bytes;
    if (body !== undefined) {
      bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      if (!Object.keys(all).some((h) => h.toLowerCase() === 'content-type'))
        all['Content-Type'] = 'application/json';
    }
    const res = await send(base, { method, path: encodePath(path), headers: all, body: bytes });
    return { status: res.status, headers: res.headers, body: checkResponse(res) };
  }

  get(base, path, options) { return this.call(base, 'GET', path, undefined, options); }
  post(base, path, body = {}, options) { return this.call(base, 'POST', path, body, options); }
  put(base, path, body = {}, options) { return this.call(base, 'PUT', path, body, options); }
  delete(base, path, options) { return this.call(base, 'DELETE', path, undefined, options); }

  // Like call(), but throws unless the status is `status`; resolves to the body.
  async expect(status, base, method, path, body, options) {
    const res = await this.call(base, method, path, body, options);
    if (res.status !== status) {
      throw new Error(`${this.name}: ${method} ${path}: status ${res.status}, expected ${status}: `
        + JSON.stringify(res.body)?.slice(0, 300));
    }
    return res.body;
  }
}

export const anonymous = new Client();

// The mz_session value set by a response, or null; '' when the cookie is being cleared.
export function sessionCookie(res) {
  const raw = res.headers['set-cookie'];
  for (const line of Array.isArray(raw) ? raw : raw ? [raw] : []) {
    const m = new RegExp(`^${COOKIE}=([^;]*)`).exec(line);
    if (m) return m[1];
  }
  return null;
}

// POST /auth/login; resolves to {res, client}: client is a signed-in Client when the answer
// is 200, else null.
export async function logIn(base, login, password, name = login) {
  const res = await anonymous.call(base, 'POST', '/api/v1/auth/login', { login, password });
  if (res.status !== 200) return { res, client: null };
  const cookie = sessionCookie(res);
  if (!cookie) throw new Error(`login of ${login}: 200 without a ${COOKIE} cookie`);
  const client = new Client({
    name, login, password, id: res.body.user.id, user: res.body.user, cookie,
    csrf: res.body.csrf_token,
  });
  client.mustChange = res.body.must_change_password;
  return { res, client };
}

// Signs in and throws unless it worked; resolves to the Client.
export async function signIn(base, login, password, name = login) {
  const { res, client } = await logIn(base, login, password, name);
  if (!client) throw new Error(`login of ${login}: status ${res.status}: ${JSON.stringify(res.body)}`);
  return client;
}

// Changes the client's password to a new one (or newPw) through the API; throws unless 200.
export async function changePassword(base, client, newPw = newPassword()) {
  await client.expect(200, base, 'POST', '/api/v1/auth/password',
    { old_password: client.password, new_password: newPw });
  client.password = newPw;
  client.mustChange = false;
  return client;
}

// Signs in with a one-time password and changes it at once: the first login of an account.
export async function firstSignIn(base, login, oneTimePassword, name = login) {
  const client = await signIn(base, login, oneTimePassword, name);
  return changePassword(base, client);
}
