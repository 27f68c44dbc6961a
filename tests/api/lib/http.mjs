// tests/api/lib/http.mjs — HTTP clients for the API tests: one request through node:http
// (`send`, `getJson`), and a raw TCP connection (`RawConnection`) that writes exact bytes and
// parses the responses itself, for what node:http will not do (oversized headers, half-sent
// requests, pipelining, idle sockets).
import http from 'node:http';
import net from 'node:net';

const utf8 = new TextDecoder('utf-8', { fatal: true });

// The body bytes as text; throws when they are not valid UTF-8.
export function decodeUtf8(bytes) {
  return utf8.decode(bytes);
}

// Sends one request; `body` is a Buffer or undefined. Without an agent the connection is used
// for this request only. Resolves to {status, headers (lower-case names), bytes}.
export function send(base, { method = 'GET', path, headers = {}, body }, options = {}) {
  const { agent = false, timeoutMs = 10000 } = options;
  const url = new URL(base);
  const allHeaders = { ...headers };
  const hasLength = Object.keys(headers).some((h) => h.toLowerCase() === 'content-length');
  if (body !== undefined && !hasLength) allHeaders['Content-Length'] = body.length;
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, method, path, headers: allHeaders, agent,
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, bytes: Buffer.concat(chunks) }));
    });
    req.end(body);
  });
}

// GETs base+path and parses the JSON body: resolves to {status, headers, body}. options are
// those of send() plus `headers` for the request.
export async function getJson(base, path, { headers, ...options } = {}) {
  const res = await send(base, { path, headers }, options);
  const text = decodeUtf8(res.bytes);
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

// The bytes of an HTTP/1.1 request. `body` (string or Buffer) gets a Content-Length unless
// headers already name one.
export function formatRequest(method, path, headers = {}, body) {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1'];
  const all = { ...headers };
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  const hasLength = Object.keys(all).some((h) => h.toLowerCase() === 'content-length');
  if (body !== undefined && !hasLength) all['Content-Length'] = payload.length;
  for (const [name, value] of Object.entries(all)) lines.push(`${name}: ${value}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

// A TCP connection read as a stream of HTTP responses.
export class RawConnection {
  #buffer = Buffer.alloc(0);
  #waiters = [];
  closed = false;
  error = null;

  constructor(socket) {
    this.socket = socket;
    socket.on('data', (chunk) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake();
    });
    socket.on('error', (err) => { this.error = err; });
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  // Connects to 127.0.0.1:port; rejects when the connection cannot be made.
  static open(port, timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.setTimeout(timeoutMs, () => socket.destroy(new Error('connect timed out')));
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.setTimeout(0);
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
    });
  }

  // Writes bytes; resolves once they are handed to the kernel.
  write(data) {
    return new Promise((resolve, reject) =>
      this.socket.write(data, (err) => (err ? reject(err) : resolve())));
  }

  // Resolves to the next complete response {status, headers, bytes}.
  async readResponse(timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = parseResponse(this.#buffer, this.closed);
      if (parsed) {
        this.#buffer = this.#buffer.subarray(parsed.consumed);
        return parsed.response;
      }
      if (this.closed) {
        const why = this.error ? ` (${this.error.code ?? this.error.message})` : '';
        throw new Error(this.#buffer.length
          ? `connection closed in the middle of a response${why}`
          : `connection closed without a response${why}`);
      }
      await this.#changed(deadline, 'response');
    }
  }

  // Resolves once the peer has closed the connection.
  async waitClose(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) await this.#changed(deadline, 'close');
  }

  destroy() {
    this.socket.destroy();
  }

  #changed(deadline, what) {
    return new Promise((resolve, reject) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`no ${what} within the time allowed`));
      }, Math.max(0, deadline - Date.now()));
      this.#waiters.push(waiter);
    });
  }

  #wake() {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter();
  }
}

// Parses one response from the start of buf: {consumed, response}, or null while incomplete.
function parseResponse(buf, closed) {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const [statusLine, ...lines] = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) throw new Error(`not an HTTP status line: ${JSON.stringify(statusLine)}`);
  const status = Number(match[1]);
  const headers = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = readBody(buf, headEnd + 4, status, headers, closed);
  return body && { consumed: body.end, response: { status, headers, bytes: body.bytes } };
}

function readBody(buf, start, status, headers, closed) {
  if (status < 200 || status === 204 || status === 304) return { bytes: Buffer.alloc(0), end: start };
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) return readChunked(buf, start);
  if (headers['content-length'] !== undefined) {
    const end = start + Number(headers['content-length']);
    return buf.length >= end ? { bytes: buf.subarray(start, end), end } : null;
  }
  return closed ? { bytes: buf.subarray(start), end: buf.length } : null;
}

function readChunked(buf, pos) {
  const parts = [];
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', pos);
    if (lineEnd < 0) return null;
    const size = parseInt(buf.subarray(pos, lineEnd).toString('latin1'), 16);
    pos = lineEnd + 2;
    if (size === 0) {
      const end = buf.indexOf('\r\n', pos);
      return end < 0 ? null : { bytes: Buffer.concat(parts), end: end + 2 };
    }
    if (buf.length < pos + size + 2) return null;
    parts.push(buf.subarray(pos, pos + size));
    pos += size + 2;
  }
}
