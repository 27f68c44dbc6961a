// tests/api/scenarios/assist.mjs — the 社会救助 case workflow through the API (issue #10), on
// both databases: an urban 低保 application from 受理 to approval with every deadline; a
// refusal with its notice; an objection during 公示; a 单人户; a 特困 case with a care tier; an
// 急难型 临时救助 paid first; 渐退 then stop; a deadline that crosses the National Day holiday;
// an out-of-scope actor; every action attempted from a wrong state; a replayed idempotency key;
// the work list. Steps are dated with "on" (entered after the fact), so 公示 periods are over.
import { expectError } from '../lib/checks.mjs';
import { act, apply, CASES, newKey, send, toDeciding } from '../lib/assist.mjs';
import { decodeUtf8, send as sendRaw } from '../lib/http.mjs';

const STANDARDS = '/api/v1/assist/standards';
const prepared = new Map();

function fail(message, value) {
  throw new Error(`${message}: ${JSON.stringify(value).slice(0, 600)}`);
}

function check(cond, message, value) {
  if (!cond) fail(message, value);
}

// The 苍溪县 urban 低保标准 600元 per month from 2025-12 (rules.md §8), once per server.
function standards({ base, world }) {
  if (!prepared.has(base))
    prepared.set(base, world.as('t.approver').expect(201, base, 'POST', STANDARDS, {
      region: '510824', kind: 'dibao_urban', amount_fen: 60000, period: 'month',
      effective_from: '2025-12', source: '苍民发〔2025〕12号' }));
  return prepared.get(base);
}

function deadline(c, name) {
  const d = c.deadlines.find((x) => x.name === name);
  if (!d) fail(`deadline ${name}`, c.deadlines);
  return d;
}

// 受理 on Tuesday 2026-09-29: the 3 working days to start the investigation (DB-57 Art. 15) skip
// 国庆 2026-10-01…07 and end on Friday 2026-10-09 (reference.md: 国办发明电〔2025〕7号).
async function urbanDibao(ctx) {
  await standards(ctx);
  const c = await apply(ctx, '城市低保', { on: '2026-09-29', incomes: [{ type: 'wage', amount_fen: 90000, months: 1 }] });
  check(c.state === 'accepted' && c.accepted_on === '2026-09-29', 'accepted', c);
  check(deadline(c, 'start_investigation').due === '2026-10-09', 'start of investigation over 国庆', c.deadlines);
  check(deadline(c, 'dibao_total').basis.includes('DB-57 Art. 22'), 'the overall limit cites DB-57 Art. 22', c.deadlines);
  check(c.members.length === 3 && c.members.every((m) => m.covered), 'three covered members', c.members);
  check(c.members.every((m) => m.name && /^\d{6}\*{8}\d{3}[\dX]$/.test(m.id_number)), 'members named, ID numbers masked 6+4', c.members);
  let item;
  for (let after = ''; !item;) {
    const page = await ctx.world.as('t.county').expect(200, ctx.base, 'GET', `${CASES}?under=510824&state=accepted&limit=200${after ? `&after=${after}` : ''}`);
    item = page.items.find((i) => i.id === c.id);
    if (!page.next) break;
    after = page.next;
  }
  check(item && /^城\*+$/.test(item.applicant_name), 'the list masks the applicant\'s name', item);
  const opinion = await (async () => {
    await act(ctx, 't.investigator', c.id, 'start_investigation', { on: '2026-10-09' });
    await act(ctx, 't.investigator', c.id, 'request_check', { on: '2026-10-09' });
    await act(ctx, 't.investigator', c.id, 'record_check', { on: '2026-10-10', passed: true, summary: '无异常' });
    // one investigator is not a visit: the opinion is refused until two have visited (DB-57 Art. 16)
    await act(ctx, 't.investigator', c.id, 'record_visit', { on: '2026-10-10', investigators: ['张三'], method: 'home', findings: '困难属实' });
    const early = await send(ctx, 't.reviewer', 'POST', `${CASES}/${c.id}/actions`, { action: 'submit_opinion', on: '2026-10-12', agree: true, comment: '拟同意' });
    expectError(early, 409, 'conflict', 'action');
    check(/不少于 2 人/.test(early.body.error.message), 'the 409 says two investigators', early.body);
    await act(ctx, 't.investigator', c.id, 'record_visit', { on: '2026-10-10', investigators: ['张三', '李四'], method: 'home', findings: '困难属实' });
    return act(ctx, 't.reviewer', c.id, 'submit_opinion', { on: '2026-10-12', agree: true, comment: '拟同意' });
  })();
  check(opinion.state === 'publicity', 'publicity after the opinion', opinion);
  check(deadline(opinion, 'start_investigation').done === '2026-10-09' && !deadline(opinion, 'start_investigation').overdue, 'investigation started in time', opinion.deadlines);
  check(deadline(opinion, 'publicity_end').due === '2026-10-19', '7 days of 公示 from 2026-10-12', opinion.deadlines);
  // 公示 is not over on its last day
  const tooEarly = await send(ctx, 't.reviewer', 'POST', `${CASES}/${c.id}/actions`, { action: 'end_publicity', on: '2026-10-19' });
  expectError(tooEarly, 409, 'conflict', 'action');
  const deciding = await act(ctx, 't.reviewer', c.id, 'end_publicity', { on: '2026-10-20' });
  check(deciding.state === 'deciding' && deadline(deciding, 'county_review').due === '2026-11-03', '10 working days of county review', deciding.deadlines);
  // income 300元 per person under a 600元 standard: (600 − 300) × 3 = 900元 a month, from November
  const active = await act(ctx, 't.approver', c.id, 'approve', { on: '2026-10-22', per_capita_income_fen: 30000 });
  check(active.state === 'active', 'active', active);
  check(active.decision.amount_method === 'gap' && active.decision.covered_members === 3 && active.decision.start_month === '2026-11', 'the decision', active.decision);
  check(active.decision.next_review_on === '2027-10-22', '复核 in 12 months (DB-57 Art. 31)', active.decision);
  const approve = active.actions.at(-1);
  check(approve.data.amount_fen === 90000 && approve.data.standard_fen === 60000, 'the amount (rules.md §1.6)', approve.data);
  check(active.actions.map((a) => a.action).join() === 'accept,start_investigation,request_check,record_check,record_visit,record_visit,submit_opinion,end_publicity,approve', 'the history', active.actions.map((a) => a.action));
  check(active.due_on === null && !active.overdue, 'nothing due once decided', active);
  return active;
}

