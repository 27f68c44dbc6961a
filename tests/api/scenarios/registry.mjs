// tests/api/scenarios/registry.mjs — the registry flows the cases cannot express (issue #5):
// a record's history naming who changed which field from what to what (masked unless
// revealed); optimistic concurrency (the same version sent at once: exactly one change wins);
// 苍溪县 records invisible to 成都 in every read; household change requests filed by one person
// and applied by another, each kind changing the household as it says, checked again when
// applied, and safe against concurrent filing and deciding.
//
// Persons are made here with numbers of their own range (lib/registry.mjs: 510824, born from
// 1940-01-01, sequences 301/302), the clerk being t.intake and the deciders t.reviewer and
// t.approver of 苍溪县.
import { entriesOf, expectError, expectStatus } from '../lib/checks.mjs';
import { maskId, personNumber } from '../lib/registry.mjs';

const P = '/api/v1/persons';
const H = '/api/v1/households';
let serial = 0;

// A new 苍溪县 person made by t.intake; resolves to its record plus idNumber.
async function newPerson({ base, world }, name, fields = {}) {
  const n = personNumber('1940-01-01', serial++, serial % 2 ? '301' : '302');
  const body = { id_number: n.idNumber, name, region: '510824', ...fields };
  const p = await world.as('t.intake').expect(201, base, 'POST', P, body);
  return { ...p, idNumber: n.idNumber };
}

// A new household of fresh persons: the head, then members with the given relations.
async function newHousehold(ctx, label, relations = [], fields = {}) {
  const head = await newPerson(ctx, `${label}户主`);
  const members = [];
  for (const [i, relation] of relations.entries()) members.push({ ...(await newPerson(ctx, `${label}成员${i + 1}`)), relation });
  const body = { region: '510824', head_person_id: head.id,
    members: members.map((m) => ({ person_id: m.id, relation: m.relation })), ...fields };
  const h = await ctx.world.as('t.intake').expect(201, ctx.base, 'POST', H, body);
  return { id: h.id, head, members, household: h };
}

function fileRequest({ base, world }, hid, kind, payload, as = 't.intake') {
  return world.as(as).call(base, 'POST', `${H}/${hid}/requests`, { kind, payload });
}

async function file(ctx, hid, kind, payload) {
  return expectStatus(await fileRequest(ctx, hid, kind, payload), 201, `file ${kind}`);
}

async function apply(ctx, hid, rid, as = 't.reviewer') {
  return ctx.world.as(as).expect(200, ctx.base, 'POST', `${H}/${hid}/requests/${rid}/apply`);
}

function household({ base, world }, hid, as = 't.county') {
  return world.as(as).expect(200, base, 'GET', `${H}/${hid}`);
}

function fail(message, value) {
  throw new Error(`${message}: ${JSON.stringify(value).slice(0, 400)}`);
}

// ---------------------------------------------------------------- persons

// create → two updates by two people → the history says who changed what from what to what.
async function history(ctx) {
  const { base, world } = ctx;
  const p = await newPerson(ctx, '历史甲', { phone: '13811112222', ethnicity: '01' });
  const first = await world.as('t.intake').expect(200, base, 'PATCH', `${P}/${p.id}`, { version: 1, name: '历史乙' });
  const second = await world.as('t.clerk.reviewer').call(base, 'PATCH', `${P}/${p.id}`,
    { version: first.version, phone: '13933334444', ethnicity: '03' });
  expectStatus(second, 200, 'second update');
  if (second.body.version !== 3) fail('version after two updates', second.body);
  const got = await world.as('t.county').expect(200, base, 'GET', `${P}/${p.id}`);
  // (the order of the rows is the subject of historyOrder below)
  const rows = got.history.map((h) => `${h.by} ${h.field} ${h.from}→${h.to}`).sort();
  const want = ['t.clerk.reviewer ethnicity 01→03', 't.clerk.reviewer phone 138****2222→139****4444',
    't.intake (created) null→null', 't.intake name 历史甲→历史乙'];
  if (rows.join('|') !== want.join('|')) fail('history', rows);
  if (got.history.some((h) => typeof h.at !== 'number' || !h.label)) fail('history rows without time or label', got.history);
  const revealed = await world.as('t.intake').expect(200, base, 'GET', `${P}/${p.id}/reveal`);
  const phone = revealed.history.find((h) => h.field === 'phone');
  if (phone.from !== '13811112222' || phone.to !== '13933334444') fail('revealed history of the phone', phone);
  if (revealed.id_number !== p.idNumber || got.id_number !== maskId(p.idNumber)) fail('id_number', [revealed.id_number, got.id_number]);
  // the audit entry names the fields, never their values
  const [entry] = await entriesOf(base, world.as('t.aud'), second.headers['x-request-id'], { action: 'person.update' });
  if (!entry || entry.object_id !== p.id || !/phone/.test(entry.detail) || /1393333|13933334444/.test(JSON.stringify(entry)))
    fail('audit entry of the update', entry);
}

