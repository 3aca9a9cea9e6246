/**
 * Per-task hyperparameter tables (lib/agents/hparams.ts and each agent's tasks.ts): every
 * algorithm has one, every number has a source, the tables cannot drift from the config
 * schemas, the runner's per-task overrides come from them, and they render as markdown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineSchema, int, num } from '../../lib/config/schema';
import { code, defineHparams, kit, paper, renderHparams, taskOverridesOf } from '../../lib/agents/hparams';
import { algorithm, algorithmIds, settingsMarkdown } from '../../lib/agents/registry';
import { QVPO_ENV_IDS } from '../../lib/envs/registry';

test('every algorithm has a table: all schema fields with the schema defaults, a source and a reference each, the paper tasks as columns', () => {
  assert.deepEqual(algorithmIds().sort(), ['diffusion-ql', 'dipo', 'dpmd', 'ppo', 'qsm', 'qvpo', 'sac', 'sdac', 'spo', 'td3']);
  for (const id of algorithmIds()) {
    const entry = algorithm(id);
    const t = entry.hparams;
    assert.equal(t.algo, id);
    assert.deepEqual(Object.keys(t.defaults).sort(), Object.keys(entry.schema.fields).sort(), `${id}: every field`);
    for (const [key, s] of Object.entries(t.defaults)) {
      assert.equal(s.value, (entry.schema.defaults as Record<string, unknown>)[key], `${id}.${key}`);
      assert.ok(['paper', 'code', 'kit'].includes(s.origin) && s.ref.trim().length > 0, `${id}.${key} has a source`);
    }
    assert.deepEqual(Object.keys(t.tasks).sort(), [...QVPO_ENV_IDS].sort(), `${id}: the paper's five tasks`);
    for (const settings of Object.values(t.tasks)) {
      for (const s of Object.values(settings)) assert.ok(s && ['paper', 'code', 'kit'].includes(s.origin) && s.ref.trim().length > 0);
    }
    assert.deepEqual(entry.taskOverrides, taskOverridesOf(t), `${id}: the runner's per-task overrides are the table's`);
  }
});

test('defineHparams rejects a table that drifts from its schema', () => {
  const schema = defineSchema('toy', { lr: num(0.1, 'lr'), steps: int(5, 'steps', { min: 1 }) });
  const ok = { lr: code(0.1, 'x'), steps: paper(5, 'y') };
  assert.doesNotThrow(() => defineHparams(schema, { algo: 'toy', summary: '', defaults: ok, tasks: { A: { steps: kit(7, 'z') } } }));
  assert.throws(() => defineHparams(schema, { algo: 'toy', summary: '', defaults: { lr: code(0.1, 'x') } as typeof ok, tasks: {} }), /missing: steps/);
  assert.throws(() => defineHparams(schema, { algo: 'toy', summary: '', defaults: { ...ok, lr: code(0.2, 'x') }, tasks: {} }), /lr is 0.2 here, 0.1 in the toy schema/);
  assert.throws(() => defineHparams(schema, { algo: 'toy', summary: '', defaults: ok, tasks: { A: { steps: kit(0, 'z') } } }), /toy hyperparameter table, A: invalid value 0 for "steps"/);
  const extra = { ...ok, other: kit(1, 'z') };
  assert.throws(() => defineHparams(schema, { algo: 'toy', summary: '', defaults: extra, tasks: {} }), /unknown: other/);
});

test('renderHparams: shared settings in one table, per-task ones with numbered references, profile changes as the kit\'s', () => {
  const schema = defineSchema('toy', { lr: num(0.1, 'lr'), steps: int(5, 'steps', { min: 1 }), width: int(256, 'width', { min: 1 }) });
  const table = defineHparams(schema, {
    algo: 'toy',
    summary: 'A toy | with a pipe.',
    defaults: { lr: code(0.1, 'main.py --lr'), steps: code(5, 'main.py --steps'), width: paper(256, 'Table 2') },
    tasks: { A: { steps: paper(9, 'README') }, B: {} },
  });
  const md = renderHparams(table, { changes: { width: 64 }, changesRef: 'quick profile' });
  assert.match(md, /^\*\*TOY settings \(A, B\)\*\*/);
  assert.match(md, /A toy \\\| with a pipe\./);
  assert.match(md, /\| lr \| 0.1 \| code \| main.py --lr \|/);
  assert.match(md, /\| width \| 64 \| kit \| quick profile \|/);
  assert.match(md, /\| setting \| A \| B \|\n\|---\|---\|---\|\n\| steps \| 9 \(paper \[1\]\) \| 5 \(code \[2\]\) \|/);
  assert.match(md, /\[1\] paper: README {2}\n\[2\] code: main.py --steps/);
});

test('settingsMarkdown: an algorithm\'s effective settings per task, with a profile or a named variant', () => {
  const dipo = settingsMarkdown('dipo', { tasks: ['Hopper-v3', 'HalfCheetah-v3'] });
  assert.match(dipo, /\| actionGradientSteps \| 20 \(paper \[1\]\) \| 40 \(paper \[1\]\) \|/);
  assert.match(dipo, /\| diffusionSteps \| 100 \| paper \| DIPO README, per-environment table \|/);
  const quick = settingsMarkdown('qvpo', { profile: 'quick', heading: '###' });
  assert.match(quick, /^### QVPO settings/);
  assert.match(quick, /\| hiddenWidth \| 64 \| kit \| the kit's quick profile \|/);
  assert.match(quick, /\| trainSamples \| 8 \| kit \| the kit's quick profile \|/);
  assert.match(quick, /\| diffusionSteps \| 20 \| code \| main.py --n_timesteps \|/);
  const repo = settingsMarkdown('dipo', { variant: 'qvpo-repo', tasks: ['HalfCheetah-v3'] });
  assert.match(repo, /\| actionGradientSteps \| 20 \| kit \| variant qvpo-repo \|/);
  assert.throws(() => settingsMarkdown('dipo', { variant: 'nope' }), /dipo has no variant "nope"/);
  for (const id of algorithmIds()) assert.ok(settingsMarkdown(id).includes('| setting | value | from | reference |'), id);
});
