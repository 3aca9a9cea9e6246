/**
 * The DDiffPG agent (lib/agents/ddiffpg/agent.ts, buffer.ts, ascent.ts): the multimodal batch's
 * composition and the target tables' re-indexing, the action-gradient refinement (by hand, and
 * against tfjs autodiff), which reward each group's critic regresses onto, checkpoint round trip,
 * no tensor leak, the settings table, and the ModeArchive checkpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend';
import { engine } from '../../lib/engine';
import { DdiffpgLearner, DdiffpgTransition } from '../../lib/agents/ddiffpg/agent';
import { ascendActions } from '../../lib/agents/ddiffpg/ascent';
import { TrajectoryStore } from '../../lib/agents/ddiffpg/buffer';
import { ModeArchive } from '../../lib/agents/ddiffpg/cluster';
import { ddiffpgSchema, parseWidths } from '../../lib/agents/ddiffpg/config';
import { DDIFFPG_HPARAMS, DDIFFPG_MAZE_SETTINGS } from '../../lib/agents/ddiffpg/tasks';
import { DoubleCritic } from '../../lib/nets/critic';
import { Rng } from '../../lib/util/rng';

const SPEC = { obsDim: 2, actDim: 2, actionLow: [-1, -1], actionHigh: [1, 1] };

/** Tiny nets; two envs; clustering on after 6 vector steps. */
const TINY = {
  numEnvs: 2,
  warmupVectorSteps: 6,
  updatesPerVectorStep: 1,
  batchSize: 12,
  clusterEvery: 4,
  clusterThreshold: 2.5,
  clusterResample: 20,
  trajectoryCapacity: 40,
  actorHidden: '16,16',
  actorTimeEmbed: 8,
  actorTimeHidden: 16,
  criticHidden: '16,16',
  rndHidden: '16',
  rndFeatureDim: 8,
  actionSteps: 3,
};

/** A scripted episode of `len` diagonal steps of 0.1 from (0, −0.7) to the left (side −1) or right (+1); success ends it with reward 10. */
function scriptedEpisode(side: number, len: number, success: boolean): DdiffpgTransition[] {
  const out: DdiffpgTransition[] = [];
  let x = 0;
  let y = -0.7;
  for (let k = 0; k < len; k++) {
    const a = [side, 1];
    const nx = x + 0.1 * a[0];
    const ny = y + 0.1 * a[1];
    const end = k === len - 1;
    out.push({ obs: [x, y], action: a, reward: end && success ? 10 : 0, nextObs: [nx, ny], terminated: end && success, truncated: end && !success, success: end && success, label: end && success ? (side < 0 ? 0 : 1) : -1 });
    x = nx;
    y = ny;
  }
  return out;
}

/** Feeds env 0 a left and env 1 a right success of `len` steps, `rounds` times, as vector steps. */
function feedSuccesses(learner: DdiffpgLearner, rounds: number, len = 8): void {
  for (let r = 0; r < rounds; r++) {
    const left = scriptedEpisode(-1, len, true);
    const right = scriptedEpisode(1, len, true);
    for (let k = 0; k < len; k++) learner.observeBatch([left[k], right[k]]);
  }
}