// A household at or above the standard cannot be approved: refuse with reasons; the notice
// names the right to 行政复议 and 行政诉讼 (rules.md §1.5 steps 10, 15).
async function refusal(ctx) {
  await standards(ctx);
  const c = await apply(ctx, '不予批准', { on: '2026-10-12' });
  await toDeciding(ctx, c.id, { investigate: '2026-10-13', opinion: '2026-10-14', decide: '2026-10-22' });
  const wrong = await send(ctx, 't.approver', 'POST', `${CASES}/${c.id}/actions`, { action: 'approve', on: '2026-10-23', per_capita_income_fen: 60000 });
  expectError(wrong, 409, 'conflict', 'per_capita_income_fen');
  const refused = await act(ctx, 't.approver', c.id, 'refuse', { on: '2026-10-23', reasons: ['家庭月人均收入不低于当地低保标准'] });
  check(refused.state === 'refused', 'refused', refused);
  const notice = refused.actions.at(-1).data.notice;
  check(/行政复议/.test(notice) && /行政诉讼/.test(notice) && /家庭月人均收入不低于当地低保标准/.test(notice), 'the notice', notice);
  check(deadline(refused, 'refusal_notice').due === '2026-10-28', '3 working days to serve the notice', refused.deadlines);
  check(refused.overdue, 'the unserved notice is overdue today', refused);
  const served = await act(ctx, 't.reviewer', c.id, 'notify_refusal', { on: '2026-10-26', method: '当面送达' });
  check(served.state === 'rejected' && served.next_actions.length === 0 && !served.overdue, 'rejected, nothing more to do', served);
  // the refusal is not a send-back: nothing can be taken from a final state
  expectError(await send(ctx, 't.approver', 'POST', `${CASES}/${c.id}/actions`, { action: 'send_back', comment: 'x' }), 409, 'conflict', 'action');
}

// An objection during 公示 → 民主评议 → a new opinion and a new 公示; the overall limit becomes
// 45 working days (DB-57 Arts. 19, 22).
async function objection(ctx) {
  const c = await apply(ctx, '公示异议', { on: '2026-09-01' });
  for (const [action, f] of [['start_investigation', {}], ['request_check', {}], ['record_check', { passed: true }], ['record_visit', { investigators: ['甲', '乙'], method: 'home', findings: '属实' }]])
    await act(ctx, 't.investigator', c.id, action, { on: '2026-09-02', ...f });
  await act(ctx, 't.reviewer', c.id, 'submit_opinion', { on: '2026-09-03', agree: true, comment: '拟同意' });
  const disputed = await act(ctx, 't.reviewer', c.id, 'object', { on: '2026-09-05', content: '有邻居反映家中有车辆', objector: '匿名' });
  check(disputed.state === 'disputed' && disputed.extended, 'disputed and extended', disputed);
  check(deadline(disputed, 'dibao_total').due === '2026-11-09', '45 working days from 2026-09-01', disputed.deadlines);
  expectError(await send(ctx, 't.reviewer', 'POST', `${CASES}/${c.id}/actions`, { action: 'end_publicity', on: '2026-09-11' }), 409, 'conflict', 'action');
  await act(ctx, 't.reviewer', c.id, 'appraise', { on: '2026-09-08', result: '民主评议：车辆为借用，家庭困难属实' });
  const again = await act(ctx, 't.reviewer', c.id, 'submit_opinion', { on: '2026-09-09', agree: true, comment: '复核后维持' });
  check(again.state === 'publicity' && deadline(again, 'publicity_end').due === '2026-09-16', 'a new publicity', again.deadlines);
}

// 单人户 (§1.4): only the applicant is covered; the others are recorded as not covered.
async function singlePerson(ctx) {
  await standards(ctx);
  const c = await apply(ctx, '单人户', { on: '2026-10-12', single_person: true });
  const covered = c.members.filter((m) => m.covered);
  check(covered.length === 1 && covered[0].person_id === c.applicant_id, 'the applicant alone is covered', c.members);
  check(c.members.filter((m) => !m.covered).every((m) => m.excluded_reason === 'single_person'), 'the others excluded as single_person', c.members);
  await toDeciding(ctx, c.id, { investigate: '2026-10-13', opinion: '2026-10-14', decide: '2026-10-22' });
  const active = await act(ctx, 't.approver', c.id, 'approve', { on: '2026-10-23', per_capita_income_fen: 10000 });
  check(active.decision.covered_members === 1 && active.actions.at(-1).data.amount_fen === 50000, '(600 − 100) × 1', active.actions.at(-1).data);
}

