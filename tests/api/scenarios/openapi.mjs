// tests/api/scenarios/openapi.mjs — GET /api/v1/openapi.json against the cases: it is
// OpenAPI 3.x, every operation it describes is exercised by a case, every documented-looking
// case path is described in it (cases marked "undocumented" are the deliberate unknown routes),
// and every operation has a summary and declares its path parameters.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadCases } from '../lib/cases.mjs';
import { getJson } from '../lib/http.mjs';

const CASES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'cases');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

async function fetchDocument(base) {
  const res = await getJson(base, '/api/v1/openapi.json');
  if (res.status !== 200) throw new Error(`openapi.json: status ${res.status}`);
  return res.body;
}

// [{template, method, operation, pathItem}] of the document.
function operations(doc) {
  return Object.entries(doc.paths ?? {}).flatMap(([template, pathItem]) =>
    METHODS.filter((m) => pathItem[m]).map((method) =>
      ({ template, method, operation: pathItem[method], pathItem })));
}

// True when a request path (no query) fits a template, each {x} standing for one segment.
function fits(template, requestPath) {
  const pattern = template.split(/(\{[^}/]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`).test(requestPath);
}

function caseRoutes() {
  return loadCases(CASES_DIR).filter((c) => !c.loadError).map((c) => ({
    name: `${c.file}: ${c.name}`,
    method: (c.request.method ?? 'GET').toLowerCase(),
    path: c.request.path.split('?')[0],
    undocumented: c.undocumented === true,
  }));
}

async function isOpenApi3({ base }) {
  const doc = await fetchDocument(base);
  if (typeof doc?.openapi !== 'string' || !doc.openapi.startsWith('3.'))
    throw new Error(`"openapi" is ${JSON.stringify(doc?.openapi)}, expected 3.x`);
  const count = operations(doc).length;
  if (count === 0) throw new Error('no operations under "paths"');
  return `${count} operations`;
}

async function everyOperationHasCase({ base }) {
  const routes = caseRoutes();
  const missing = operations(await fetchDocument(base))
    .filter(({ template, method }) => !routes.some((r) => r.method === method && fits(template, r.path)))
    .map(({ template, method }) => `${method.toUpperCase()} ${template}`);
  if (missing.length) throw new Error(`no case exercises ${missing.join(', ')}`);
}

async function everyCasePathDocumented({ base }) {
  const templates = Object.keys((await fetchDocument(base)).paths ?? {});
  const strays = caseRoutes()
    .filter((r) => !r.undocumented && !templates.some((t) => fits(t, r.path)))
    .map((r) => `${r.path} (${r.name})`);
  if (strays.length)
    throw new Error(`not in openapi.json (mark deliberate ones "undocumented"): ${strays.join(', ')}`);
}

// Problems of one operation: a missing summary, path parameters not declared "in": "path".
function operationProblems({ template, method, operation, pathItem }) {
  const label = `${method.toUpperCase()} ${template}`;
  const problems = [];
  if (typeof operation.summary !== 'string' || !operation.summary.trim())
    problems.push(`${label} has no summary`);
  const declared = [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])]
    .filter((p) => p.in === 'path').map((p) => p.name);
  for (const [, name] of template.matchAll(/\{([^}/]+)\}/g)) {
    if (!declared.includes(name)) problems.push(`${label} does not declare path parameter ${name}`);
  }
  return problems;
}

async function operationsComplete({ base }) {
  const problems = operations(await fetchDocument(base)).flatMap(operationProblems);
  if (problems.length) throw new Error(problems.join('; '));
}

export const tests = [
  { name: 'openapi.json is OpenAPI 3.x', fn: isOpenApi3 },
  { name: 'every documented operation has a case', fn: everyOperationHasCase },
  { name: 'every case path is documented', fn: everyCasePathDocumented },
  { name: 'every operation has a summary and declares its path parameters', fn: operationsComplete },
];
