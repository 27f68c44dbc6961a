// tests/api/scenarios/registry_import.mjs — CSV imports (API and `minzheng import`), their
// rejected-rows reports, exports and the duplicate list (issue #5), on bad files above all:
// wrong encoding, wrong column count, bad check characters, keys repeated in the file, empty
// files, 100 MB of garbage, and a kill -9 in the middle of a big import. Each must end with a
// clear report or error and nothing half written; re-running a file must change nothing.
//
// The API tests act as an intake clerk (受理员: registry:import and registry:export) of 苍溪县
// 510824, made through the API once. Persons are generated with valid GB 11643 numbers in
// ranges of their own (sequence codes 900–999, which no other test uses), so the tests can
// count their rows in the database directly.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { decodeUtf8, send } from '../lib/http.mjs';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const FULL_ID = /\d{17}[\dX]/;
const HEADER = 'id_number,name,sex,birth_date,ethnicity,region,phone,marital_status';

// The 18-character number of a 17-digit body (ISO 7064 MOD 11-2, GB 11643-1999).
function idNumber(body) {
  const sum = [...body].reduce((s, c, i) => s + Number(c) * WEIGHTS[i], 0);
  return body + '10X98765432'[sum % 11];
}

// Person i of a county: birth date 1930-01-01 + (i mod 20000) days, sequence 900 + i / 20000.
function person(i, county = '510824', name = null) {
  const birth = new Date(Date.UTC(1930, 0, 1) + (i % 20000) * 86400000);
  const ymd = birth.toISOString().slice(0, 10);
  const seq = 900 + Math.floor(i / 20000);
  const id = idNumber(`${county}${ymd.replaceAll('-', '')}${seq}`);
  return {
    id, ymd, sex: seq % 2 ? 'M' : 'F',
    line: `${id},${name ?? `导测${i}`},${seq % 2 ? 'M' : 'F'},${ymd},01,${county},138${String(i).padStart(8, '0')},20`,
  };
}

const hasBom = (bytes) => bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]));
const csv = (lines) => `${lines.join('\n')}\n`;
const idList = (ids) => ids.map((id) => `'${id}'`).join(',');

// The intake clerk of 510824, made once per run.
let clerkPromise = null;
function clerk(world) {
  clerkPromise ??= world.newAccount({ prefix: 'imp', region: '510824', roles: ['intake'] });
  return clerkPromise;
}