// 特困 with a care tier: 4 of the 6 self-care items not met → 完全丧失 (TK-43 Art. 22); the
// township has 15 working days (TK-43 Art. 13); both authorisations are required (Art. 10).
async function tekun(ctx) {
  const h = { programme: 'tekun', care_mode: 'dispersed', on: '2026-10-12' };
  const missing = await send(ctx, 't.intake', 'POST', CASES, { ...h, household_id: '1', applicant_id: '1', channel: 'window', authorised: true });
  expectError(missing, 422, 'validation_failed', 'supporters_authorised');
  const c = await apply(ctx, '特困', { ...h, supporters_authorised: true }, []);
  check(deadline(c, 'township_opinion').due === '2026-11-02' && deadline(c, 'township_opinion').basis === 'TK-43 Art. 13', '15 working days', c.deadlines);
  await toDeciding(ctx, c.id, { investigate: '2026-10-13', opinion: '2026-10-14', decide: '2026-10-22' });
  const active = await act(ctx, 't.approver', c.id, 'approve', { on: '2026-10-23', selfcare_items_not_met: 4 });
  check(active.state === 'active' && active.decision.amount_method === 'tekun' && active.decision.care_tier === 3 && active.decision.start_month === '2026-11', 'the 特困 decision', active.decision);
  // termination after 7 days of 公示 (TK-43 Art. 26), support from the next month on stopped
  const direct = await send(ctx, 't.approver', 'POST', `${CASES}/${c.id}/actions`, { action: 'terminate', on: '2026-11-02', reasons: ['已由子女赡养'] });
  expectError(direct, 409, 'conflict', 'action');
  check(/第二十六条/.test(direct.body.error.message), 'the 409 cites TK-43 Art. 26', direct.body);
  const posted = await act(ctx, 't.reviewer', c.id, 'propose_stop', { on: '2026-11-02', reasons: ['已由子女赡养'] });
  check(posted.state === 'active' && deadline(posted, 'stop_publicity_end').due === '2026-11-09', 'paid during the publicity, ending 2026-11-09', posted.deadlines);
  expectError(await send(ctx, 't.approver', 'POST', `${CASES}/${c.id}/actions`, { action: 'terminate', on: '2026-11-09', reasons: ['已由子女赡养'] }), 409, 'conflict', 'action');
  const stopped = await act(ctx, 't.approver', c.id, 'terminate', { on: '2026-11-10', reasons: ['已由子女赡养'] });
  check(stopped.state === 'terminated' && stopped.decision.stop_month === '2026-12', 'stopped from December', stopped.decision);
}

// 急难型 临时救助: 先行救助 at once, the record completed afterwards (LS-23 二(二)).
async function urgentFirst(ctx) {
  const c = await apply(ctx, '急难', { programme: 'lshi_urgent', on: '2026-11-20' }, []);
  const paid = await act(ctx, 't.reviewer', c.id, 'pay_first', { on: '2026-11-20', amount_fen: 50000, method: 'cash', comment: '火灾' });
  check(paid.state === 'prior_paid', 'prior_paid', paid);
  expectError(await send(ctx, 't.reviewer', 'POST', `${CASES}/${c.id}/actions`, { action: 'pay_first', amount_fen: 1, method: 'cash' }), 409, 'conflict', 'action');
  const done = await act(ctx, 't.reviewer', c.id, 'complete_record', { on: '2026-11-23', explanation: '补充火灾证明和签字' });
  check(done.state === 'granted' && done.next_actions.length === 0, 'granted, final', done);
  // 先行救助 is for 急难型 only
  const dibao = await apply(ctx, '非急难', { on: '2026-11-20' }, []);
  expectError(await send(ctx, 't.reviewer', 'POST', `${CASES}/${dibao.id}/actions`, { action: 'pay_first', amount_fen: 1, method: 'cash' }), 409, 'conflict', 'action');
}

// 渐退 then stop (§1.7; DD-2022 一(三)): at most 6 months, the amount kept; then terminated.
async function taperThenStop(ctx) {
  await standards(ctx);
  const c = await apply(ctx, '渐退', { on: '2026-09-01' }, ['10']);
  await toDeciding(ctx, c.id, { investigate: '2026-09-02', opinion: '2026-09-03', decide: '2026-09-14' });
  await act(ctx, 't.approver', c.id, 'approve', { on: '2026-09-15', per_capita_income_fen: 20000 });
  await act(ctx, 't.approver', c.id, 'start_taper', { months: 7 }, 422);
  const taper = await act(ctx, 't.approver', c.id, 'start_taper', { months: 3, comment: '家庭成员就业' });
  check(taper.state === 'tapering' && taper.decision.amount_method === 'fixed' && taper.decision.fixed_amount_fen === 80000 && taper.decision.taper_until === '2027-02', 'tapering keeps (600 − 200) × 2', taper.decision);
  const stopped = await act(ctx, 't.approver', c.id, 'terminate', { reasons: ['渐退期满，收入超过低保标准'] });
  check(stopped.state === 'terminated' && stopped.decision.stop_month === '2026-12', 'stopped from next month', stopped.decision);
}

