import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { planRun } from '../../lib/runner/plan';
import { PAPER_PROTOCOL, profileNamed } from '../../lib/runner/profiles';
import { qvpoSchema } from '../../lib/agents/qvpo/config';
import { sweepManifest, trainArgs } from '../../lib/runner/sweep';

test('the paper profile runs the official settings and lists no difference', () => {
  const plan = planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 3, profile: 'paper', root: '/r' });
  assert.deepEqual(plan.paperDiff, []);
  assert.deepEqual(plan.config, { ...qvpoSchema.defaults });
  assert.deepEqual(plan.protocol, PAPER_PROTOCOL);
  assert.equal(plan.protocol.totalSteps, 1_000_000);
  assert.equal(plan.dir, path.join('/r', 'paper', 'qvpo', 'Hopper-v3', 'seed-3'));
});

test('a reduced profile lists exactly the settings it changes, with the paper values', () => {
  const plan = planRun({ algo: 'qvpo', env: 'HalfCheetah-v3', seed: 0, profile: 'quick', root: '/r' });
  const byKey = Object.fromEntries(plan.paperDiff.map((d) => [d.key, d]));
  assert.deepEqual(byKey.trainSamples, { key: 'trainSamples', value: 8, paper: 64 });
  assert.deepEqual(byKey.totalSteps, { key: 'totalSteps', value: 20_000, paper: 1_000_000 });
  assert.equal(byKey.gamma, undefined, 'unchanged settings are not listed');
  // Every listed key really differs and every differing key is listed.
  const all = { ...plan.config, ...plan.protocol } as Record<string, unknown>;
  const paper = { ...qvpoSchema.defaults, ...PAPER_PROTOCOL } as Record<string, unknown>;
  const differing = Object.keys(all).filter((k) => all[k] !== paper[k] && k !== 'checkpointInterval').sort();
  assert.deepEqual(plan.paperDiff.map((d) => d.key).sort(), differing);
});

test('changed settings need a variant and go to their own directory', () => {
  assert.throws(() => planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 0, profile: 'quick', overrides: { trainSamples: 16 } }), /need a variant name/);
  const plan = planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 0, profile: 'quick', overrides: { trainSamples: 16 }, variant: 'nd16', root: '/r' });
  assert.equal(plan.label, 'quick-nd16');
  assert.equal(plan.config.trainSamples, 16);
  assert.ok(plan.dir.includes(path.join('quick-nd16', 'qvpo')));
  assert.throws(() => planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 0, profile: 'quick', variant: '../x' }), /variant "\.\.\/x" must be letters/);
});

test('bad plans fail with messages naming the bad value', () => {
  assert.throws(() => planRun({ algo: 'ppo2', env: 'Hopper-v3', seed: 0, profile: 'quick' }), /unknown algorithm "ppo2": expected one of qvpo/);
  assert.throws(() => planRun({ algo: 'qvpo', env: 'Hoper-v3', seed: 0, profile: 'quick' }), /Hoper-v3/);
  assert.throws(() => planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 0, profile: 'fast' }), /unknown profile "fast": expected one of smoke, quick, medium, paper/);
  assert.throws(() => planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: -1, profile: 'quick' }), /seed must be a non-negative integer, got -1/);
  assert.throws(
    () => planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 0, profile: 'quick', variant: 'v', overrides: { trainSamples: 'many' } }),
    /invalid value "many" for "trainSamples": expected an integer >= 1/,
  );
  assert.throws(
    () => planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 0, profile: 'quick', variant: 'v', protocolOverrides: { totalStep: 5 } }),
    /unknown field "totalStep"/,
  );
});

test('a sweep manifest covers algorithms × tasks × seeds of the profile and round-trips to train arguments', () => {
  const m = sweepManifest({ profile: 'quick', algos: ['qvpo'] });
  const quick = profileNamed('quick');
  assert.equal(m.length, quick.envs.length * quick.seeds.length);
  assert.deepEqual([...new Set(m.map((e) => e.env))], [...quick.envs]);
  const arm = sweepManifest({ profile: 'quick', algos: ['qvpo'], envs: ['Ant-v3'], seeds: [4], variant: 'T100', overrides: { diffusionSteps: 100 } });
  assert.deepEqual(trainArgs(arm[0]), ['train', '--algo', 'qvpo', '--env', 'Ant-v3', '--seed', '4', '--profile', 'quick', '--variant', 'T100', '--diffusion-steps=100']);
});