test('the schema defaults are the spec\'s (§2, §5–§8, §11); the maze table gives the clustering a fixed cut on 20-point paths', () => {
  const d = ddiffpgSchema.defaults;
  assert.deepEqual(
    [d.numEnvs, d.warmupVectorSteps, d.updatesPerVectorStep, d.batchSize, d.clusterEvery, d.maxClusters, d.trajectoryCapacity, d.embeddingDim, d.useModeEmbedding],
    [256, 500, 8, 4096, 100, 10, 2000, 5, false],
  );
  assert.deepEqual([d.diffusionSteps, d.betaSchedule, d.actorHidden, d.actorLr, d.actorGradClip, d.criticHidden, d.criticLr, d.tau, d.gamma], [5, 'cosine', '1024,512,256', 3e-4, 1, '512,256,128', 5e-4, 0.05, 0.99]);
  assert.deepEqual([d.targetNoiseStd, d.targetNoiseClip, d.actionSteps, d.actionLr, d.actionGradClip, d.actionMargin], [0.8, 0.2, 20, 0.03, 1, 1e-5]);
  assert.deepEqual([d.noiseStdMin, d.noiseStdMax, d.exploitAllAfter, d.noveltyScale, d.noveltyAlpha, d.rndLr, d.rndFrequencies], [0.05, 0.6, 0.7, 0.01, 0.5, 1e-4, 10]);
  assert.equal(DDIFFPG_HPARAMS.defaults.criticActivation.origin, 'kit', 'the ReLU critic is declared as the kit\'s choice');
  assert.deepEqual([DDIFFPG_MAZE_SETTINGS.clusterThreshold, DDIFFPG_MAZE_SETTINGS.clusterResample], [2.5, 20]);
  assert.deepEqual(parseWidths(' 64, 32 ', 'x'), [64, 32]);
  assert.throws(() => parseWidths('64,,32', 'criticHidden'), /criticHidden must be comma-separated positive integers/);
  assert.throws(() => new DdiffpgLearner(SPEC, { ...TINY, criticHidden: '16,x' }, 0), /criticHidden must be comma-separated/);
});

test('multimodal batch: equal shares per group, remainder to G0, rows only from each group\'s trajectories, in-progress rows in G0 only', () => {
  const store = new TrajectoryStore(2, 2, 2);
  const add = (slot: number, marker: number, len: number, success: boolean) => {
    for (let k = 0; k < len; k++) store.push(slot, [marker, k], [marker / 10, -k / 10], marker, [marker, k + 1], false);
    return store.finish(slot, success, marker).id;
  };
  const a = add(0, 1, 3, true);
  const b = add(1, 2, 4, true);
  const c = add(0, 3, 5, false);
  store.push(1, [9, 0], [0.9, 0], 0, [9, 1], false); // an unfinished trajectory in env slot 1
  store.setModes([[a, c], [b]], [{ kind: 'explore' }, { kind: 'explore' }]);
  assert.equal(store.numModes, 2);
  const rng = new Rng(1);
  for (let rep = 0; rep < 20; rep++) {
    const batch = store.sampleBatch(11, rng);
    assert.deepEqual(batch.map((g) => [g.group, g.size]), [[0, 5], [1, 3], [2, 3]], '11 rows over 3 groups: 3 each, the remainder 2 to G0');
    const markers = (g: (typeof batch)[number]) => Array.from({ length: g.size }, (_, r) => g.obs[2 * r]);
    for (const m of markers(batch[1])) assert.ok(m === 1 || m === 3, `mode 1 row from trajectory marked ${m}`);
    for (const m of markers(batch[2])) assert.equal(m, 2);
    // G0: 13 stored transitions and 1 in progress → round(5·1/14) = 0 in-progress rows.
    for (const [r, m] of markers(batch[0]).entries()) assert.ok([1, 2, 3].includes(m), `G0 row ${r} from ${m}`);
    // Each row carries its group's target (initially the executed action) and its own reward.
    for (const g of batch) for (let r = 0; r < g.size; r++) assert.deepEqual([g.target[2 * r], g.target[2 * r + 1]], [g.act[2 * r], g.act[2 * r + 1]]);
  }
  // With few stored rows the unfinished ones get their share of G0's quota, marked −1.
  const small = new TrajectoryStore(2, 2, 1);
  for (let k = 0; k < 2; k++) small.push(0, [5, k], [0, 0], 0, [5, k + 1], false);
  small.finish(0, false);
  for (let k = 0; k < 6; k++) small.push(0, [7, k], [0.5, 0.5], 0, [7, k + 1], false);
  const g0 = small.sampleBatch(8, rng)[0];
  assert.equal(Array.from(g0.trajIds).filter((id) => id === -1).length, 6, 'round(8 · 6/8) = 6 rows from the unfinished trajectory');
});