// The same version sent eight times at once: exactly one 200, seven 409, one history row.
async function concurrentPatch(ctx) {
  const { base, world } = ctx;
  const p = await newPerson(ctx, '并发修改');
  const clerks = [world.as('t.intake'), world.as('t.clerk.reviewer')];
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) =>
    clerks[i % 2].call(base, 'PATCH', `${P}/${p.id}`, { version: 1, address: `并发地址${i}` })));
  const statuses = results.map((r) => r.status).sort();
  if (statuses.filter((s) => s === 200).length !== 1 || statuses.filter((s) => s === 409).length !== 7)
    fail('statuses of eight PATCHes with version 1', statuses);
  for (const r of results.filter((x) => x.status === 409)) expectError(r, 409, 'conflict', 'version');
  const winner = results.find((r) => r.status === 200).body;
  const got = await world.as('t.county').expect(200, base, 'GET', `${P}/${p.id}`);
  if (got.version !== 2 || got.address !== winner.address) fail('after the race', got);
  if (got.history.filter((h) => h.field === 'address').length !== 1) fail('history rows of the race', got.history);
  return `winner ${winner.address}`;
}

// One number registered twice at once: one 201, one 409 naming the record.
async function concurrentCreate(ctx) {
  const { base, world } = ctx;
  const n = personNumber('1940-01-01', serial++, '301');
  const body = { id_number: n.idNumber, name: '并发登记', region: '510824' };
  const results = await Promise.all([world.as('t.intake'), world.as('t.clerk.reviewer')]
    .map((c) => c.call(base, 'POST', P, body)));
  if (results.map((r) => r.status).sort().join() !== '201,409') fail('two registrations at once', results.map((r) => [r.status, r.body]));
  const winner = results.find((r) => r.status === 201).body;
  expectError(results.find((r) => r.status === 409), 409, 'conflict', 'id_number');
  if (results.find((r) => r.status === 409).body.error.record_id !== winner.id) fail('record_id of the 409', results);
}

// A 苍溪县 person, organisation and household are invisible to 成都 in every read.
async function invisibleOutside(ctx) {
  const { base, world } = ctx;
  const p = await newPerson(ctx, '隐身测试');
  const h = await newHousehold(ctx, '隐身');
  const out = world.as('t.out');
  expectError(await out.get(base, `${P}/${p.id}`), 404, 'not_found');
  expectError(await out.get(base, `${H}/${h.id}`), 404, 'not_found');
  for (const q of [`key=${p.idNumber}`, `name=${encodeURIComponent('隐身')}`, 'under=510824', 'under=51&limit=200', 'under=00&limit=200']) {
    const found = await out.expect(200, base, 'GET', `${P}?${q}`);
    if (found.items.some((i) => i.id === p.id || !i.region.startsWith('5101'))) fail(`成都 GET ${P}?${q}`, found.items);
  }
  for (const q of [`person_id=${h.head.id}`, 'under=510824', `head_name=${encodeURIComponent('隐身')}`, 'under=51&limit=200']) {
    const found = await out.expect(200, base, 'GET', `${H}?${q}`);
    if (found.items.some((i) => i.id === h.id || !i.region.startsWith('5101'))) fail(`成都 GET ${H}?${q}`, found.items);
  }
  // the same reads by the county's viewer find them (so the 404s are about scope)
  await world.as('t.county').expect(200, base, 'GET', `${P}/${p.id}`);
  const mine = await world.as('t.county').expect(200, base, 'GET', `${P}?key=${p.idNumber}`);
  if (mine.items.length !== 1) fail('control: 苍溪县 finds the person', mine);
}

// ---------------------------------------------------------------- households