// Every action from a state that does not allow it is 409 — checked on a fresh case, on an
// active one and on a final one — and leaves the history as it was.
async function wrongStates(ctx) {
  await standards(ctx);
  const fresh = await apply(ctx, '错误状态', { on: '2026-10-12' });
  const all = ['supplement', 'start_investigation', 'request_check', 'record_check', 'record_visit', 'submit_opinion', 'object', 'appraise', 'end_publicity', 'approve', 'refuse', 'send_back', 'notify_refusal', 'withdraw', 'review', 'start_taper', 'suspend', 'resume', 'terminate', 'pay_first', 'complete_record', 'adjust', 'propose_stop'];
  const as = { supplement: 't.intake', withdraw: 't.intake', start_investigation: 't.investigator', request_check: 't.investigator', record_check: 't.investigator', record_visit: 't.investigator', submit_opinion: 't.reviewer', object: 't.reviewer', appraise: 't.reviewer', end_publicity: 't.reviewer', notify_refusal: 't.reviewer', review: 't.reviewer', pay_first: 't.reviewer', complete_record: 't.reviewer', propose_stop: 't.reviewer' };
  for (const c of [fresh]) {
    for (const action of all.filter((a) => !fresh.next_actions.includes(a))) {
      const res = await send(ctx, as[action] ?? 't.approver', 'POST', `${CASES}/${c.id}/actions`, { action, comment: '测试' });
      if (res.status !== 409) fail(`${action} from accepted`, [res.status, res.body]);
    }
  }
  const after = await ctx.world.as('t.county').expect(200, ctx.base, 'GET', `${CASES}/${fresh.id}`);
  check(after.actions.length === 1 && after.state === 'accepted', 'nothing recorded', after.actions);
  // a role without the step's permission is 403, not 409
  expectError(await send(ctx, 't.intake', 'POST', `${CASES}/${fresh.id}/actions`, { action: 'approve' }), 403, 'forbidden', 'action');
  // an unknown action is 422
  expectError(await send(ctx, 't.intake', 'POST', `${CASES}/${fresh.id}/actions`, { action: 'fly' }), 422, 'validation_failed', 'action');
}

// A retried click never acts twice: the same key and body replays the answer; the same key with
// another body is refused; no key at all is refused.
async function idempotency(ctx) {
  const c = await apply(ctx, '幂等', { on: '2026-10-12' });
  const key = newKey();
  const body = { action: 'start_investigation', on: '2026-10-13' };
  const first = await send(ctx, 't.investigator', 'POST', `${CASES}/${c.id}/actions`, body, key);
  const again = await send(ctx, 't.investigator', 'POST', `${CASES}/${c.id}/actions`, body, key);
  check(first.status === 200 && again.status === 200 && again.body.replayed === true, 'replayed', [first.status, again.body]);
  check(again.body.actions.length === 2, 'one action, not two', again.body.actions);
  expectError(await send(ctx, 't.investigator', 'POST', `${CASES}/${c.id}/actions`, { ...body, on: '2026-10-14' }, key), 422, 'idempotency_key_reused', 'Idempotency-Key');
  const noKey = await ctx.world.as('t.investigator').call(ctx.base, 'POST', `${CASES}/${c.id}/actions`, { action: 'request_check' });
  expectError(noKey, 400, 'bad_request', 'Idempotency-Key');
  // concurrent retries of one application: one case
  const h = c.household;
  const appKey = newKey();
  const appBody = { programme: 'lshi_expense', household_id: h.id, applicant_id: h.head.id, channel: 'window', authorised: true };
  const both = await Promise.all([1, 2].map(() => send(ctx, 't.intake', 'POST', CASES, appBody, appKey)));
  const ids = new Set(both.filter((r) => r.status < 300).map((r) => r.body.id));
  check(ids.size === 1 && both.every((r) => r.status === 201 || r.status === 200 || r.status === 409), 'one case from two identical requests', both.map((r) => [r.status, r.body]));
  // a second open application of the same programme is the same case: 409 naming it
  const dup = await send(ctx, 't.intake', 'POST', CASES, appBody);
  expectError(dup, 409, 'conflict', 'applicant_id');
  check(dup.body.error.record_id === [...ids][0], 'the 409 names the open case', dup.body);
}

// 成都's callers see nothing of a 苍溪县 case and can do nothing to it.
async function outOfScope(ctx) {
  const c = await apply(ctx, '越权', { on: '2026-10-12' });
  expectError(await ctx.world.as('t.out').get(ctx.base, `${CASES}/${c.id}`), 404, 'not_found');
  expectError(await send(ctx, 't.approver.out', 'POST', `${CASES}/${c.id}/actions`, { action: 'withdraw', comment: 'x' }), 403, 'forbidden', 'action');
  expectError(await send(ctx, 't.intake.out', 'POST', `${CASES}/${c.id}/actions`, { action: 'withdraw', comment: 'x' }), 404, 'not_found', 'id');
  const list = await ctx.world.as('t.out').expect(200, ctx.base, 'GET', `${CASES}?limit=200`);
  check(list.items.every((i) => i.region.startsWith('5101')), '成都 lists only its own cases', list.items.slice(0, 3));
  const tasks = await ctx.world.as('t.intake.out').expect(200, ctx.base, 'GET', '/api/v1/tasks');
  check(tasks.items.every((i) => i.region.startsWith('5101')), '成都 tasks only its own', tasks.items.slice(0, 3));
  const after = await ctx.world.as('t.county').expect(200, ctx.base, 'GET', `${CASES}/${c.id}`);
  check(after.state === 'accepted' && after.actions.length === 1, 'unchanged', after);
}