test('write-back changes only the sampled rows of that group\'s table; re-clustering re-indexes the tables (inherit, copy, explore)', () => {
  const store = new TrajectoryStore(1, 1, 1);
  const ids = [0, 1].map((m) => {
    for (let k = 0; k < 2; k++) store.push(0, [m], [0.1 * (m + 1)], 0, [m], false);
    return store.finish(0, true).id;
  });
  store.setModes([[ids[0]], [ids[1]]], [{ kind: 'explore' }, { kind: 'explore' }]);
  const rng = new Rng(2);
  const batch = store.sampleBatch(6, rng);
  const mode1 = batch[1];
  store.writeBack(mode1, Float32Array.from({ length: mode1.size }, () => 0.77));
  const t0 = store.get(ids[0]);
  assert.ok(t0);
  const sampledSteps = new Set(Array.from(mode1.steps));
  for (let k = 0; k < 2; k++) assert.equal(t0.targets[1][k], sampledSteps.has(k) ? Math.fround(0.77) : Math.fround(0.1), `mode-1 target of step ${k}`);
  assert.deepEqual(Array.from(t0.targets[0]), [Math.fround(0.1), Math.fround(0.1)], 'G0 table untouched');
  assert.deepEqual(Array.from(t0.targets[2]), [Math.fround(0.1), Math.fround(0.1)], 'mode-2 table untouched');
  // New clustering: new mode 1 inherits old mode 1 (index 0), new mode 2 copies it, new mode 3 starts from G0's table.
  const before = t0.targets[1];
  store.setModes([[ids[0]], [ids[0]], [ids[1]]], [{ kind: 'inherit', from: 0, overlap: 1 }, { kind: 'copy', from: 0, overlap: 1 }, { kind: 'explore' }]);
  const after = store.get(ids[0])?.targets ?? [];
  assert.equal(after.length, 4);
  assert.equal(after[1], before, 'inherit takes the old table itself');
  assert.notEqual(after[2], before, 'copy is a new array…');
  assert.deepEqual(Array.from(after[2]), Array.from(before), '…with the same values');
  assert.deepEqual(Array.from(after[3]), Array.from(after[0]), 'a mode new to every old one starts from G0');
  assert.throws(() => store.setModes([[ids[0]]], [{ kind: 'inherit', from: 5, overlap: 1 }]), /source mode 5 does not exist/);
});

/** A one-hidden-layer ReLU head computing Q = w·a + c on its whole input box (the bias keeps every unit active). */
function linearHead(critic: DoubleCritic, head: 'q1' | 'q2', w: [number, number], c: number): void {
  const mlp = critic[head];
  // input [s, a1, a2] → 2 hidden units h = (a1 + 5, a2 + 5) → Q = w1 h1 + w2 h2 + c − 5(w1 + w2)
  mlp.weights[0].assign(tf.tensor2d([0, 0, 1, 0, 0, 1], [3, 2]));
  mlp.biases[0].assign(tf.tensor1d([5, 5]));
  mlp.weights[1].assign(tf.tensor2d([w[0], w[1]], [2, 1]));
  mlp.biases[1].assign(tf.tensor1d([c - 5 * (w[0] + w[1])]));
}