// Each kind, filed by 受理员 and applied by 审核员, does what it says.
async function eachKind(ctx) {
  const { world } = ctx;
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);

  const a = await newHousehold(ctx, '增员');
  const newcomer = await newPerson(ctx, '增员新人');
  const addReq = await file(ctx, a.id, 'add_member', { person_id: newcomer.id, relation: '20' });
  const added = await apply(ctx, a.id, addReq.id);
  if (added.status !== 'applied' || added.decided_by_login !== 't.reviewer') fail('add_member decision', added);
  let h = await household(ctx, a.id);
  const m = h.members.find((x) => x.person_id === newcomer.id);
  if (!m || m.relation !== '20' || m.joined_on !== today || h.version !== 2) fail('after add_member', h);
  if (!h.history.some((x) => x.field === 'member+' && x.to === `${newcomer.id}:20` && x.by === 't.reviewer')) fail('history of add_member', h.history);

  const r = await newHousehold(ctx, '减员', ['10', '20']);
  const leaver = r.members[1];
  await apply(ctx, r.id, (await file(ctx, r.id, 'remove_member', { person_id: leaver.id })).id, 't.approver');
  h = await household(ctx, r.id);
  if (h.members.length !== 2 || h.members.some((x) => x.person_id === leaver.id)) fail('after remove_member', h.members);
  const past = h.past_members.find((x) => x.person_id === leaver.id);
  if (!past || past.left_on !== today || past.relation !== '20') fail('past member', h.past_members);
  const none = await world.as('t.county').expect(200, ctx.base, 'GET', `${H}?person_id=${leaver.id}`);
  if (none.total !== 0) fail('the removed member is still found in a household', none);

  const c = await newHousehold(ctx, '换主', ['10', '20']);
  const [spouse, child] = c.members;
  await apply(ctx, c.id, (await file(ctx, c.id, 'change_head', { person_id: spouse.id, old_head_relation: '10' })).id);
  h = await household(ctx, c.id);
  const rel = Object.fromEntries(h.members.map((x) => [x.person_id, x.relation]));
  if (h.head.person_id !== spouse.id || rel[spouse.id] !== '02' || rel[c.head.id] !== '10' || rel[child.id] !== '20'
    || h.members[0].person_id !== spouse.id)
    fail('after change_head', h);
  if (!h.history.some((x) => x.field === 'head' && x.from === c.head.id && x.to === spouse.id)) fail('history of change_head', h.history);

  const s = await newHousehold(ctx, '分户', ['10', '20', '21'], { address: '原户地址' });
  const [, s1, s2] = s.members;
  const splitReq = await file(ctx, s.id, 'split', { person_ids: [s1.id, s2.id], new_head_person_id: s1.id, region: '510824100' });
  const split = await apply(ctx, s.id, splitReq.id);
  if (!split.other_household_id) fail('split: the new household is not named on the request', split);
  h = await household(ctx, s.id);
  if (h.members.length !== 2 || h.past_members.length !== 2) fail('the old household after split', h);
  const nh = await household(ctx, split.other_household_id);
  const nrel = Object.fromEntries(nh.members.map((x) => [x.person_id, x.relation]));
  if (nh.head.person_id !== s1.id || nrel[s1.id] !== '02' || nrel[s2.id] !== '21' || nh.region !== '510824100000'
    || nh.address !== null || nh.members.length !== 2)
    fail('the new household after split', nh);
  if (!h.history.some((x) => x.field === 'split_to' && x.to === nh.id)
    || !nh.history.some((x) => x.field === 'split_from' && x.to === s.id))
    fail('history of split', [h.history, nh.history]);

  const g = await newHousehold(ctx, '合户', ['10']);
  const g2 = await newHousehold(ctx, '并入', ['20']);
  await apply(ctx, g.id, (await file(ctx, g.id, 'merge', { other_household_id: g2.id, other_head_relation: '30' })).id, 't.approver');
  h = await household(ctx, g.id);
  const grel = Object.fromEntries(h.members.map((x) => [x.person_id, x.relation]));
  if (h.members.length !== 4 || grel[g2.head.id] !== '30' || grel[g2.members[0].id] !== '20') fail('after merge', h.members);
  const gone = await household(ctx, g2.id);
  if (gone.active !== false || gone.merged_into !== g.id || gone.members.length !== 0 || gone.past_members.length !== 2)
    fail('the merged household', gone);
  expectError(await fileRequest(ctx, g2.id, 'move_region', { region: '510824100' }), 409, 'conflict', 'id');

  const v = await newHousehold(ctx, '迁移', [], { address: '旧址' });
  await apply(ctx, v.id, (await file(ctx, v.id, 'move_region', { region: '510824105', address: '白桥镇新址' })).id);
  h = await household(ctx, v.id);
  if (h.region !== '510824105000' || h.address !== '白桥镇新址') fail('after move_region', h);
  if (!h.history.some((x) => x.field === 'region' && x.from === '510824000000' && x.to === '510824105000')) fail('history of move_region', h.history);
  return 'add_member, remove_member, change_head, split, merge, move_region';
}