// A caseworker's close relative (DB-57 Art. 11) is approved only after a county home visit
// (Art. 20): the township's visit is not enough; the township sees its own cases.
async function staffRelative(ctx) {
  await standards(ctx);
  const c = await apply(ctx, '近亲属', { on: '2026-10-12', staff_relative: true });
  check(c.staff_relative && c.region === '510824100000', 'flagged, in 陵江镇', c);
  await act(ctx, 't.town.investigator', c.id, 'start_investigation', { on: '2026-10-13' });
  await act(ctx, 't.town.investigator', c.id, 'request_check', { on: '2026-10-13' });
  await act(ctx, 't.town.investigator', c.id, 'record_check', { on: '2026-10-13', passed: true });
  const visit = await act(ctx, 't.town.investigator', c.id, 'record_visit', { on: '2026-10-13', investigators: ['王五', '赵六'], method: 'home', findings: '属实' });
  check(visit.actions.at(-1).data.county_level === false, 'a township visit', visit.actions.at(-1));
  await act(ctx, 't.town.reviewer', c.id, 'submit_opinion', { on: '2026-10-14', agree: true, comment: '拟同意' });
  await act(ctx, 't.town.reviewer', c.id, 'end_publicity', { on: '2026-10-22' });
  // the township cannot decide: the county keeps 低保 confirmation unless it delegated it
  expectError(await send(ctx, 't.town.reviewer', 'POST', `${CASES}/${c.id}/actions`, { action: 'approve', per_capita_income_fen: 1 }), 403, 'forbidden', 'action');
  const refused = await send(ctx, 't.approver', 'POST', `${CASES}/${c.id}/actions`, { action: 'approve', on: '2026-10-23', per_capita_income_fen: 10000 });
  expectError(refused, 409, 'conflict', 'action');
  check(/县级入户调查/.test(refused.body.error.message), 'the 409 asks for the county visit', refused.body);
  await act(ctx, 't.investigator', c.id, 'record_visit', { on: '2026-10-23', investigators: ['县局甲', '县局乙'], method: 'home', findings: '县级入户核实' });
  const active = await act(ctx, 't.approver', c.id, 'approve', { on: '2026-10-23', per_capita_income_fen: 10000 });
  check(active.state === 'active', 'approved after the county visit', active);
}

// The work list: a case waiting for its investigation is the investigator's task, overdue first.
async function workList(ctx) {
  const c = await apply(ctx, '待办', { on: '2026-10-12' });
  const mine = await ctx.world.as('t.investigator').expect(200, ctx.base, 'GET', '/api/v1/tasks?limit=500');
  const t = mine.items.find((i) => i.id === c.id);
  check(t && t.actions.includes('start_investigation') && t.overdue && t.due_on === '2026-10-15', 'the investigator sees it overdue', t ?? mine.items.slice(0, 3));
  const firstNotOverdue = mine.items.findIndex((i) => !i.overdue);
  check(firstNotOverdue === -1 || mine.items.slice(firstNotOverdue).every((i) => !i.overdue), 'overdue first', mine.items.map((i) => i.overdue));
  check(mine.counts.accepted >= 1 && mine.overdue >= 1, 'counts per state', mine.counts);
  const payer = await ctx.world.as('t.approver').expect(200, ctx.base, 'GET', '/api/v1/tasks?limit=500');
  check(!payer.items.some((i) => i.id === c.id), 'not the approver\'s task yet', payer.items.filter((i) => i.id === c.id));
}

// 低保边缘 (§4.2; GB-39 二): income strictly below 1.5 × the standard but not below it; a
// household that qualifies for 低保 is told so. 刚性支出 (§4.3; GX Art. 4) needs the county's
// share threshold: without it nothing can be recognised.
async function recognition(ctx) {
  await standards(ctx);
  const edge = await apply(ctx, '低保边缘', { programme: 'edge', on: '2026-10-12' });
  await toDeciding(ctx, edge.id, { investigate: '2026-10-13', opinion: '2026-10-14', decide: '2026-10-22' });
  const low = await send(ctx, 't.approver', 'POST', `${CASES}/${edge.id}/actions`, { action: 'approve', per_capita_income_fen: 50000 });
  expectError(low, 409, 'conflict', 'per_capita_income_fen');
  check(/低保/.test(low.body.error.message), 'told to apply for 低保', low.body);
  expectError(await send(ctx, 't.approver', 'POST', `${CASES}/${edge.id}/actions`, { action: 'approve', per_capita_income_fen: 90000 }), 409, 'conflict', 'per_capita_income_fen');
  const ok = await act(ctx, 't.approver', edge.id, 'approve', { per_capita_income_fen: 89999 });
  check(ok.state === 'recognised' && ok.decision.next_review_on, 'recognised with a review date', ok);
  const gx = await apply(ctx, '刚性支出', { programme: 'gangxing', on: '2026-10-12' });
  await toDeciding(ctx, gx.id, { investigate: '2026-10-13', opinion: '2026-10-14', decide: '2026-10-22' });
  const figures = { per_capita_income_fen: 100000, disposable_income_yearly_fen: 3000000, income_12m_fen: 3600000, rigid_spending_12m_fen: 3000000, property_ok: true };
  expectError(await send(ctx, 't.approver', 'POST', `${CASES}/${gx.id}/actions`, { action: 'approve', ...figures }), 422, 'validation_failed', 'action');
}