test('action-gradient refinement climbs the lower head: by hand on linear Q-functions', async () => {
  await initBackend('cpu');
  const critic = new DoubleCritic(1, 2, new Rng(0), { hidden: [2], activation: 'relu' });
  // Q1 = 2·a1 − a2 + 0 and Q2 = −a1 + 0·a2 + 10: Q1 is the lower one on [−1, 1]², so the ascent follows ∇Q1 = (2, −1).
  linearHead(critic, 'q1', [2, -1], 0);
  linearHead(critic, 'q2', [-1, 0], 10);
  const states = Float32Array.of(0, 0, 0);
  const start = Float32Array.of(0, 0, -0.5, 0.5, 0.9, -0.9);
  const o = { steps: 20, lr: 0.03, eps: 1e-5, gradClip: 1, margin: 1e-5 };
  const r = ascendActions(critic, states, start, 1, 2, o);
  for (let i = 0; i < 3; i++) {
    // Adam's normalised steps move each coordinate by lr per step in the gradient's sign: 20 × 0.03 = 0.6, clamped at ±(1 − 1e−5).
    const want = [Math.min(1 - 1e-5, start[2 * i] + 0.6), Math.max(-(1 - 1e-5), start[2 * i + 1] - 0.6)];
    assert.ok(Math.abs(r.actions[2 * i] - want[0]) < 1e-3, `row ${i} a1: ${r.actions[2 * i]} vs ${want[0]}`);
    assert.ok(Math.abs(r.actions[2 * i + 1] - want[1]) < 1e-3, `row ${i} a2: ${r.actions[2 * i + 1]} vs ${want[1]}`);
  }
  const q1 = (a: ArrayLike<number>, i: number) => 2 * a[2 * i] - a[2 * i + 1];
  const meanQ = (a: ArrayLike<number>) => (q1(a, 0) + q1(a, 1) + q1(a, 2)) / 3;
  assert.ok(Math.abs(r.qBefore - meanQ(start)) < 1e-4 && Math.abs(r.qAfter - meanQ(r.actions)) < 1e-4, `q ${r.qBefore} → ${r.qAfter}`);
  // Gains 1.8, 1.8 and 0.3 (the last row hits the box): 1.3 on average.
  assert.ok(Math.abs(r.qAfter - r.qBefore - 1.3) < 1e-3, `gain ${r.qAfter - r.qBefore}`);
  // Once Q2 is the lower head, the ascent follows Q2 instead: −a1 + 10 < 2a1 − a2 when Q2 sits below.
  linearHead(critic, 'q2', [-1, 0], -5);
  const r2 = ascendActions(critic, Float32Array.of(0), Float32Array.of(0, 0), 1, 2, o);
  assert.ok(r2.actions[0] < -0.55 && Math.abs(r2.actions[1]) < 1e-6, `follows ∇Q2 = (−1, 0): ${Array.from(r2.actions)}`);
  // No steps: clamped starting actions and one evaluation.
  const r0 = ascendActions(critic, Float32Array.of(0), Float32Array.of(3, -3), 1, 2, { ...o, steps: 0 });
  assert.deepEqual(Array.from(r0.actions), [Math.fround(1 - 1e-5), Math.fround(-(1 - 1e-5))]);
  assert.equal(r0.qBefore, r0.qAfter);
  critic.dispose();
});

test('the hand-written ReLU action gradient equals tfjs autodiff on a random critic', async () => {
  await initBackend('cpu');
  const rng = new Rng(3);
  const relu = new DoubleCritic(3, 2, rng, { hidden: [12, 8], activation: 'relu', init: 'torch-default' });
  const tanh = new DoubleCritic(3, 2, rng, { hidden: [12, 8], activation: 'tanh', init: 'torch-default' });
  tanh.variables.forEach((v, i) => v.assign(relu.variables[i]));
  const n = 16;
  const states = rng.uniforms(n * 3, -1, 1);
  const actions = rng.uniforms(n * 2, -0.9, 0.9);
  // One plain gradient-descent-like probe: a single Adam step moves each coordinate by lr·sign(gradient).
  const o = { steps: 1, lr: 1e-3, eps: 1e-12, gradClip: 0, margin: 0 };
  const got = ascendActions(relu, states, actions, 3, 2, o);
  const grad = tf.tidy(() => {
    const s = tf.tensor2d(states, [n, 3]);
    return tf.grad((a: tf.Tensor) => tf.mean(relu.min(s, a as tf.Tensor2D)))(tf.tensor2d(actions, [n, 2]));
  });
  const g = grad.dataSync();
  for (let i = 0; i < n * 2; i++) {
    if (Math.abs(g[i]) < 1e-7) continue;
    const moved = got.actions[i] - actions[i];
    assert.ok(Math.abs(moved - 1e-3 * Math.sign(g[i])) < 1e-5, `entry ${i}: moved ${moved}, gradient ${g[i]}`);
  }
  // The autodiff path (non-ReLU critics) runs too and climbs.
  const t = ascendActions(tanh, states, actions, 3, 2, { steps: 10, lr: 0.03, eps: 1e-5, gradClip: 1, margin: 1e-5 });
  assert.ok(t.qAfter > t.qBefore, `tanh critic: ${t.qBefore} → ${t.qAfter}`);
  tf.dispose(grad);
  relu.dispose();
  tanh.dispose();
});

