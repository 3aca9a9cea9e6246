/**
 * policy.bin (lib/runner/policy-file.ts): for every algorithm, a learner loaded from the file
 * acts exactly as the one it was saved from (evaluation actions on fixed observations), the
 * file holds only what evaluation uses, and damaged or foreign files are refused with an error
 * that names the file and the problem.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../lib/backend';
import { Learner } from '../../lib/agents/learner';
import { AgentSpec } from '../../lib/agents/qvpo/agent';
import { algorithm, algorithmIds } from '../../lib/agents/registry';
import { envSpec } from '../../lib/envs/registry';
import { writeCheckpoint } from '../../lib/runner/checkpoint';
import { planRun } from '../../lib/runner/plan';
import { FinalEvaluation, readPolicyFile, writePolicyFile } from '../../lib/runner/policy-file';
import { openPolicy } from '../../lib/runner/policy-eval';
import { Rng } from '../../lib/util/rng';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-policy-file-'));
const ENV = 'Hopper-v3';
const hopper = envSpec(ENV);
const SPEC: AgentSpec = { obsDim: hopper.obsDim, actDim: hopper.actDim, actionLow: hopper.actionLow, actionHigh: hopper.actionHigh };

/** Fixed observations on the scale of Hopper's. */
const rng = new Rng(11);
const OBSERVATIONS = Array.from({ length: 4 }, () => Float64Array.from(rng.normals(SPEC.obsDim)));

/** What each kind of policy state may hold: the evaluation networks, a normaliser, the generator. */
const PARTS: Record<string, string[]> = {
  qvpo: ['kind', 'net', 'critic', 'rng'],
  dipo: ['kind', 'net', 'critic', 'rng'],
  qsm: ['kind', 'net', 'critic', 'rng'],
  td3: ['kind', 'actor', 'rng'],
  sac: ['kind', 'actor', 'rng'],
  ppo: ['kind', 'actor', 'obsStats', 'rng'],
  spo: ['kind', 'actor', 'obsStats', 'rng'],
  dpmd: ['kind', 'objective', 'target', 'critic', 'rng'],
  sdac: ['kind', 'objective', 'target', 'critic', 'rng'],
  'diffusion-ql': ['kind', 'net', 'criticTarget', 'rng'],
};

function learnerFor(algo: string, seed: number, overrides: Record<string, unknown> = {}): Learner {
  const plan = planRun({ algo, env: ENV, seed, profile: 'smoke' });
  return algorithm(algo).create(SPEC, { ...plan.config, ...overrides }, seed);
}

function evalActions(learner: Learner): Float32Array[] {
  return OBSERVATIONS.map((o) => learner.act(o, 'eval', 0));
}

function writeFor(file: string, algo: string, learner: Learner): void {
  const plan = planRun({ algo, env: ENV, seed: 1, profile: 'smoke' });
  const finalEvaluation: FinalEvaluation = { step: 300, index: 1, mean: 1, std: 0, returns: [1], lengths: [10], policy: learner.getPolicyState() };
  writePolicyFile(file, { plan, engine: 'tfjs', finalEvaluation });
}

test('every algorithm: saved and loaded, the same evaluation actions on fixed observations', async () => {
  await initBackend();
  assert.deepEqual(Object.keys(PARTS).sort(), algorithmIds().sort(), 'the test covers every registered algorithm');
  for (const algo of algorithmIds()) {
    const saved = learnerFor(algo, 1);
    // PPO/SPO: a normaliser that has seen data, so a lost normaliser would change the actions.
    for (const o of OBSERVATIONS) saved.act(o.map((v) => 3 * v + 1), 'explore', 0);
    const file = path.join(tmp, `${algo}.bin`);
    writeFor(file, algo, saved);
    const want = evalActions(saved);

    const loaded = learnerFor(algo, 2);
    const before = evalActions(loaded);
    assert.notDeepEqual(before, want, `${algo}: a learner with another seed acts differently before loading`);
    const contents = readPolicyFile(file);
    assert.deepEqual(Object.keys(contents.policy).sort(), PARTS[algo].slice().sort(), `${algo}: only what evaluation uses`);
    loaded.setPolicyState(contents.policy);
    assert.deepEqual(evalActions(loaded), want, `${algo}: same evaluation actions after loading`);
    assert.equal(contents.algo, algo);
    assert.equal(contents.env, ENV);
    assert.equal(contents.finalEvaluation.step, 300);
    saved.dispose();
    loaded.dispose();
  }
});