// A member of a household in payment recorded dead: the case becomes a review task
// (death_review, rules.md §1.7: within 3 months of the death, DD-2022 一(三)).
async function deathReview(ctx) {
  await standards(ctx);
  const c = await apply(ctx, '死亡复核', { on: '2026-09-01' }, ['10']);
  await toDeciding(ctx, c.id, { investigate: '2026-09-02', opinion: '2026-09-03', decide: '2026-09-14' });
  await act(ctx, 't.approver', c.id, 'approve', { on: '2026-09-15', per_capita_income_fen: 20000 });
  const spouse = c.household.members[0];
  const before = await ctx.world.as('t.reviewer').expect(200, ctx.base, 'GET', '/api/v1/tasks?limit=500');
  check(!before.items.some((i) => i.id === c.id), 'no task while everyone lives', before.items.filter((i) => i.id === c.id));
  const p = await ctx.world.as('t.county').expect(200, ctx.base, 'GET', `/api/v1/persons/${spouse.id}`);
  await ctx.world.as('t.intake').expect(200, ctx.base, 'PATCH', `/api/v1/persons/${spouse.id}`, { version: p.version, death_date: '2026-11-02' });
  const after = await ctx.world.as('t.reviewer').expect(200, ctx.base, 'GET', '/api/v1/tasks?limit=500');
  const t = after.items.find((i) => i.id === c.id);
  check(t && t.reason === 'death_review' && t.actions.includes('review'), 'a death-review task for the reviewer', t ?? after.items.slice(0, 3));
}

// ---------------------------------------------------------------- payment

const PAYROLLS = '/api/v1/assist/payrolls';

// Every line of a batch (keyset pages).
async function allLines({ base, world }, id) {
  const items = [];
  let after = '';
  for (;;) {
    const page = await world.as('t.payer').expect(200, base, 'GET', `${PAYROLLS}/${id}/lines?limit=500${after ? `&after=${after}` : ''}`);
    items.push(...page.items);
    if (!page.next) return items;
    after = page.next;
  }
}

async function payroll(ctx, month) {
  const b = await ctx.world.as('t.payer').expect(201, ctx.base, 'POST', PAYROLLS, { county: '510824', month });
  return { ...b, lines: await allLines(ctx, b.id) };
}

const lineOf = (b, caseId, month) => b.lines.filter((l) => l.case_id === caseId && (!month || l.for_month === month));