test('each group\'s critic regresses onto its own reward: r_int for exploration, r_ext + r_int for a mode (γ = 0)', async () => {
  await initBackend('cpu');
  const learner = new DdiffpgLearner(SPEC, { ...TINY, gamma: 0 }, 5);
  feedSuccesses(learner, 2); // 16 vector steps: warm-up ends at 6, the clustering finds a left and a right mode
  assert.equal(learner.numModes, 2, `modes ${JSON.stringify(learner.history)}`);
  // Stub the intrinsic reward with a known value per row, and record every TD target the critics see.
  const rInt = (n: number) => Float32Array.from({ length: n }, (_, i) => 0.25 + 0.001 * i);
  learner.novelty.intrinsicReward = (s: Float32Array) => rInt(s.length / 2);
  const e = engine();
  const original = e.criticStep.bind(e);
  const seen: { critic: DoubleCritic; y: number[]; a: number[] }[] = [];
  e.criticStep = (critic, optimizer, s, a, y, clip) => {
    seen.push({ critic, y: Array.from(y.dataSync()), a: Array.from(a.dataSync()) });
    return original(critic, optimizer, s, a, y, clip);
  };
  const batchSpy = learner.store.sampleBatch.bind(learner.store);
  let batch: ReturnType<typeof batchSpy> = [];
  learner.store.sampleBatch = (n, rng) => (batch = batchSpy(n, rng));
  try {
    learner.iteration();
  } finally {
    e.criticStep = original;
  }
  const { explore, modes } = learner.critics();
  assert.deepEqual(seen.map((x) => x.critic), [explore, ...modes], 'G0 first, then each mode, each with its own critic');
  const expected = rInt(TINY.batchSize);
  let row = 0;
  batch.forEach((g, k) => {
    for (let r = 0; r < g.size; r++, row++) {
      const want = expected[row] + (g.group === 0 ? 0 : g.reward[r]);
      assert.ok(Math.abs(seen[k].y[r] - want) < 1e-6, `group ${g.group} row ${r}: y ${seen[k].y[r]}, want ${want}`);
    }
  });
  learner.dispose();
});

test('checkpoint round trip: a learner restored from getState takes the same next vector step and acts the same', async () => {
  await initBackend('cpu');
  const a = new DdiffpgLearner(SPEC, TINY, 11);
  feedSuccesses(a, 4);
  assert.ok(a.numModes >= 1 && a.updates > 0);
  const b = new DdiffpgLearner(SPEC, TINY, 99);
  b.setState(structuredClone(a.getState()));
  assert.equal(b.numModes, a.numModes);
  assert.deepEqual(b.history, a.history);
  const step = [scriptedEpisode(-1, 8, true)[0], scriptedEpisode(1, 8, false)[0]];
  const sa = a.observeBatch(step, true);
  const sb = b.observeBatch(step, true);
  assert.ok(sa);
  assert.deepEqual(sb, sa, 'the same stats');
  const obs = Float32Array.of(0, -0.7, 0.3, 0.2);
  assert.deepEqual(Array.from(b.actBatch(obs, 'explore')), Array.from(a.actBatch(obs, 'explore')));
  assert.deepEqual(Array.from(b.actBatch(obs, 'eval')), Array.from(a.actBatch(obs, 'eval')));
  // The policy file alone reproduces the evaluation actions.
  const c = new DdiffpgLearner(SPEC, TINY, 5);
  const policy = a.getPolicyState();
  c.setPolicyState(structuredClone(policy));
  a.setPolicyState(structuredClone(policy));
  assert.deepEqual(Array.from(c.actBatch(obs, 'eval')), Array.from(a.actBatch(obs, 'eval')));
  assert.throws(() => c.setState({ kind: 'qvpo' }), /not a DDiffPG checkpoint \(kind qvpo\)/);
  assert.throws(() => c.setPolicyState({ kind: 'sac-policy', rng: new Rng(0).getState() } as never), /expected a policy state of kind "ddiffpg-policy"/);
  for (const l of [a, b, c]) l.dispose();
});