test('a policy file is small: no replay buffer, no optimiser state', async () => {
  await initBackend();
  const learner = learnerFor('qvpo', 1, { hiddenWidth: 64, hiddenLayers: 3, warmupSteps: 10_000 });
  // The learner's full state after some transitions (checkpoint) against its policy file.
  for (let i = 0; i < 50; i++) {
    const o = OBSERVATIONS[i % OBSERVATIONS.length];
    learner.observe({ obs: o, action: [0, 0, 0], reward: 1, nextObs: o, terminated: false, truncated: false }, i + 1, false);
  }
  const checkpoint = path.join(tmp, 'full.bin');
  writeCheckpoint(checkpoint, learner.getState());
  const policy = path.join(tmp, 'small.bin');
  writeFor(policy, 'qvpo', learner);
  const policyBytes = fs.statSync(policy).size;
  assert.ok(policyBytes < 0.4 * fs.statSync(checkpoint).size, `policy ${policyBytes} B against checkpoint ${fs.statSync(checkpoint).size} B`);
  learner.dispose();
});

test('damaged, cut, foreign or missing policy files are refused, naming the file and the problem', async () => {
  await initBackend();
  const learner = learnerFor('td3', 1);
  const good = path.join(tmp, 'good.bin');
  writeFor(good, 'td3', learner);
  const bytes = fs.readFileSync(good);

  const flipped = path.join(tmp, 'flipped.bin');
  const damaged = Buffer.from(bytes);
  damaged[Math.floor(damaged.length / 2)] ^= 0x10;
  fs.writeFileSync(flipped, damaged);
  assert.throws(() => readPolicyFile(flipped), (e: Error) => /damaged policy file/.test(e.message) && e.message.includes(flipped) && /checksum/.test(e.message));

  const cut = path.join(tmp, 'cut.bin');
  fs.writeFileSync(cut, bytes.subarray(0, 40));
  assert.throws(() => readPolicyFile(cut), (e: Error) => /damaged policy file/.test(e.message) && e.message.includes(cut));

  const checkpoint = path.join(tmp, 'checkpoint.bin');
  writeCheckpoint(checkpoint, { counters: { step: 1 }, learner: learner.getState() });
  assert.throws(() => readPolicyFile(checkpoint), /not a policy file \(format null, expected "qvpo-kit-policy"/);

  const text = path.join(tmp, 'text.bin');
  fs.writeFileSync(text, 'hello');
  assert.throws(() => readPolicyFile(text), /damaged policy file: .*bad magic/);

  assert.throws(() => readPolicyFile(path.join(tmp, 'absent.bin')), /absent\.bin does not exist/);

  // A run directory whose policy.bin is damaged: the error names it, before any env is made.
  const runDir = path.join(tmp, 'run');
  fs.mkdirSync(runDir);
  fs.writeFileSync(path.join(runDir, 'policy.bin'), damaged);
  await assert.rejects(openPolicy(runDir), (e: Error) => e.message.includes(path.join(runDir, 'policy.bin')) && /checksum/.test(e.message));
  learner.dispose();
});

test('a policy of another algorithm or other network sizes does not load, and says why', async () => {
  await initBackend();
  const td3 = learnerFor('td3', 1);
  const qvpo = learnerFor('qvpo', 1);
  assert.throws(() => qvpo.setPolicyState(td3.getPolicyState()), /expected a policy state of kind "diffusion-policy", got "td3-policy"/);
  const wide = learnerFor('td3', 1, { hiddenWidth: 48 });
  assert.throws(() => td3.setPolicyState(wide.getPolicyState()), /actor: tensor 0 has shape \[11,48\] in the checkpoint, \[11,32\] in the network/);
  for (const l of [td3, qvpo, wide]) l.dispose();
});
