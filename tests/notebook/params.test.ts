import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { loadParams, ParamError, type ParamProfiles } from '../../lib/notebook/params';

const DEFAULTS = { iterations: 1000, env: 'Hopper-v4', hidden: [256, 256], deterministic: false, lr: 3e-4 };
const PROFILES: ParamProfiles<typeof DEFAULTS> = {
  smoke: { iterations: 3, hidden: [8, 8] },
  quick: { iterations: 100 },
  paper: {},
};

function tmpJson(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-params-'));
  const file = path.join(dir, 'params.json');
  fs.writeFileSync(file, content);
  return file;
}

function throwsParam(fn: () => unknown, ...fragments: (string | RegExp)[]): string {
  let message = '';
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ParamError, `expected ParamError, got ${String(e)}`);
    message = (e as Error).message;
    return true;
  });
  for (const f of fragments) {
    if (typeof f === 'string') assert.ok(message.includes(f), `message ${JSON.stringify(message)} lacks ${JSON.stringify(f)}`);
    else assert.match(message, f);
  }
  return message;
}

test('defaults + default profile (quick) when QVPO_PROFILE is unset', () => {
  const r = loadParams(DEFAULTS, PROFILES, { env: {} });
  assert.equal(r.profile, 'quick');
  assert.equal(r.profileSource, 'default');
  assert.equal(r.params.iterations, 100);
  assert.equal(r.params.env, 'Hopper-v4');
  assert.deepEqual(r.params.hidden, [256, 256]);
  assert.equal(r.sources.iterations, 'profile:quick');
  assert.equal(r.sources.env, 'default');
  assert.deepEqual(r.overridden, ['iterations']);
  assert.equal(r.paramsFile, null);
});

test('caller-given default profile and QVPO_PROFILE', () => {
  assert.equal(loadParams(DEFAULTS, PROFILES, { env: {}, defaultProfile: 'paper' }).params.iterations, 1000);
  const r = loadParams(DEFAULTS, PROFILES, { env: { QVPO_PROFILE: 'smoke' }, defaultProfile: 'paper' });
  assert.equal(r.profile, 'smoke');
  assert.equal(r.profileSource, 'env:QVPO_PROFILE');
  assert.equal(r.params.iterations, 3);
  assert.deepEqual(r.params.hidden, [8, 8]);
});

test('result is frozen, arrays included', () => {
  const r = loadParams(DEFAULTS, PROFILES, { env: {} });
  assert.ok(Object.isFrozen(r.params));
  assert.ok(Object.isFrozen(r.params.hidden));
  assert.throws(() => {
    (r.params as { iterations: number }).iterations = 5;
  }, TypeError);
  // the caller's defaults are not frozen or shared
  assert.ok(!Object.isFrozen(DEFAULTS.hidden));
  assert.notEqual(r.params.hidden, DEFAULTS.hidden);
});

test('QVPO_PARAMS file overrides the profile; QVPO_PARAM_<key> overrides the file', () => {
  const file = tmpJson(JSON.stringify({ iterations: 7, env: 'Walker2d-v4', hidden: [32] }));
  const r = loadParams(DEFAULTS, PROFILES, {
    env: { QVPO_PROFILE: 'smoke', QVPO_PARAMS: file, QVPO_PARAM_iterations: '9', QVPO_PARAM_deterministic: 'true' },
  });
  assert.equal(r.params.iterations, 9);
  assert.equal(r.params.env, 'Walker2d-v4');
  assert.deepEqual(r.params.hidden, [32]);
  assert.equal(r.params.deterministic, true);
  assert.equal(r.paramsFile, file);
  assert.equal(r.sources.env, `file:${file}`);
  assert.equal(r.sources.iterations, 'env:QVPO_PARAM_iterations');
  assert.equal(r.sources.lr, 'default');
  const md = r.toMarkdown();
  assert.match(md, /\*\*Profile:\*\* `smoke` \(from QVPO_PROFILE\)/);
  assert.ok(md.includes(file));
  assert.match(md, /\| iterations \| 9 \| env:QVPO_PARAM_iterations \|/);
  assert.match(md, /\| hidden \| \[32\] \| file:/);
  assert.match(r.summary(), /^profile smoke; /);
  assert.deepEqual(
    r.rows().map((x) => x.parameter),
    ['iterations', 'env', 'hidden', 'deterministic', 'lr'],
  );
});

test('relative QVPO_PARAMS is resolved against cwd', () => {
  const file = tmpJson('{"lr": 0.001}');
  const r = loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAMS: path.basename(file) }, cwd: path.dirname(file) });
  assert.equal(r.params.lr, 0.001);
  assert.equal(r.paramsFile, file);
});

test('env array values: JSON or comma-separated', () => {
  assert.deepEqual(loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAM_hidden: '[64, 32]' } }).params.hidden, [64, 32]);
  assert.deepEqual(loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAM_hidden: '64, 32,16' } }).params.hidden, [64, 32, 16]);
});