// POST /api/v1/imports with body (string or Buffer); resolves to {status, body (parsed)}.
async function postImport(base, client, query, body, type = 'text/csv') {
  const res = await send(base, {
    method: 'POST', path: `/api/v1/imports?${query}`,
    headers: { ...client.authHeaders('POST'), 'Content-Type': type }, body: Buffer.from(body),
  });
  const text = decodeUtf8(res.bytes);
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function expectImport(base, client, query, body, type) {
  const res = await postImport(base, client, query, body, type);
  if (res.status !== 200) throw new Error(`import: status ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

// GET of a file; resolves to {status, headers, bytes}.
function download(base, client, urlPath) {
  return send(base, { path: urlPath, headers: client.authHeaders('GET') });
}

async function reportText(base, client, id) {
  const res = await download(base, client, `/api/v1/imports/${id}/report`);
  if (res.status !== 200) throw new Error(`report: status ${res.status}`);
  if (!/^text\/csv/.test(res.headers['content-type'])) throw new Error(`report type ${res.headers['content-type']}`);
  if (!hasBom(res.bytes)) throw new Error('the report has no UTF-8 byte-order mark');
  const text = decodeUtf8(res.bytes); // (the decoder drops the mark)
  if (!text.startsWith('line,field,reason\n')) throw new Error(`report header: ${text.slice(0, 40)}`);
  if (FULL_ID.test(text)) throw new Error('the report shows a full ID number');
  return text;
}

async function count(world, ids) {
  return Number(await world.sqlOk(`SELECT COUNT(*) FROM person WHERE id_number IN (${idList(ids)})`));
}

function expectCounts(got, want, what) {
  for (const [k, v] of Object.entries(want))
    if (got[k] !== v) throw new Error(`${what}: ${k} ${got[k]}, expected ${v} (${JSON.stringify(got)})`);
}

// ---------------------------------------------------------------- the API

// Five valid rows and six bad ones, each bad in its own way.
function mixedFile() {
  const good = [0, 1, 2, 3, 4].map((i) => person(100 + i));
  const badCheck = person(105).line.replace(/^(\d{17})./, (m, body) => body + (m.at(-1) === '0' ? '1' : '0'));
  const lines = [
    '公民身份号码,姓名,性别,出生日期,民族,居住地区划,联系电话,婚姻状况',   // labels as the header
    ...good.map((p) => p.line),
    badCheck,                                                              // line 7
    `${person(106).line},extra`,                                           // line 8: 9 columns
    good[1].line.replace('导测101', '另一人'),                              // line 9: key again
    person(107).line.replace(',01,', ',99,'),                              // line 10: no such code
    person(108).line.replace(',510824,', ',510104,'),                      // line 11: out of scope
    `"${person(109).line}`,                                                // line 12: open quote
  ];
  return { good, text: csv(lines) };
}

async function importValid({ base, world }) {
  const imp = await clerk(world);
  const { good, text } = mixedFile();
  const r = await expectImport(base, imp, 'entity=persons&mode=valid', text);
  expectCounts(r, { status: 'committed', read: 11, inserted: 5, updated: 0, rejected: 6, encoding: 'utf-8' }, 'first run');
  if (await count(world, good.map((p) => p.id)) !== 5) throw new Error('the five valid rows are not all stored');
  const report = await reportText(base, imp, r.report_id);
  const want = [
    /^7,公民身份号码,公民身份号码校验位不正确$/m, /^8,,本行有 9 列，表头有 8 列$/m,
    /^9,公民身份号码,与第 3 行的公民身份号码重复/m, /^10,民族,民族的代码“99”不在代码表中$/m,
    /^11,居住地区划,所属区划超出您的管辖范围$/m, /^12,,本行格式不正确/m,
  ];
  for (const re of want) if (!re.test(report)) throw new Error(`report lacks ${re}: ${report}`);
  const audited = await world.sqlOk(`SELECT COUNT(*) FROM audit_log WHERE action = 'person.import' `
    + `AND object_id = '${r.report_id}' AND detail LIKE '%inserted=5%'`);
  if (Number(audited) < 1) throw new Error('no audit entry with the counts');
  return `report ${r.report_id}`;
}

async function rerunChangesNothing({ base, world }) {
  const imp = await clerk(world);
  const { good, text } = mixedFile();
  const before = await world.sqlOk(`SELECT SUM(version) FROM person WHERE id_number IN (${idList(good.map((p) => p.id))})`);
  const r = await expectImport(base, imp, 'entity=persons', text);
  expectCounts(r, { inserted: 0, updated: 0, unchanged: 5, rejected: 6 }, 're-run');
  const after = await world.sqlOk(`SELECT SUM(version) FROM person WHERE id_number IN (${idList(good.map((p) => p.id))})`);
  if (before !== after) throw new Error(`versions changed from ${before} to ${after}`);
  // One changed cell updates that field only, with its history row.
  const changed = text.replace(good[0].line, good[0].line.replace(/,138\d{8},/, ',13912345678,'));
  const r2 = await expectImport(base, imp, 'entity=persons', changed);
  expectCounts(r2, { inserted: 0, updated: 1, unchanged: 4 }, 'changed phone');
  const history = await world.sqlOk(`SELECT COUNT(*) FROM record_change c JOIN person p ON p.id = c.record_id `
    + `WHERE p.id_number = '${good[0].id}' AND c.field = 'phone' AND c.new_value = '13912345678'`);
  if (history !== '1') throw new Error(`${history} history rows for the changed phone`);
}

async function modeAllWritesNothing({ base, world }) {
  const imp = await clerk(world);
  const rows = [0, 1, 2].map((i) => person(200 + i));
  const text = csv([HEADER, ...rows.map((p) => p.line), person(203).line.replace(',01,', ',00,')]);
  const r = await expectImport(base, imp, 'entity=persons&mode=all', text);
  expectCounts(r, { status: 'rolled_back', read: 4, inserted: 0, rejected: 1 }, 'mode all');
  if (await count(world, rows.map((p) => p.id)) !== 0) throw new Error('mode all wrote rows');
  const report = await reportText(base, imp, r.report_id);
  if (!/^5,ethnicity,/m.test(report)) throw new Error(`report: ${report}`);
  const ok = await expectImport(base, imp, 'entity=persons&mode=all', csv([HEADER, ...rows.map((p) => p.line)]));
  expectCounts(ok, { status: 'committed', inserted: 3 }, 'mode all, all valid');
}

// text in GB18030, by the system's iconv.
function toGb18030(text) {
  const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });
  if (r.status !== 0) throw new Error(`iconv: ${r.stderr}`);
  return r.stdout;
}

