// tests/api/lib/registry.mjs — the registry objects the cases and scenarios share (persons,
// organisations, households, pending change requests), made once per run through the API, and
// generators of valid GB 11643 ID numbers and GB 32100 credit codes.
//
// Number ranges, so that no two tests make the same person (a fresh database per run):
//   lib/registry.mjs fixtures     510824 + 1960-01-01 + i days + sequence 101–103
//   scenarios/registry.mjs        510824 + 1940-01-01 + i days + sequence 301–302
//   scenarios/scope.mjs           510824 + 1945-01-01 + i days + sequence 401–402
//   scenarios/registry_import.mjs 510824 / 510802 + sequence 900–999 (its own)
//   cases/persons_*.json          the examples of shared/domain/reference.md §2.5 and a few
//                                 numbers of 510824 born in 1950–1951 (sequence 2xx)
// Organisations: fixtures 51/52 + region + 7001xxxx; cases the examples of reference.md §3.6.
//
// Objects are kept in world.registry and named in cases by placeholders (see fixtures.mjs):
// {{person:KEY}} (the record id), {{idnumber:KEY}} (the full ID number), {{idlower:KEY}} (with
// a lower-case x), {{id15:KEY}} (its 15-digit GB 11643-1989 form), {{masked:KEY}} (as lists
// show it), {{org:KEY}}, {{code:KEY}} (the credit code; {{codelower:KEY}} in lower case),
// {{household:KEY}} and {{request:KEY}}. The keys, and what the cases rely on, are in the
// tables PERSONS, HOUSEHOLDS and REQUESTS below.

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

// The 18-character number of a 17-digit body (ISO 7064 MOD 11-2, GB 11643-1999).
export function idNumber(body) {
  const sum = [...body].reduce((s, c, i) => s + Number(c) * ID_WEIGHTS[i], 0);
  return body + '10X98765432'[sum % 11];
}

// Person number i of a range: birth date `from` + i days, sequence `seq` (odd: male).
export function personNumber(from, i, seq, county = '510824') {
  const birth = new Date(Date.parse(`${from}T00:00:00Z`) + i * 86400000);
  const ymd = birth.toISOString().slice(0, 10);
  return { idNumber: idNumber(`${county}${ymd.replaceAll('-', '')}${seq}`), birthDate: ymd,
    sex: Number(seq) % 2 ? 'M' : 'F' };
}