// A rural 低保 household approved in May, paid from June (DB-57 Art. 21): its first batch, July,
// pays June as arrears; the rural standard rises from August (400 → 450元, rules.md §8: the
// standard in force on the 1st of each month, past lines never rewritten); a re-run of a month
// is refused; a draft is cancelled and rebuilt; the bank file carries the account in clear
// only there; the bank's return fails one line, which the next batch re-issues; the payee of
// another household dies on 2026-08-20 — paid for August, not for September; control totals
// agree at every step. The rural standard is this scenario's alone.
async function payment(ctx) {
  const { base, world } = ctx;
  const approver = world.as('t.approver');
  for (const [amount, from, source] of [[40000, '2026-01', '苍民发〔2025〕20号'], [45000, '2026-08', '苍民发〔2026〕8号']])
    await approver.expect(201, base, 'POST', STANDARDS, { region: '510824', kind: 'dibao_rural', amount_fen: amount, period: 'month', effective_from: from, source });
  const approved = async (label, relations, income) => {
    const c = await apply(ctx, label, { urban: false, on: '2026-05-06' }, relations);
    await toDeciding(ctx, c.id, { investigate: '2026-05-07', opinion: '2026-05-08', decide: '2026-05-18' });
    const a = await act(ctx, 't.approver', c.id, 'approve', { on: '2026-05-20', per_capita_income_fen: income });
    if (a.decision.start_month !== '2026-06') fail('paid from the month after the decision', a.decision);
    return c;
  };
  const a = await approved('发放甲', ['10', '20'], 10000);   // (400 − 100) × 3 = 900元
  const b = await approved('发放乙', ['10'], 20000);         // (400 − 200) × 2 = 400元
  const noAccount = await approved('无账户', [], 10000);
  const bad = await send(ctx, 't.intake', 'POST', `${CASES}/${a.id}/bank-account`, { bank_name: '四川农信', account: '6217-0000' });
  expectError(bad, 422, 'validation_failed', 'account');
  for (const [c, account] of [[a, '6217995550000000001'], [b, '6217995550000000002']]) {
    const res = await send(ctx, 't.intake', 'POST', `${CASES}/${c.id}/bank-account`, { bank_name: '四川农信苍溪支行', account });
    if (res.status !== 201 && res.status !== 200) fail('bank account', [res.status, res.body]);
    if (JSON.stringify(res.body).includes(account) || !res.body.account_masked) fail('the account is shown masked only', res.body);
  }

  // July: June as arrears, July as regular
  const july = await payroll(ctx, '2026-07');
  const aJuly = lineOf(july, a.id);
  if (aJuly.map((l) => `${l.for_month}:${l.kind}:${l.amount_fen}`).sort().join() !== '2026-06:arrears:90000,2026-07:regular:90000') fail('A in July', aJuly);
  if (lineOf(july, noAccount.id).length) fail('a case without an account is not paid', lineOf(july, noAccount.id));
  const skipped = await world.as('t.payer').expect(200, base, 'GET', `${PAYROLLS}/${july.id}/skipped?limit=500`);
  if (!skipped.items.some((i) => i.case_id === noAccount.id && i.reason === 'no_bank_account')) fail('the county sees why', skipped.items.slice(0, 5));
  const sum = (lines) => lines.reduce((t, l) => t + l.amount_fen, 0);
  if (july.line_count !== july.lines.length || july.total_fen !== sum(july.lines)) fail('control totals of the draft', [july.line_count, july.total_fen, july.lines.length, sum(july.lines)]);
  // the same month again: refused, naming the batch
  const again = await world.as('t.payer').post(base, PAYROLLS, { county: '510824', month: '2026-07' });
  expectError(again, 409, 'conflict');
  if (again.body.error.record_id !== july.id) fail('the 409 names the open batch', again.body);
  // cancelled while a draft, then rebuilt: the same lines, nobody paid twice
  await world.as('t.payer').expect(200, base, 'POST', `${PAYROLLS}/${july.id}/cancel`);
  const july2 = await payroll(ctx, '2026-07');
  if (july2.id === july.id || july2.total_fen !== july.total_fen || lineOf(july2, a.id).length !== 2) fail('rebuilt after cancelling', [july.total_fen, july2.total_fen]);
  const confirmed = await world.as('t.payer').expect(200, base, 'POST', `${PAYROLLS}/${july2.id}/confirm`);
  if (confirmed.status !== 'confirmed') fail('confirmed', confirmed);
  expectError(await world.as('t.payer').post(base, `${PAYROLLS}/${july2.id}/cancel`), 409, 'conflict');
  // the bank file: the account in clear, a control line
  const file = await sendRaw(base, { method: 'GET', path: `${PAYROLLS}/${july2.id}/bank-file`, headers: world.as('t.payer').authHeaders('GET') });
  const text = decodeUtf8(file.bytes);
  if (file.status !== 200 || !text.includes('6217995550000000001') || !text.includes('900.00')) fail('the bank file', [file.status, text.slice(0, 300)]);
  // the return: B's July line failed, everything else paid
  const bJuly = lineOf(july2, b.id, '2026-07')[0];
  const rows = july2.lines.map((l) => l.id === bJuly.id ? `${l.id},failed,账户已冻结` : `${l.id},paid,`);
  const ret = await sendRaw(base, { method: 'POST', path: `${PAYROLLS}/${july2.id}/returns`,
    headers: { ...world.as('t.payer').authHeaders('POST'), 'Content-Type': 'text/csv' }, body: Buffer.from(`明细编号,状态,原因\n${rows.join('\n')}\n`) });
  const totals = JSON.parse(decodeUtf8(ret.bytes));
  if (ret.status !== 200 || totals.failed_count !== 1 || totals.failed_fen !== bJuly.amount_fen || totals.paid_fen + totals.failed_fen !== july2.total_fen) fail('the return reconciles', [ret.status, totals]);

  // 补发: the county finds A was owed 50元 more for June; the next batch pays it as an adjustment
  expectError(await send(ctx, 't.approver', 'POST', `${CASES}/${a.id}/actions`, { action: 'adjust', for_month: '2026-05', amount_fen: 5000, reason: '补发' }), 422, 'validation_failed', 'for_month');
  await act(ctx, 't.approver', a.id, 'adjust', { for_month: '2026-06', amount_fen: 5000, reason: '补发6月差额' });
  // B's payee dies on 2026-08-20: still paid for August (alive on its 1st)
  const head = await world.as('t.county').expect(200, base, 'GET', `/api/v1/persons/${b.household.head.id}`);
  await world.as('t.intake').expect(200, base, 'PATCH', `/api/v1/persons/${b.household.head.id}`, { version: head.version, death_date: '2026-08-20' });
  // August: the new standard for A; B's failed July line re-issued with its July amount
  const aug = await payroll(ctx, '2026-08');
  if (sum(lineOf(aug, a.id, '2026-08')) !== 105000) fail('A in August at the new standard (450 − 100) × 3', lineOf(aug, a.id));
  const reissue = lineOf(aug, b.id, '2026-07');
  if (reissue.length !== 1 || reissue[0].kind !== 'reissue' || reissue[0].amount_fen !== 40000) fail('B\'s failed July line re-issued', reissue);
  if (sum(lineOf(aug, b.id, '2026-08')) !== 50000) fail('B in August (450 − 200) × 2', lineOf(aug, b.id));
  const adjust = lineOf(aug, a.id, '2026-06');
  if (adjust.length !== 1 || adjust[0].kind !== 'adjust' || adjust[0].amount_fen !== 5000) fail('the adjustment paid in August', lineOf(aug, a.id));
  await world.as('t.payer').expect(200, base, 'POST', `${PAYROLLS}/${aug.id}/confirm`);
  // September: B's payee was recorded dead before the 1st — not paid; A goes on
  const sep = await payroll(ctx, '2026-09');
  if (lineOf(sep, b.id).length) fail('nobody recorded dead before the month is paid', lineOf(sep, b.id));
  if (sum(lineOf(sep, a.id)) !== 105000) fail('A in September', lineOf(sep, a.id));
  const sepSkipped = await world.as('t.payer').expect(200, base, 'GET', `${PAYROLLS}/${sep.id}/skipped?limit=500`);
  if (!sepSkipped.items.some((i) => i.case_id === b.id && i.reason === 'deceased')) fail('skipped as deceased', sepSkipped.items.slice(0, 5));
  // each household's ledger: months, kinds and the bank's results
  const ledgerA = await world.as('t.county').expect(200, base, 'GET', `${CASES}/${a.id}/payments`);
  const rowsA = ledgerA.items.map((l) => `${l.for_month}:${l.kind}:${l.amount_fen}:${l.status}`).join();
  if (rowsA !== '2026-06:arrears:90000:paid,2026-06:adjust:5000:pending,2026-07:regular:90000:paid,2026-08:regular:105000:pending,2026-09:regular:105000:pending' || ledgerA.paid_fen !== 180000) fail('A\'s ledger', ledgerA);
  const ledgerB = await world.as('t.county').expect(200, base, 'GET', `${CASES}/${b.id}/payments`);
  const failedB = ledgerB.items.find((l) => l.status === 'reissued');
  if (!failedB || failedB.fail_reason !== '账户已冻结' || !ledgerB.items.some((l) => l.kind === 'reissue' && l.reissue_of === failedB.id)) fail('B\'s failed line and its re-issue', ledgerB);
  expectError(await world.as('t.out').get(base, `${CASES}/${a.id}/payments`), 404, 'not_found');
  // the July lines are what they were: a later standard never rewrites a past payment
  const julyAgain = await allLines(ctx, july2.id);
  if (sum(julyAgain.filter((l) => l.case_id === a.id)) !== 180000) fail('July as paid', julyAgain.filter((l) => l.case_id === a.id));
}