async function encodings({ base, world }) {
  const imp = await clerk(world);
  const rows = [0, 1].map((i) => person(300 + i, '510824', `编码${i}`));
  const gbk = toGb18030(csv([HEADER, ...rows.map((p) => p.line)]));
  const declared = await expectImport(base, imp, 'entity=persons&encoding=utf-8', gbk);
  expectCounts(declared, { inserted: 0, rejected: 2 }, 'GBK declared utf-8');
  const report = await reportText(base, imp, declared.report_id);
  if (!/^2,name,姓名不是合法的 UTF-8 文本/m.test(report)) throw new Error(`report: ${report}`);
  const labels = toGb18030(csv(['公民身份号码,姓名,居住地区划', `${rows[0].id},编码,510824`]));
  const header = await postImport(base, imp, 'entity=persons&encoding=utf-8', labels);
  if (header.status !== 422 || !/GB18030/.test(header.body.error.message))
    throw new Error(`GBK header declared utf-8: ${header.status} ${JSON.stringify(header.body)}`);
  const auto = await expectImport(base, imp, 'entity=persons', gbk);
  expectCounts(auto, { encoding: 'gb18030', inserted: 2, rejected: 0 }, 'GBK detected');
  const name = await world.sqlOk(`SELECT name FROM person WHERE id_number = '${rows[1].id}'`);
  if (name !== '编码1') throw new Error(`stored name ${name}`);
  const charset = await expectImport(base, imp, 'entity=persons', gbk, 'text/csv; charset=GBK');
  expectCounts(charset, { encoding: 'gb18030', unchanged: 2 }, 'charset=GBK');
}

async function emptyAndWrongBodies({ base, world, tightBase }) {
  const imp = await clerk(world);
  const empty = await postImport(base, imp, 'entity=persons', '');
  if (empty.status !== 422 || empty.body.error.field !== 'file') throw new Error(`empty: ${empty.status}`);
  const blank = await postImport(base, imp, 'entity=persons', '\r\n\n');
  if (blank.status !== 422) throw new Error(`blank lines: ${blank.status}`);
  const headerOnly = await expectImport(base, imp, 'entity=persons', `${HEADER}\n`);
  expectCounts(headerOnly, { read: 0, inserted: 0, rejected: 0 }, 'header only');
  const json = await postImport(base, imp, 'entity=persons', '{}', 'application/json');
  if (json.status !== 415) throw new Error(`JSON body: ${json.status}`);
  const entity = await postImport(base, imp, 'entity=cats', `${HEADER}\n`);
  if (entity.status !== 400 || entity.body.error.field !== 'entity') throw new Error(`entity: ${entity.status}`);
  const big = await postImport(tightBase, imp, 'entity=persons', csv([HEADER, ...Array.from({ length: 30 }, (_, i) => person(400 + i).line)]));
  if (big.status !== 413) throw new Error(`over the body limit: ${big.status}`);
  const viewer = world.as('t.county');
  const denied = await postImport(base, viewer, 'entity=persons', `${HEADER}\n`);
  if (denied.status !== 403) throw new Error(`a viewer: ${denied.status}`);
}