// As lists and details show an ID number: 6 + 8 '*' + 4.
export function maskId(number) {
  return `${number.slice(0, 6)}********${number.slice(-4)}`;
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

// A GB 32100 code from its authority and type (2), region (6) and 组织机构代码 body (8,
// digits and A–H only, where GB 11714 and GB 32100 values agree): both check characters.
export function creditCode(prefix, region, body) {
  const value = (c) => (/\d/.test(c) ? Number(c) : c.charCodeAt(0) - 55);
  const c9 = 11 - ([...body].reduce((s, c, i) => s + value(c) * ORG_WEIGHTS[i], 0) % 11);
  const head = prefix + region + body + (c9 === 10 ? 'X' : c9 === 11 ? '0' : String(c9));
  const sum = [...head].reduce((s, c, i) => s + USCC_CHARS.indexOf(c) * USCC_WEIGHTS[i], 0);
  return head + USCC_CHARS[(31 - (sum % 31)) % 31];
}

// The fixture persons: key → [name, sex, extra fields, creator, region]. Birth dates follow
// the order (1960-01-01 + index days) unless `same` names another key whose date is shared.
const PERSONS = [
  // detail, reveal, duplicate key (409 with record_id), organisations' legal representative
  ['zhang', '张建国', 'M', { phone: '13812345678', ethnicity: '01', address: '苍溪县陵江镇滨江路1号' }],
  // the PATCH cases, in their order (version 1 → …)
  ['patch', '修改测试', 'F', { phone: '13700001111', ethnicity: '01', address: '原地址', education: '20' }],
  ['dead', '已故测试', 'M', { death_date: '2020-01-01' }],
  ['disab', '残疾测试', 'F', {}],
  ['pct', '百分%号', 'M', {}],
  ['pctx', '百分X号', 'M', {}],
  ['und', '下划_线', 'F', {}],
  ['undx', '下划X线', 'F', {}],
  ['latin', 'Zhao Lei', 'M', {}],
  ['page1', '分页甲', 'M', {}],
  ['page2', '分页乙', 'M', {}],
  ['page3', '分页丙', 'M', {}],
  ['filt.m', '筛选甲', 'M', { marital_status: '20' }],
  ['filt.f', '筛选乙', 'F', { marital_status: '10' }],
  ['dup.a', '双登记', 'M', {}],
  ['dup.b', '双登记', 'M', {}, { same: 'dup.a' }],
  ['xend', '末位X', 'M', {}, { endsX: true }],   // a number ending in X (key search in lower case)
  ['dead.alive', '生卒测试', 'M', {}],           // PATCH: a death date before the birth date
  // households: main (detail, search, refused requests), one per request kind filed by a case
  ['hm.head', '户主甲', 'M', {}], ['hm.spouse', '配偶乙', 'F', {}], ['hm.child', '子女丙', 'M', {}],
  ['hm.free', '无户丁', 'F', {}],
  ['ha.head', '增员户主', 'M', {}], ['ha.new', '待增成员', 'F', {}],
  ['hr.head', '减员户主', 'M', {}], ['hr.member', '待减成员', 'F', {}],
  ['hh.head', '换主户主', 'M', {}], ['hh.member', '新任户主', 'F', {}],
  ['hs.head', '分户户主', 'M', {}], ['hs.m1', '分出甲', 'F', {}], ['hs.m2', '分出乙', 'M', {}],
  ['hg.head', '合户户主', 'M', {}], ['hg2.head', '并入户主', 'F', {}], ['hg2.member', '并入成员', 'M', {}],
  ['hv.head', '迁移户主', 'M', {}],
  ['hap.head', '批准户主', 'M', {}], ['hap.new', '批准成员', 'F', {}],
  ['hrj.head', '驳回户主', 'M', {}],
  ['ho.head', '自审户主', 'M', {}], ['ho.member', '自审成员', 'F', {}],
  ['hp.head', '待办户主', 'M', {}],
  ['hc.head', '新户户主', 'M', {}], ['hc.m1', '新户成员甲', 'F', {}], ['hc.m2', '新户成员乙', 'M', {}],
  // outside the 苍溪县 scope: made by 成都's intake clerk
  ['out', '域外人员', 'M', {}, { by: 't.intake.out', region: '510104' }],
  ['out.head', '域外户主', 'F', {}, { by: 't.intake.out', region: '510104' }],
];

// Households: key → [head, [[member, relation]…], creator, region].
const HOUSEHOLDS = [
  ['main', 'hm.head', [['hm.spouse', '10'], ['hm.child', '20']]],
  ['add', 'ha.head', []],
  ['remove', 'hr.head', [['hr.member', '10']]],
  ['head', 'hh.head', [['hh.member', '10']]],
  ['split', 'hs.head', [['hs.m1', '20'], ['hs.m2', '20']]],
  ['merge', 'hg.head', []],
  ['merge2', 'hg2.head', [['hg2.member', '20']]],
  ['move', 'hv.head', []],
  ['apply', 'hap.head', []],
  ['reject', 'hrj.head', []],
  ['own', 'ho.head', [['ho.member', '10']]],
  ['pending', 'hp.head', []],
  ['out', 'out.head', [], 't.intake.out', '510104'],
];

// Pending requests: key → [household, kind, payload (person keys resolved), filer].
const REQUESTS = [
  ['apply', 'apply', 'add_member', { person_id: 'hap.new', relation: '10' }, 't.intake'],
  ['reject', 'reject', 'move_region', { region: '510824100' }, 't.intake'],
  ['own', 'own', 'remove_member', { person_id: 'ho.member' }, 't.clerk.reviewer'],
  ['pending', 'pending', 'move_region', { region: '510824102' }, 't.intake'],
];

async function created(client, base, path, body) {
  return client.expect(201, base, 'POST', path, body);
}

// Makes the objects above through the API; resolves to world.registry.
export async function createRegistry(world) {
  const base = world.base;
  const reg = { persons: {}, orgs: {}, households: {}, requests: {} };
  const index = {};
  PERSONS.forEach(([key], i) => { index[key] = i; });
  for (const [key, name, sex, fields, opts = {}] of PERSONS) {
    const seq = opts.same ? '103' : sex === 'M' ? '101' : '102';
    let n = personNumber('1960-01-01', index[opts.same ?? key], seq);
    for (let j = 0; opts.endsX && !n.idNumber.endsWith('X'); j++) n = personNumber('1961-01-01', j, seq);
    const body = { id_number: n.idNumber, name, region: opts.region ?? '510824', ...fields };
    const p = await created(world.as(opts.by ?? 't.intake'), base, '/api/v1/persons', body);
    reg.persons[key] = { id: p.id, idNumber: n.idNumber, name, version: p.version };
  }
  // page.a < page.b < page.c by id: the order the search pages in
  const pages = ['page1', 'page2', 'page3'].map((k) => reg.persons[k])
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  ['page.a', 'page.b', 'page.c'].forEach((k, i) => { reg.persons[k] = pages[i]; });

  const orgs = [
    ['main', creditCode('51', '510824', '70010001'), '苍溪县慈善会', 'social_group', 't.approver', '510824',
      { legal_rep_person_id: reg.persons.zhang.id, registered_on: '2015-06-01', address: '陵江镇' }],
    ['patch', creditCode('52', '510824', '70010002'), '修改服务中心', 'social_service', 't.approver', '510824', {}],
    ['out', creditCode('52', '510104', '70010003'), '锦江服务中心', 'social_service', 't.approver.out', '510104', {}],
  ];
  for (const [key, code, name, type, by, region, extra] of orgs) {
    const o = await created(world.as(by), base, '/api/v1/organisations',
      { credit_code: code, name, org_type: type, region, ...extra });
    reg.orgs[key] = { id: o.id, code, name };
  }

  for (const [key, head, members, by = 't.intake', region = '510824'] of HOUSEHOLDS) {
    const body = { region, head_person_id: reg.persons[head].id,
      members: members.map(([m, relation]) => ({ person_id: reg.persons[m].id, relation })) };
    const h = await created(world.as(by), base, '/api/v1/households', body);
    reg.households[key] = h.id;
  }
  for (const [key, household, kind, payload, by] of REQUESTS) {
    const resolved = Object.fromEntries(Object.entries(payload)
      .map(([k, v]) => [k, k === 'person_id' ? reg.persons[v].id : v]));
    const r = await created(world.as(by), base, `/api/v1/households/${reg.households[household]}/requests`,
      { kind, payload: resolved });
    reg.requests[key] = r.id;
  }
  world.registry = reg;
  return `${Object.keys(reg.persons).length - 3} persons, ${orgs.length} organisations, `
    + `${HOUSEHOLDS.length} households, ${REQUESTS.length} pending requests`;
}

// Values of the registry placeholders (see the header).
export function registryLookup(reg, kind, key) {
  const missing = () => { throw new Error(`no registry fixture {{${kind}:${key}}}`); };
  switch (kind) {
  case 'person': return (reg?.persons[key] ?? missing()).id;
  case 'idnumber': return (reg?.persons[key] ?? missing()).idNumber;
  case 'idlower': return (reg?.persons[key] ?? missing()).idNumber.toLowerCase();
  case 'id15': {
    const n = (reg?.persons[key] ?? missing()).idNumber;
    return n.slice(0, 6) + n.slice(8, 17);
  }
  case 'masked': return maskId((reg?.persons[key] ?? missing()).idNumber);
  case 'org': return (reg?.orgs[key] ?? missing()).id;
  case 'code': return (reg?.orgs[key] ?? missing()).code;
  case 'codelower': return (reg?.orgs[key] ?? missing()).code.toLowerCase();
  case 'household': return reg?.households[key] ?? missing();
  case 'request': return reg?.requests[key] ?? missing();
  default: return undefined;
  }
}