test('no tensor leak over many vector steps, updates, re-clusterings and actions', async () => {
  await initBackend('cpu');
  const learner = new DdiffpgLearner(SPEC, TINY, 3);
  feedSuccesses(learner, 4);
  const modes = learner.numModes;
  const before = tf.memory().numTensors;
  for (let i = 0; i < 8; i++) {
    feedSuccesses(learner, 1);
    learner.actBatch(Float32Array.of(0, -0.7, 0.1, 0.1), 'explore');
    learner.actBatch(Float32Array.of(0, -0.7), 'eval');
  }
  assert.ok(learner.history.length >= 4, 're-clustered along the way');
  assert.equal(learner.numModes, modes, 'same modes, so the same critics');
  assert.equal(tf.memory().numTensors, before, 'tensor count unchanged');
  learner.dispose();
});

test('the one-env Learner protocol needs numEnvs = 1; explore actions are random during warm-up, noisy and in the box after', async () => {
  await initBackend('cpu');
  const many = new DdiffpgLearner(SPEC, TINY, 0);
  assert.throws(() => many.act([0, 0], 'explore', 0), /one-env protocol \(numEnvs = 1, have 2\)/);
  assert.throws(() => many.actBatch(Float32Array.of(0, 0), 'explore'), /explore needs one row per env \(2\), got 1/);
  assert.throws(() => many.observeBatch([]), /expected 2 transitions/);
  many.dispose();
  const one = new DdiffpgLearner(SPEC, { ...TINY, numEnvs: 1, warmupVectorSteps: 2 }, 0);
  assert.equal(one.noiseStd[0], Math.fround((0.05 + 0.6) / 2), 'one env: the midpoint std');
  const episode = scriptedEpisode(1, 4, true);
  episode.forEach((t, k) => {
    const a = one.act(t.obs, 'explore', k);
    assert.ok(a.every((v) => v >= -1 && v <= 1));
    one.observe(t, k + 1, false);
  });
  assert.equal(one.vectorSteps, 4);
  assert.ok(one.updates > 0);
  one.dispose();
});

test('ModeArchive checkpoint: a restored archive re-clusters exactly as the original', () => {
  const make = () => new ModeArchive({ capacity: 20, threshold: 2.5, resampleLength: 10 });
  const a = make();
  const rng = new Rng(4);
  let id = 0;
  for (let i = 0; i < 12; i++) {
    const side = i % 2 ? 1 : -1;
    const n = 5 + (i % 3);
    const positions = Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? side * 0.1 * (k >> 1) : -0.7 + 0.2 * (k >> 1)));
    a.add({ id: id++, positions, dim: 2 }, i < 10);
  }
  a.recluster(rng);
  const b = make();
  b.setState(structuredClone(a.getState()));
  const rngB = new Rng(0);
  rngB.setState(rng.getState());
  assert.deepEqual(b.recluster(rngB), a.recluster(rng));
  assert.throws(() => b.setState({ kind: 'x' } as never), /not a mode-archive checkpoint/);
  assert.throws(() => new ModeArchive({ resampleLength: 0 }), /resampleLength must be a positive integer, got 0/);
});