async function exports({ base, world }) {
  const imp = await clerk(world);
  const rows = [0, 1, 2].map((i) => person(500 + i, '510824', `导出${i}`));
  await expectImport(base, imp, 'entity=persons', csv([HEADER, ...rows.map((p) => p.line)]));
  const q = `name=${encodeURIComponent('导出')}&under=510824`;
  const res = await download(base, imp, `/api/v1/exports/persons.csv?${q}`);
  if (res.status !== 200) throw new Error(`csv: ${res.status} ${res.bytes}`);
  if (!/attachment; filename="person-\d{8}\.csv"/.test(res.headers['content-disposition']))
    throw new Error(`disposition ${res.headers['content-disposition']}`);
  if (!hasBom(res.bytes)) throw new Error('the export has no UTF-8 byte-order mark (Excel needs it)');
  const text = decodeUtf8(res.bytes);
  const lines = text.trim().split('\r\n');
  if (!lines[0].startsWith('公民身份号码,姓名')) throw new Error(`header ${lines[0]}`);
  if (lines.length !== 4) throw new Error(`${lines.length - 1} rows, expected 3`);
  if (FULL_ID.test(text)) throw new Error('a full ID number in the export');
  const masked = `${rows[0].id.slice(0, 6)}********${rows[0].id.slice(-4)}`;
  if (!text.includes(masked) || !/138\*{4}\d{4}/.test(text)) throw new Error(`not masked as expected: ${lines[1]}`);
  const xlsx = await download(base, imp, `/api/v1/exports/persons.xlsx?${q}`);
  if (xlsx.status !== 200 || xlsx.bytes.subarray(0, 2).toString() !== 'PK')
    throw new Error(`xlsx: ${xlsx.status} ${xlsx.headers['content-type']}`);
  const out = await download(base, imp, `/api/v1/exports/persons.csv?under=5101`);
  if (out.status !== 400) throw new Error(`outside the scope: ${out.status}`);
  const viewer = await download(base, world.as('t.county'), `/api/v1/exports/persons.csv?${q}`);
  if (viewer.status !== 403) throw new Error(`a viewer: ${viewer.status}`);
  const audited = await world.sqlOk(`SELECT COUNT(*) FROM audit_log WHERE action = 'person.export' `
    + `AND detail LIKE 'format=csv rows=3 %'`);
  if (Number(audited) < 1) throw new Error('no audit entry with the row count');
}

async function duplicates({ base, world }) {
  const imp = await clerk(world);
  // Same name, birth date and region, two numbers: sequence codes 900 and 902.
  const a = person(600, '510824', '重复者');
  const b = person(600 + 40000, '510824', '重复者');
  await expectImport(base, imp, 'entity=persons', csv([HEADER, a.line, b.line]));
  const res = await imp.expect(200, base, 'GET', '/api/v1/persons/duplicates?under=510824&limit=500');
  const group = res.groups.find((g) => g.name === '重复者' && g.birth_date === a.ymd);
  if (!group || group.persons.length !== 2) throw new Error(`no group of two: ${JSON.stringify(res).slice(0, 300)}`);
  if (group.persons.some((p) => FULL_ID.test(p.id_number))) throw new Error('ID numbers not masked');
  const out = await imp.call(base, 'GET', '/api/v1/persons/duplicates?under=5101');
  if (out.status !== 400) throw new Error(`outside the scope: ${out.status}`);
}

// ---------------------------------------------------------------- the command line

// Runs `minzheng import persons FILE ARGS…` on the owner's database.
function cliImport(world, file, args = []) {
  return world.cli(['import', 'persons', file, ...args], 120000);
}

