// tests/api/lib/match.mjs — subset matching of an expected JSON value against a response.
//
// An expected object matches when each of its keys matches (extra keys are allowed), an
// expected array needs the same length and matching elements, scalars must be equal. A few
// strings are wildcards: "$any" (present, any value), "$string", "$number", "$nonempty" (a
// non-empty string, array or object), "$absent" (as the value of a key: the key must not be
// there), "$match:REGEX" (a string matching the regular expression), "$has:TEXT" (an array
// holding the string TEXT among others) and "$backend" (the health name of the backend under
// test).

const WILDCARDS = {
  $any: () => true,
  $string: (v) => typeof v === 'string',
  $number: (v) => typeof v === 'number',
  $nonempty: (v) =>
    (typeof v === 'string' || Array.isArray(v)) ? v.length > 0
      : v !== null && typeof v === 'object' && Object.keys(v).length > 0,
};

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function scalarMatches(expected, actual, vars) {
  if (typeof expected === 'string' && expected.startsWith('$has:'))
    return Array.isArray(actual) && actual.includes(expected.slice('$has:'.length));
  if (typeof expected === 'string' && expected.startsWith('$match:'))
    return typeof actual === 'string' && new RegExp(expected.slice('$match:'.length), 'u').test(actual);
  if (typeof expected === 'string' && Object.hasOwn(WILDCARDS, expected))
    return WILDCARDS[expected](actual);
  if (typeof expected === 'string' && Object.hasOwn(vars, expected))
    return actual === vars[expected];
  return expected === actual;
}

// Returns null when `actual` matches `expected`, else {path, expected, got} of the first
// difference. `vars` maps extra "$name" strings to the exact values they stand for.
export function firstMismatch(expected, actual, vars = {}, path = '$') {
  const miss = (exp, got) => ({ path, expected: exp, got });
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return miss(expected, actual);
    if (actual.length !== expected.length)
      return { path: `${path}.length`, expected: expected.length, got: actual.length };
    for (let i = 0; i < expected.length; i++) {
      const m = firstMismatch(expected[i], actual[i], vars, `${path}[${i}]`);
      if (m) return m;
    }
    return null;
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return miss(expected, actual);
    for (const [key, value] of Object.entries(expected)) {
      const keyPath = `${path}.${key}`;
      if (value === '$absent') {
        if (Object.hasOwn(actual, key)) return { path: keyPath, expected: '(absent)', got: actual[key] };
        continue;
      }
      if (!Object.hasOwn(actual, key)) return { path: keyPath, expected: value, got: '(missing)' };
      const m = firstMismatch(value, actual[key], vars, keyPath);
      if (m) return m;
    }
    return null;
  }
  return scalarMatches(expected, actual, vars) ? null : miss(expected, actual);
}

// One line describing a mismatch, with long values shortened.
export function describeMismatch(m) {
  return `at ${m.path}: expected ${brief(m.expected)}, got ${brief(m.got)}`;
}

export function brief(value, max = 200) {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