// The calendar is data an administrator keeps: a day listed off moves a deadline at once,
// and unlisting it moves it back (reference.md §1.7).
async function calendarEdit(ctx) {
  const c = await apply(ctx, '日历调整', { on: '2026-09-29' });
  check(deadline(c, 'start_investigation').due === '2026-10-09', 'before the edit', c.deadlines);
  const admin = ctx.world.as('admin');
  await admin.expect(200, ctx.base, 'PUT', '/api/v1/calendar/2026-10-09', { kind: 'OFF', name: '测试', source: '测试用' });
  try {
    const moved = await ctx.world.as('t.county').expect(200, ctx.base, 'GET', `${CASES}/${c.id}`);
    check(deadline(moved, 'start_investigation').due === '2026-10-10', 'the Saturday worked (调休) is the third working day now', moved.deadlines);
  } finally {
    await admin.expect(200, ctx.base, 'DELETE', '/api/v1/calendar/2026-10-09');
  }
  const back = await ctx.world.as('t.county').expect(200, ctx.base, 'GET', `${CASES}/${c.id}`);
  check(deadline(back, 'start_investigation').due === '2026-10-09', 'after unlisting', back.deadlines);
}

// Delegation (DB-57 Art. 2; DD-2022 四(一)): once the county sets township_confirm.dibao, the
// township's reviewer confirms 低保 itself and the overall limit is 20 working days. Runs last:
// it changes 苍溪县's settings.
async function delegated(ctx) {
  await standards(ctx);
  await ctx.world.as('t.approver').expect(201, ctx.base, 'POST', '/api/v1/assist/settings',
    { region: '510824', key: 'township_confirm.dibao', value: 'true', source: '苍民发〔2026〕5号' });
  const c = await apply(ctx, '委托乡镇', { on: '2026-10-12' });
  check(deadline(c, 'dibao_total').due === '2026-11-09', '20 working days when delegated', c.deadlines);
  await toDeciding(ctx, c.id, { investigate: '2026-10-13', opinion: '2026-10-14', decide: '2026-10-22' });
  const active = await act(ctx, 't.town.reviewer', c.id, 'approve', { on: '2026-10-23', per_capita_income_fen: 20000 });
  check(active.state === 'active' && active.actions.at(-1).actor === 't.town.reviewer', 'confirmed by the township', active.actions.at(-1));
}

export const tests = [
  { name: 'assist: urban 低保 from 受理 to approval, deadlines over 国庆, two investigators, 公示 7 days', fn: urbanDibao },
  { name: 'assist: a household above the standard is refused with a notice naming 复议 and 诉讼', fn: refusal },
  { name: 'assist: an objection during 公示 → 民主评议 → new opinion and 公示; limit 45 working days', fn: objection },
  { name: 'assist: a 单人户 covers the applicant alone', fn: singlePerson },
  { name: 'assist: 特困 with both authorisations, 15-day township limit, care tier 3', fn: tekun },
  { name: 'assist: 急难型 临时救助 paid first, record completed afterwards', fn: urgentFirst },
  { name: 'assist: 渐退 (at most 6 months, amount kept) then terminated from next month', fn: taperThenStop },
  { name: 'assist: every action from a wrong state is 409 and records nothing', fn: wrongStates },
  { name: 'assist: a replayed idempotency key acts once; another body with it is refused', fn: idempotency },
  { name: 'assist: 成都 can neither see nor act on a 苍溪县 case', fn: outOfScope },
  { name: 'assist: a caseworker\'s relative needs a county visit; the township cannot decide', fn: staffRelative },
  { name: 'assist: the work list shows the caller\'s cases, overdue first, with counts', fn: workList },
  { name: 'assist: 低保边缘 recognised strictly between 1 and 1.5 × the standard; 刚性支出 needs its threshold', fn: recognition },
  { name: 'assist: a death in a household in payment becomes a review task', fn: deathReview },
  { name: 'assist: payment — arrears, a standard change mid-year, re-run refused, cancel, bank file, return, re-issue, a death between two payrolls', fn: payment },
  { name: 'assist: a holiday listed by the administrator moves a deadline at once', fn: calendarEdit },
  { name: 'assist: confirmation delegated to the township: its reviewer approves; limit 20 working days', fn: delegated },
];