async function garbage({ world, workDir }) {
  const file = path.join(workDir, 'garbage.csv');
  const chunk = Buffer.alloc(1 << 20);
  let fd = fs.openSync(file, 'w');
  for (let i = 0; i < 100; i++) {
    crypto.randomFillSync(chunk);
    fs.writeSync(fd, chunk);
  }
  fs.closeSync(fd);
  const before = await world.sqlOk('SELECT COUNT(*) FROM person');
  try {
    const pure = await cliImport(world, file);
    if (pure.code !== 1 || !/表头/.test(pure.stderr)) throw new Error(`pure garbage: exit ${pure.code}: ${pure.stderr.slice(-300)}`);
    // A valid header, then the same 100 MB: every line rejected, nothing written.
    const headed = path.join(workDir, 'headed-garbage.csv');
    fd = fs.openSync(headed, 'w');
    fs.writeSync(fd, `${HEADER}\n`);
    fs.closeSync(fd);
    fs.appendFileSync(headed, fs.readFileSync(file));
    const report = path.join(workDir, 'garbage-report.csv');
    const valid = await cliImport(world, headed, [`--report=${report}`]);
    const m = /read (\d+), inserted 0, updated 0, unchanged 0, rejected (\d+) /.exec(valid.stdout);
    if (valid.code !== 0 || !m || m[1] !== m[2]) throw new Error(`headed garbage: exit ${valid.code}: ${valid.stdout}${valid.stderr.slice(-300)}`);
    const listed = fs.readFileSync(report, 'utf8').split('\n').length - 2;
    if (listed !== Number(m[2])) throw new Error(`${listed} report lines for ${m[2]} rejected rows`);
    const all = await cliImport(world, headed, ['--mode=all']);
    if (all.code !== 1 || !/nothing written/.test(all.stdout)) throw new Error(`mode all: exit ${all.code}: ${all.stdout}`);
    const after = await world.sqlOk('SELECT COUNT(*) FROM person');
    if (after !== before) throw new Error(`persons went from ${before} to ${after}`);
    fs.rmSync(headed);
    fs.rmSync(report);
    return `${m[1]} garbage lines rejected`;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

// kill -9 in the middle of a 200 000-row import with batches of 5 000: the table then holds
// whole batches only (those the audit log names), and a re-run completes the import.
async function killMidImport({ world, workDir, bin, db, keyFile }) {
  const total = 200000;
  const batch = 5000;
  const file = path.join(workDir, 'big.csv');
  const lines = [HEADER];
  for (let i = 0; i < total; i++) lines.push(person(i, '510802', `大批${i % 97}`).line);
  fs.writeFileSync(file, csv(lines));
  const first = person(0, '510802').id;
  const countSql = `SELECT COUNT(*) FROM person WHERE region = '510802000000' AND name LIKE '大批%'`;
  const child = spawn(bin, ['import', 'persons', file, `--batch=${batch}`, '--db', db,
    '--audit-key-file', keyFile], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let stored = 0;
  const deadline = Date.now() + 40000;
  while (stored < 2 * batch && Date.now() < deadline) {
    await sleep(50);
    stored = Number(await world.sqlOk(countSql));
  }
  child.kill('SIGKILL');
  const exit = await exited;
  if (exit.signal !== 'SIGKILL') throw new Error(`the import ended before the kill (exit ${exit.code}); make the file bigger`);
  stored = Number(await world.sqlOk(countSql));
  if (stored % batch !== 0 || stored === 0 || stored >= total)
    throw new Error(`${stored} rows stored: not whole batches of ${batch}`);
  const batches = await world.sqlOk("SELECT detail FROM audit_log WHERE action = 'person.import' AND detail LIKE '% lines=%' "
    + "ORDER BY seq DESC LIMIT 200");
  const importId = /import=(\d+)/.exec(batches)?.[1];
  const audited = batches.split('\n').filter((d) => d.startsWith(`import=${importId} `))
    .reduce((s, d) => s + Number(/inserted=(\d+)/.exec(d)[1]), 0);
  if (audited !== stored) throw new Error(`the audit log names ${audited} inserted rows, the table holds ${stored}`);
  const rerun = await world.cli(['import', 'persons', file], 120000);
  const m = /read (\d+), inserted (\d+), updated 0, unchanged (\d+), rejected 0/.exec(rerun.stdout);
  if (rerun.code !== 0 || !m) throw new Error(`re-run: exit ${rerun.code}: ${rerun.stdout}${rerun.stderr.slice(-300)}`);
  if (Number(m[2]) !== total - stored || Number(m[3]) !== stored) throw new Error(`re-run: ${m[0]}`);
  const final = Number(await world.sqlOk(countSql));
  if (final !== total) throw new Error(`${final} rows after the re-run`);
  if (await world.sqlOk(`SELECT COUNT(*) FROM person WHERE id_number = '${first}'`) !== '1') throw new Error('first row missing');
  fs.rmSync(file);
  return `killed after ${stored} rows (${stored / batch} batches)`;
}

export const tests = [
  { name: 'API import (mode valid): valid rows stored, each bad row in the report', fn: importValid },
  { name: 'API import: re-running a file changes nothing; a changed cell updates one field', fn: rerunChangesNothing },
  { name: 'API import (mode all): one bad row and nothing is written', fn: modeAllWritesNothing },
  { name: 'API import: GBK detected; GBK declared utf-8 refused with the encoding named', fn: encodings },
  { name: 'API import: empty, header-only, non-CSV, oversized and unpermitted bodies', fn: emptyAndWrongBodies },
  { name: 'exports: CSV and xlsx within scope, masked, audited with the row count', fn: exports },
  { name: 'duplicates: same name, birth date and region are listed, masked', fn: duplicates },
  { name: 'CLI import: 100 MB of garbage is refused or rejected line by line, nothing written', fn: garbage },
  { name: 'CLI import: kill -9 mid-import leaves whole batches; a re-run completes it', fn: killMidImport },
];
