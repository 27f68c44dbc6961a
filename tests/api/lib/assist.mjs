// tests/api/lib/assist.mjs — what the assistance scenarios and scope rows share (issue #10):
// fresh 苍溪县 households made through the API, applications, and actions sent with an
// Idempotency-Key. Person numbers come from their own range (born from 1950-01-01, sequences
// 501/502) so they never meet the registry's.
import crypto from 'node:crypto';

import { personNumber } from './registry.mjs';

export const CASES = '/api/v1/assist/cases';
let serial = 0;

export function newKey() { return crypto.randomUUID(); }

// A new household of fresh persons in 陵江镇 (510824100) of 苍溪县: the head, then members with
// the given relations.
export async function newHousehold({ base, world }, label, relations = ['10', '20']) {
  const person = async (name) => {
    const n = personNumber('1950-01-01', serial++, serial % 2 ? '501' : '502');
    return world.as('t.intake').expect(201, base, 'POST', '/api/v1/persons',
      { id_number: n.idNumber, name, region: '510824' });
  };
  const head = await person(`${label}户主`);
  const members = [];
  for (const [i, relation] of relations.entries()) members.push({ ...(await person(`${label}成员${i + 1}`)), relation });
  const h = await world.as('t.intake').expect(201, base, 'POST', '/api/v1/households', {
    region: '510824100', head_person_id: head.id,
    members: members.map((m) => ({ person_id: m.id, relation: m.relation })),
  });
  return { id: h.id, head, members };
}

// POST with a fresh (or the given) Idempotency-Key; resolves to the raw answer.
export function send({ base, world }, as, method, path, body, key = newKey()) {
  return world.as(as).call(base, method, path, body, { headers: { 'Idempotency-Key': key } });
}

// An application for a fresh household, accepted by t.intake; resolves to the case.
export async function apply(ctx, label, fields = {}, relations) {
  const h = await newHousehold(ctx, label, relations);
  const body = { programme: 'dibao', urban: true, household_id: h.id, applicant_id: h.head.id,
    channel: 'window', authorised: true, ...fields };
  const res = await send(ctx, 't.intake', 'POST', CASES, body);
  if (res.status !== 201) throw new Error(`application ${label}: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body, household: h };
}

// One action; throws unless the answer has `status` (default 200); resolves to the body.
export async function act(ctx, as, id, action, fields = {}, status = 200) {
  const res = await send(ctx, as, 'POST', `${CASES}/${id}/actions`, { action, ...fields });
  if (res.status !== status) throw new Error(`${action} by ${as}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

// Takes a 低保 case from accepted to the decision stage, the steps dated from `from` on.
export async function toDeciding(ctx, id, days) {
  await act(ctx, 't.investigator', id, 'start_investigation', { on: days.investigate });
  await act(ctx, 't.investigator', id, 'request_check', { on: days.investigate });
  await act(ctx, 't.investigator', id, 'record_check', { on: days.investigate, passed: true, summary: '核对无异常' });
  await act(ctx, 't.investigator', id, 'record_visit', { on: days.investigate, investigators: ['张三', '李四'], method: 'home', findings: '家庭困难属实' });
  await act(ctx, 't.reviewer', id, 'submit_opinion', { on: days.opinion, agree: true, comment: '符合条件，拟同意' });
  return act(ctx, 't.reviewer', id, 'end_publicity', { on: days.decide });
}
