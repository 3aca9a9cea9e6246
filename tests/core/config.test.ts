/** The typed config schema (lib/config/schema.ts) and QVPO's real schema. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bool, defineSchema, flagName, int, num, oneOf, str } from '../../lib/config/schema';
import { qvpoSchema, Q_TRANSFORMS } from '../../lib/agents/qvpo/config';

const toy = defineSchema('toy', {
  batchSize: int(32, 'Batch size.', { min: 1, max: 4096 }),
  lr: num(1e-3, 'Learning rate.', { min: 0, minExclusive: true }),
  gamma: num(0.99, 'Discount.', { min: 0, max: 1 }),
  useThing: bool(true, 'Use the thing.'),
  mode: oneOf(['fast', 'slow'] as const, 'fast', 'Mode.'),
  label: str('run', 'Label.'),
});

test('QVPO defaults equal the official code values (spec §2.4, §4.1, §5, §6.3, §7)', () => {
  const d = qvpoSchema.defaults;
  const expected: Record<string, unknown> = {
    batchSize: 256,
    gamma: 0.99,
    tau: 0.005,
    actorLr: 1e-4,
    criticLr: 3e-4,
    adamEps: 1e-5,
    gradClipNorm: 2,
    diffusionSteps: 20,
    betaSchedule: 'cosine',
    noiseRatio: 1,
    hiddenWidth: 256,
    hiddenLayers: 3,
    trainSamples: 64,
    entropySamples: 10,
    behaviourSamples: 4,
    targetSamples: 4,
    evalSamples: 32,
    qTransform: 'qadv',
    qcutThreshold: 1,
    entropyAlpha: 0.02,
    entropyAlphaFloor: 0.002,
    entropyDecaySteps: 1_000_000,
    warmupSteps: 10_000,
    replaySize: 1_000_000,
    updatesPerStep: 1,
    timeLimitAsTerminal: true,
  };
  for (const [k, v] of Object.entries(expected)) {
    assert.equal((d as Record<string, unknown>)[k], v, `default ${k}`);
  }
  assert.deepEqual([...Q_TRANSFORMS], ['qadv', 'qcut']);
  assert.ok(Object.isFrozen(d), 'defaults are frozen');
  assert.deepEqual(qvpoSchema.make(), { ...d }, 'make() with no overrides = defaults');
});

test('flag names are --kebab-case of the field names', () => {
  assert.equal(flagName('batchSize'), '--batch-size');
  assert.equal(flagName('timeLimitAsTerminal'), '--time-limit-as-terminal');
  assert.equal(flagName('gamma'), '--gamma');
});

test('make() applies overrides and coerces strings', () => {
  const c = qvpoSchema.make({ batchSize: '64', gamma: '0.9', timeLimitAsTerminal: 'false', qTransform: 'qcut' });
  assert.equal(c.batchSize, 64);
  assert.equal(c.gamma, 0.9);
  assert.equal(c.timeLimitAsTerminal, false);
  assert.equal(c.qTransform, 'qcut');
  assert.equal(c.tau, 0.005, 'untouched fields keep defaults');
  assert.equal(qvpoSchema.make({ batchSize: undefined }).batchSize, 256, 'undefined means "not given"');
  assert.equal(toy.make({ useThing: '0' }).useThing, false);
});

test('make() rejects unknown keys and lists the known fields', () => {
  assert.throws(
    () => qvpoSchema.make({ batchsize: 64 }),
    (e: Error) => {
      assert.match(e.message, /qvpo: unknown field "batchsize"; known fields: /);
      for (const k of Object.keys(qvpoSchema.fields)) assert.ok(e.message.includes(k), `lists ${k}`);
      return true;
    },
  );
});

test('make() rejects non-numeric strings, non-integers and out-of-range values, naming key and value', () => {
  assert.throws(() => qvpoSchema.make({ batchSize: 'abc' }), /qvpo: invalid value "abc" for "batchSize": expected an integer >= 1/);
  assert.throws(() => qvpoSchema.make({ batchSize: 2.5 }), /invalid value 2.5 for "batchSize": expected an integer/);
  assert.throws(() => qvpoSchema.make({ batchSize: 0 }), /invalid value 0 for "batchSize": expected an integer >= 1/);
  assert.throws(() => qvpoSchema.make({ batchSize: '' }), /invalid value "" for "batchSize"/);
  assert.throws(() => qvpoSchema.make({ batchSize: true }), /invalid value true for "batchSize"/);
  assert.throws(() => qvpoSchema.make({ gamma: 1.5 }), /invalid value 1.5 for "gamma": expected a number >= 0 <= 1/);
  assert.throws(() => qvpoSchema.make({ gamma: -0.1 }), /for "gamma"/);
  assert.throws(() => qvpoSchema.make({ actorLr: 0 }), /invalid value 0 for "actorLr": expected a number > 0/);
  assert.throws(() => qvpoSchema.make({ actorLr: 'NaN' }), /invalid value "NaN" for "actorLr"/);
  assert.throws(() => qvpoSchema.make({ gamma: Infinity }), /for "gamma"/);
  assert.throws(() => toy.make({ batchSize: 5000 }), /invalid value 5000 for "batchSize": expected an integer >= 1 <= 4096/);
  assert.throws(() => toy.make({ useThing: 'yes' }), /invalid value "yes" for "useThing": expected true or false/);
  assert.throws(() => toy.make({ label: 5 }), /invalid value 5 for "label": expected a string/);
  assert.throws(() => qvpoSchema.make({ batchSize: 'abc' }, 'my-run.json'), /^Error: my-run.json: invalid value/);
  assert.throws(() => qvpoSchema.make([] as never), /overrides must be an object/);
  // boundary values are accepted
  assert.equal(qvpoSchema.make({ gamma: 0 }).gamma, 0);
  assert.equal(qvpoSchema.make({ gamma: 1 }).gamma, 1);
  assert.equal(qvpoSchema.make({ gradClipNorm: 0 }).gradClipNorm, 0);
  assert.equal(qvpoSchema.make({ entropySamples: 0 }).entropySamples, 0);
});

test('make() rejects a bad enum value and lists the choices', () => {
  assert.throws(() => qvpoSchema.make({ qTransform: 'qexp' }), /invalid value "qexp" for "qTransform": expected one of qadv, qcut/);
  assert.throws(() => qvpoSchema.make({ betaSchedule: 'sigmoid' }), /expected one of cosine, linear, vp/);
});

test('parseArgs: --flag value, --flag=value, booleans, --no-flag, leftovers in rest', () => {
  assert.equal(qvpoSchema.parseArgs(['--batch-size', '64']).config.batchSize, 64);
  assert.equal(qvpoSchema.parseArgs(['--batch-size=64']).config.batchSize, 64);
  const neg = qvpoSchema.parseArgs(['--no-time-limit-as-terminal']);
  assert.equal(neg.config.timeLimitAsTerminal, false);
  assert.deepEqual(neg.rest, []);
  assert.equal(qvpoSchema.parseArgs(['--time-limit-as-terminal', 'false']).config.timeLimitAsTerminal, false);
  assert.equal(qvpoSchema.parseArgs(['--time-limit-as-terminal=false']).config.timeLimitAsTerminal, false);
  const bare = qvpoSchema.parseArgs(['--time-limit-as-terminal', 'results/']);
  assert.equal(bare.config.timeLimitAsTerminal, true, 'a bare boolean flag is true');
  assert.deepEqual(bare.rest, ['results/'], 'the next non-boolean word is not eaten');

  const { config, rest } = qvpoSchema.parseArgs(
    ['Hopper-v3', '--gamma', '0.95', '--unknown-flag', 'x', '--q-transform=qcut', '--seed=3', '--no-such-bool', '--entropy-alpha', '0'],
    { batchSize: 128 },
  );
  assert.equal(config.gamma, 0.95);
  assert.equal(config.qTransform, 'qcut');
  assert.equal(config.entropyAlpha, 0);
  assert.equal(config.batchSize, 128, 'base values are kept');
  assert.deepEqual(rest, ['Hopper-v3', '--unknown-flag', 'x', '--seed=3', '--no-such-bool']);
  // --no- only negates booleans
  assert.deepEqual(qvpoSchema.parseArgs(['--no-gamma']).rest, ['--no-gamma']);
});

test('parseArgs errors: missing value, bad value (with the command-line origin)', () => {
  assert.throws(() => qvpoSchema.parseArgs(['--batch-size']), /qvpo: flag --batch-size needs a value \(an integer >= 1 <= 65536\)/);
  assert.throws(
    () => qvpoSchema.parseArgs(['--batch-size', 'abc']),
    /qvpo \(command line\): invalid value "abc" for "batchSize": expected an integer >= 1/,
  );
  assert.throws(() => qvpoSchema.parseArgs(['--q-transform', 'qexp']), /expected one of qadv, qcut/);
});

test('help() lists every field with its flag, default and doc', () => {
  for (const schema of [qvpoSchema, toy] as const) {
    const text = schema.help();
    const lines = text.split('\n');
    for (const [key, f] of Object.entries(schema.fields)) {
      const flag = flagName(key);
      const line = lines.find((l) => l.trim().startsWith(flag + ' ') || l.trim() === `${flag}  [${JSON.stringify(f.default)}]`);
      assert.ok(line, `help has a line for ${flag}`);
      assert.ok(line.includes(`[${JSON.stringify(f.default)}]`), `help shows the default of ${key}: ${line}`);
      assert.ok(text.includes(f.doc), `help shows the doc of ${key}`);
    }
  }
  const h = qvpoSchema.help();
  assert.match(h, /--q-transform <qadv\|qcut>  \["qadv"\]/);
  assert.match(h, /--batch-size <int>  \[256\]/);
  assert.match(h, /--time-limit-as-terminal  \[true\]/);
});

test('help({values, title}) shows given values, with the default each one replaces', () => {
  const h = qvpoSchema.help({ values: { batchSize: 64, gamma: 0.99 }, title: 'qvpo at quick:' });
  assert.equal(h.split('\n')[0], 'qvpo at quick:');
  assert.match(h, /--batch-size <int>  \[64; default 256\]/);
  assert.match(h, /--gamma <number>  \[0\.99\]/, 'a value equal to the default is shown once');
  assert.match(h, /--diffusion-steps <int>  \[20\]/, 'fields without a value show the default');
});

test('diff() lists the fields that differ from the defaults or a reference', () => {
  const c = qvpoSchema.make({ batchSize: 64, qTransform: 'qcut' });
  assert.deepEqual(qvpoSchema.diff(c), [
    { key: 'batchSize', value: 64, reference: 256 },
    { key: 'qTransform', value: 'qcut', reference: 'qadv' },
  ]);
  assert.deepEqual(qvpoSchema.diff(qvpoSchema.make()), []);
  const ref = qvpoSchema.make({ batchSize: 64 });
  assert.deepEqual(qvpoSchema.diff(c, ref), [{ key: 'qTransform', value: 'qcut', reference: 'qadv' }]);
});