test('error: unknown profile lists the known ones', () => {
  throwsParam(
    () => loadParams(DEFAULTS, PROFILES, { env: { QVPO_PROFILE: 'fast' } }),
    'QVPO_PROFILE="fast" is not a known profile',
    'smoke, quick, medium, paper',
  );
});

test('error: a profile the notebook has no settings for is named, not run with defaults', () => {
  throwsParam(
    () => loadParams(DEFAULTS, PROFILES, { env: { QVPO_PROFILE: 'medium' } }),
    'profile "medium" is not set up in this notebook',
    'it has: smoke, quick, paper',
  );
  const withMedium = { ...PROFILES, medium: { iterations: 50 } };
  assert.equal(loadParams(DEFAULTS, withMedium, { env: { QVPO_PROFILE: 'medium' } }).params.iterations, 50);
});

test('error: malformed JSON names the file and the parse error', () => {
  const file = tmpJson('{"iterations": 5,');
  const msg = throwsParam(() => loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAMS: file } }), file, 'is not valid JSON');
  assert.match(msg, /JSON/);
  assert.ok(msg.length > `QVPO_PARAMS file ${file} is not valid JSON: `.length, 'parse error text included');
});

test('error: missing file and non-object JSON', () => {
  throwsParam(
    () => loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAMS: '/nonexistent/params.json' } }),
    '/nonexistent/params.json',
    'cannot be read',
    'ENOENT',
  );
  const file = tmpJson('[1, 2]');
  throwsParam(() => loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAMS: file } }), 'expected a JSON object', 'got array');
});

test('error: unknown key lists the known keys (and suggests a near miss)', () => {
  const file = tmpJson('{"iteration": 5}');
  throwsParam(
    () => loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAMS: file } }),
    file,
    'unknown parameter "iteration"',
    'known parameters: iterations, env, hidden, deterministic, lr',
    'Did you mean "iterations"?',
  );
  throwsParam(
    () => loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAM_gamma: '0.99' } }),
    'environment variable QVPO_PARAM_gamma',
    'unknown parameter "gamma"',
  );
  throwsParam(
    () => loadParams(DEFAULTS, { ...PROFILES, quick: { itrs: 1 } as never }, { env: {} }),
    'profile "quick"',
    'unknown parameter "itrs"',
  );
});

test('error: wrong type names key, value and the expected type', () => {
  const file = tmpJson('{"iterations": "abc"}');
  throwsParam(
    () => loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAMS: file } }),
    'parameter "iterations" = "abc"',
    'expected a number',
  );
  throwsParam(
    () => loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAM_iterations: 'abc' } }),
    'QVPO_PARAM_iterations',
    'parameter "iterations" = "abc"',
    'expected a number',
  );
  throwsParam(
    () => loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAMS: tmpJson('{"env": 3}') } }),
    'parameter "env" = 3',
    'expected a string',
  );
  throwsParam(
    () => loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAMS: tmpJson('{"deterministic": "yes"}') } }),
    'parameter "deterministic" = "yes"',
    'expected a boolean',
  );
  throwsParam(
    () => loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAMS: tmpJson('{"hidden": [64, "x"]}') } }),
    'parameter "hidden"',
    'element 1 is "x"',
  );
  throwsParam(
    () => loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAM_deterministic: 'maybe' } }),
    'expected a boolean',
  );
});

test('error: non-finite numbers', () => {
  throwsParam(
    () => loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAMS: tmpJson('{"lr": 1e999}') } }),
    'parameter "lr" = Infinity',
    'expected a finite number',
  );
  throwsParam(
    () => loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAM_lr: 'Infinity' } }),
    'expected a finite number',
  );
  throwsParam(() => loadParams(DEFAULTS, PROFILES, { env: { QVPO_PARAM_lr: 'NaN' } }), 'expected a number');
  throwsParam(
    () => loadParams(DEFAULTS, { ...PROFILES, paper: { lr: NaN } }, { env: {} }),
    'profile "paper"',
    'expected a finite number',
  );
});

test('error: bad defaults are reported', () => {
  throwsParam(
    () => loadParams({ a: { nested: 1 } } as unknown as { a: number }, { smoke: {}, quick: {}, paper: {} }, { env: {} }),
    'parameter "a"',
    'defaults must be numbers, strings, booleans or arrays of numbers',
  );
});

test('typed result (compile-time check)', () => {
  const r = loadParams({ n: 1, name: 'x', on: true }, { smoke: { n: 2 }, quick: {}, paper: {} }, { env: {} });
  const n: number = r.params.n;
  const name: string = r.params.name;
  const on: boolean = r.params.on;
  assert.deepEqual([n, name, on], [1, 'x', true]);
});
