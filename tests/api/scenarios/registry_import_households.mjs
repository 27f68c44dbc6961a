// tests/api/scenarios/registry_import_households.mjs — CSV import of households
// (POST /api/v1/imports?entity=households; src/registry/import.h): groups by the file's own
// household key (rows need not be adjacent), one head (02) per group, members registered
// persons in scope, create-only (an identical household is "unchanged", a different one is
// rejected: changes go through change requests), mode all writes nothing when a group is bad.
//
// Acts as an intake clerk of 苍溪县 510824 made once. Persons are made by a persons import
// first, with numbers of their own: 510824 + 1935-01-01 + i days + sequence 601–602.
import { decodeUtf8, send } from '../lib/http.mjs';
import { personNumber } from '../lib/registry.mjs';

const PERSON_HEADER = 'id_number,name,sex,birth_date,ethnicity,region';
const csv = (lines) => `${lines.join('\n')}\n`;

let clerkPromise = null;
function clerk(world) {
  clerkPromise ??= world.newAccount({ prefix: 'imh', region: '510824', roles: ['intake'] });
  return clerkPromise;
}

async function postImport(base, client, query, body) {
  const res = await send(base, {
    method: 'POST', path: `/api/v1/imports?${query}`,
    headers: { ...client.authHeaders('POST'), 'Content-Type': 'text/csv' }, body: Buffer.from(body),
  });
  const text = decodeUtf8(res.bytes);
  if (res.status !== 200) throw new Error(`import: status ${res.status}: ${text}`);
  return JSON.parse(text);
}

async function reportText(base, client, id) {
  const res = await send(base, { path: `/api/v1/imports/${id}/report`, headers: client.authHeaders('GET') });
  if (res.status !== 200) throw new Error(`report: status ${res.status}`);
  return decodeUtf8(res.bytes);
}

function expectCounts(got, want, what) {
  for (const [k, v] of Object.entries(want))
    if (got[k] !== v) throw new Error(`${what}: ${k} ${got[k]}, expected ${v} (${JSON.stringify(got)})`);
}

// n registered persons (by a persons import) starting at index from; resolves to their numbers.
async function registered(base, imp, from, n) {
  const people = Array.from({ length: n }, (_, k) => personNumber('1935-01-01', from + k, k % 2 ? '602' : '601'));
  const lines = people.map((p, k) => `${p.idNumber},户导${from + k},${p.sex},${p.birthDate},01,510824`);
  const r = await postImport(base, imp, 'entity=persons&mode=all', csv([PERSON_HEADER, ...lines]));
  expectCounts(r, { status: 'committed', inserted: n }, 'persons');
  return people.map((p) => p.idNumber);
}

// Unregistered: a valid number nobody imported (sequence 603).
const stranger = () => personNumber('1935-01-01', 900, '603').idNumber;

async function members(world, headId) {
  return Number(await world.sqlOk(`SELECT COUNT(*) FROM household_member m JOIN household h ON h.id = m.household_id `
    + `JOIN person p ON p.id = h.head_person_id WHERE p.id_number = '${headId}' AND m.left_on IS NULL`));
}

async function validMode({ base, world }) {
  const imp = await clerk(world);
  const [a, b, c, d, e, g] = await registered(base, imp, 0, 6);
  const text = csv([
    'household,公民身份号码,与户主关系,address',
    `h1,${a},02,陵江镇一号`,        // 2
    `h2,${c},02,`,                  // 3
    `h1,${b},10,`,                  // 4: h1 is not contiguous
    `h2,${d},02,`,                  // 5: a second head
    `h3,${e},02,`,                  // 6
    `h3,${stranger()},20,`,         // 7: not registered
  ]);
  const r = await postImport(base, imp, 'entity=households&mode=valid', text);
  expectCounts(r, { entity: 'household', status: 'committed', read: 6, inserted: 1, unchanged: 0, rejected: 2 }, 'first run');
  if (await members(world, a) !== 2) throw new Error('h1 is not stored with its two members');
  if (await members(world, e) !== 0) throw new Error('h3 was stored');
  const report = await reportText(base, imp, r.report_id);
  for (const re of [/^5,与户主关系,户号“h2”有多名户主（第 3 行已是户主）/m, /^7,公民身份号码,该人员不在自然人登记中/m])
    if (!re.test(report)) throw new Error(`report lacks ${re}: ${report}`);
  const audited = await world.sqlOk(`SELECT COUNT(*) FROM audit_log WHERE action = 'household.import' `
    + `AND object_id = '${r.report_id}' AND detail LIKE '%inserted=1%'`);
  if (Number(audited) < 1) throw new Error('no audit entry with the counts');

  const again = await postImport(base, imp, 'entity=households', text);
  expectCounts(again, { inserted: 0, unchanged: 1, rejected: 2 }, 're-run');

  const changed = await postImport(base, imp, 'entity=households', csv(['household,id_number,relation',
    `x,${a},02`, `x,${c},20`]));
  expectCounts(changed, { inserted: 0, unchanged: 0, rejected: 1 }, 'a different household of the head');
  if (!/^2,id_number,该户主已有家庭，请用家庭变更申请修改$/m.test(await reportText(base, imp, changed.report_id)))
    throw new Error('no change-request hint for an existing head');

  const busy = await postImport(base, imp, 'entity=households', csv(['household,id_number,relation',
    `y,${g},02`, `y,${b},10`]));
  expectCounts(busy, { inserted: 0, rejected: 1 }, 'a member of another household');
  if (!/^3,id_number,第 3 行的人员已属于另一家庭/m.test(await reportText(base, imp, busy.report_id)))
    throw new Error('the busy member is not named by its line');
}

async function modeAll({ base, world }) {
  const imp = await clerk(world);
  const [a, b, c] = await registered(base, imp, 10, 3);
  const text = csv(['household,id_number,relation,region',
    `k1,${a},02,510824`, `k1,${b},20,510824`, `k2,${c},10,`]);
  const r = await postImport(base, imp, 'entity=households&mode=all', text);
  expectCounts(r, { status: 'rolled_back', inserted: 0, rejected: 1 }, 'mode all');
  if (await members(world, a) !== 0) throw new Error('mode all wrote a household');
  if (!/^4,relation,户号“k2”没有户主/m.test(await reportText(base, imp, r.report_id)))
    throw new Error('no report line for the headless group');
  const ok = await postImport(base, imp, 'entity=households&mode=all', csv(['household,id_number,relation,region',
    `k1,${a},02,510824`, `k1,${b},20,510824`]));
  expectCounts(ok, { status: 'committed', inserted: 1, rejected: 0 }, 'mode all, all valid');
  if (await members(world, a) !== 2) throw new Error('k1 not stored');
}

export const tests = [
  { name: 'import households: groups by key, rejects bad groups by line, re-run unchanged, create-only', fn: validMode },
  { name: 'import households: mode all writes nothing when a group is rejected', fn: modeAll },
];