// A request is checked again when applied: its person joined another household meanwhile.
async function recheckedOnApply(ctx) {
  const { base, world } = ctx;
  const a = await newHousehold(ctx, '复核');
  const person = await newPerson(ctx, '复核新人');
  const req = await file(ctx, a.id, 'add_member', { person_id: person.id, relation: '10' });
  await world.as('t.intake').expect(201, base, 'POST', H, { region: '510824', head_person_id: person.id });
  const res = await world.as('t.reviewer').call(base, 'POST', `${H}/${a.id}/requests/${req.id}/apply`);
  expectError(res, 409, 'conflict');
  if (!/申请已不能执行/.test(res.body.error.message)) fail('message of the stale request', res.body);
  const h = await household(ctx, a.id);
  if (h.members.length !== 1 || h.requests[0]?.status !== 'pending' || h.version !== 1) fail('after the refused apply', h);
  await world.as('t.approver').expect(200, base, 'POST', `${H}/${a.id}/requests/${req.id}/reject`, { reason: '已入他户' });
}

// Two requests filed at once on one household: one 201, one 409; an apply and a reject of
// one request at once: one 200, one 409; two households made at once with one head: one 201.
async function concurrentHouseholds(ctx) {
  const { base, world } = ctx;
  const a = await newHousehold(ctx, '并发申请');
  const [x, y] = [await newPerson(ctx, '并发新人甲'), await newPerson(ctx, '并发新人乙')];
  const filed = await Promise.all([
    fileRequest(ctx, a.id, 'add_member', { person_id: x.id, relation: '10' }),
    fileRequest(ctx, a.id, 'add_member', { person_id: y.id, relation: '20' }, 't.clerk.reviewer'),
  ]);
  const statuses = filed.map((r) => r.status).sort();
  if (statuses.join() !== '201,409') fail('two requests filed at once', filed.map((r) => [r.status, r.body]));
  const rid = filed.find((r) => r.status === 201).body.id;
  const decided = await Promise.all([
    world.as('t.reviewer').call(base, 'POST', `${H}/${a.id}/requests/${rid}/apply`),
    world.as('t.approver').call(base, 'POST', `${H}/${a.id}/requests/${rid}/reject`, { reason: '并发驳回' }),
  ]);
  if (decided.map((r) => r.status).sort().join() !== '200,409') fail('apply and reject at once', decided.map((r) => [r.status, r.body]));
  const h = await household(ctx, a.id);
  const applied = decided[0].status === 200;
  if (h.members.length !== (applied ? 2 : 1)) fail(`members after the ${applied ? 'apply' : 'reject'} won`, h);
  const head = await newPerson(ctx, '并发户主');
  const made = await Promise.all([0, 1].map(() =>
    world.as('t.intake').call(base, 'POST', H, { region: '510824', head_person_id: head.id })));
  if (made.map((r) => r.status).sort().join() !== '201,409') fail('two households with one head at once', made.map((r) => [r.status, r.body]));
  const found = await world.as('t.county').expect(200, base, 'GET', `${H}?person_id=${head.id}`);
  if (found.total !== 1) fail('households of the head', found);
  return `${applied ? 'apply' : 'reject'} won`;
}

// History rows are listed in the order they were written: "(created)" first.
async function historyOrder(ctx) {
  const h = await newHousehold(ctx, '顺序', ['10', '20', '21', '22', '23', '30', '31']);
  const got = await household(ctx, h.id);
  const fields = got.history.map((x) => x.field);
  if (fields[0] !== '(created)' || fields[1] !== 'member+' || !fields[1] || got.history[1].to !== `${h.head.id}:02`)
    fail('history of a new household (expected "(created)", then the head joining, then the members)', got.history.map((x) => `${x.field} ${x.to ?? ''}`));
}

export const tests = [
  { name: 'persons: create → update → history names who changed which field from what to what (masked)', fn: history },
  { name: 'persons: eight PATCHes with one version at once: exactly one 200, seven 409', fn: concurrentPatch },
  { name: 'persons: one number registered twice at once: one 201, one 409 naming the record', fn: concurrentCreate },
  { name: 'a 苍溪县 person and household are invisible (404) to 成都 and absent from its searches', fn: invisibleOutside },
  { name: 'households: each request kind, filed by one person and applied by another, changes the household', fn: eachKind },
  { name: 'households: a request is checked again when applied (409, still pending)', fn: recheckedOnApply },
  { name: 'households: concurrent filing, deciding and creating: exactly one wins each time', fn: concurrentHouseholds },
  { name: 'households: the history lists changes in the order they were made', fn: historyOrder },
];
