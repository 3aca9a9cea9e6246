/**
 * Training steps on the ORT engine (forward, hand-written backward, global-norm clip, Adam in
 * one graph) equal the tfjs engine's (tfjs gradients): loss, gradient norm, parameters and
 * Adam moments after several steps, with and without weights, with QSM's regression target,
 * with the clip active and off. The backward pass is also checked against finite differences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DiffusionPolicy } from '../../lib/diffusion/policy';
import { LossNoise, diffusionLoss, drawLossNoise } from '../../lib/diffusion/ddpm';
import { Adam } from '../../lib/nets/adam';
import { DoubleCritic } from '../../lib/nets/critic';
import { OrtEngine } from '../../lib/engine/ort';
import { TfjsEngine } from '../../lib/engine/tfjs';
import type { ComputeEngine } from '../../lib/engine';
import { Rng } from '../../lib/util/rng';
import { BOTH, testOnBackends } from '../helpers/backends';
import { assertAllClose, assertClose } from '../helpers/numeric';

const TOL = 1e-5;
const flat = (vars: readonly tf.Variable[]) => vars.map((v) => Array.from(v.dataSync()));

function policyWith(width: number, diffusionSteps = 8) {
  return new DiffusionPolicy(5, 2, new Rng(11), {
    diffusionSteps,
    betaSchedule: 'cosine',
    hidden: [width, width],
    lr: 3e-3,
    adamEps: 1e-5,
    gradClipNorm: 0,
    noiseRatio: 1,
    clipDenoised: true,
  });
}

interface Case {
  name: string;
  maxNorm: number;
  weighted: boolean;
  target: boolean;
}
const CASES: Case[] = [
  { name: 'weighted, clip active', maxNorm: 1e-3, weighted: true, target: false },
  { name: 'unweighted, no clip', maxNorm: 0, weighted: false, target: false },
  { name: 'QSM target, clip inactive', maxNorm: 1e6, weighted: false, target: true },
];

testOnBackends('diffusion training steps: ORT equals tfjs (loss, norm, parameters, Adam moments)', BOTH, () => {
  const ort = new OrtEngine({ provider: 'cpu', threads: 1 });
  try {
    for (const c of CASES) {
      const results = new Map<string, { loss: number[]; norm: number[]; params: number[][]; moments: number[][] }>();
      for (const engine of [new TfjsEngine(), ort] as ComputeEngine[]) {
        const policy = policyWith(16);
        const rng = new Rng(5);
        const rows = 12;
        const record = { loss: [] as number[], norm: [] as number[], params: [] as number[][], moments: [] as number[][] };
        for (let step = 0; step < 3; step++) {
          const actions = tf.tensor2d(rng.uniforms(rows * 2, -1, 1), [rows, 2]);
          const states = tf.tensor2d(rng.normals(rows * 5), [rows, 5]);
          const weights = c.weighted ? tf.tensor1d(rng.uniforms(rows, 0, 2)) : null;
          const target = c.target ? tf.tensor2d(rng.normals(rows * 2), [rows, 2]) : undefined;
          const noise = drawLossNoise(rows, 2, policy.coef.T, rng);
          const r = engine.diffusionStep(policy.net, policy.coef, policy.optimizer, actions, states, weights, noise, c.maxNorm, target);
          record.loss.push(r.loss.dataSync()[0]);
          record.norm.push(r.gradNorm.dataSync()[0]);
          tf.dispose([actions, states, r.loss, r.gradNorm, ...(weights ? [weights] : []), ...(target ? [target] : [])]);
        }
        record.params = flat(policy.net.variables);
        record.moments = [...flat(policy.optimizer.moments.m), ...flat(policy.optimizer.moments.v)];
        assert.equal(policy.optimizer.steps, 3);
        results.set(engine.name, record);
        policy.dispose();
      }
      const [a, o] = [results.get('tfjs'), results.get('ort')] as NonNullable<ReturnType<typeof results.get>>[];
      assertAllClose(o.loss, a.loss, `${c.name}: loss per step`, TOL, TOL);
      assertAllClose(o.norm, a.norm, `${c.name}: gradient norm per step`, TOL, TOL);
      o.params.forEach((p, i) => assertAllClose(p, a.params[i], `${c.name}: parameter ${i} after 3 steps`, TOL, TOL));
      o.moments.forEach((p, i) => assertAllClose(p, a.moments[i], `${c.name}: Adam moment ${i}`, 1e-4, 1e-9));
    }
  } finally {
    ort.dispose();
  }
});

testOnBackends('critic training steps: ORT equals tfjs', BOTH, () => {
  const ort = new OrtEngine({ provider: 'cpu', threads: 1 });
  try {
    const results: Record<string, number[][]> = {};
    for (const engine of [new TfjsEngine(), ort] as ComputeEngine[]) {
      const critic = new DoubleCritic(6, 3, new Rng(2), { hidden: [16, 16] });
      const optimizer = new Adam(critic.variables, { lr: 3e-3, eps: 1e-5 });
      const rng = new Rng(9);
      const out: number[][] = [[], []];
      for (let step = 0; step < 3; step++) {
        const s = tf.tensor2d(rng.normals(10 * 6), [10, 6]);
        const a = tf.tensor2d(rng.uniforms(10 * 3, -1, 1), [10, 3]);
        const y = tf.tensor2d(rng.normals(10), [10, 1]);
        const r = engine.criticStep(critic, optimizer, s, a, y, step === 1 ? 0.05 : 2);
        out[0].push(r.loss.dataSync()[0]);
        out[1].push(r.gradNorm.dataSync()[0]);
        tf.dispose([s, a, y, r.loss, r.gradNorm]);
      }
      results[engine.name] = [...out, ...flat(critic.variables)];
      critic.dispose();
      optimizer.dispose();
    }
    results.ort.forEach((x, i) => assertAllClose(x, results.tfjs[i], i === 0 ? 'loss' : i === 1 ? 'gradient norm' : `parameter ${i - 2}`, TOL, TOL));
  } finally {
    ort.dispose();
  }
});

testOnBackends('DIPO action ascent: ORT equals tfjs (actions, norms per step, mean Q before and after)', BOTH, () => {
  const ort = new OrtEngine({ provider: 'cpu', threads: 1 });
  const cases = [
    { name: 'clip active', maxNorm: 0.05, lr: 0.03, steps: 5, tie: false },
    { name: 'no clip', maxNorm: 0, lr: 0.03, steps: 3, tie: false },
    { name: 'large steps reach the [−1, 1] clamp', maxNorm: 1e6, lr: 0.8, steps: 4, tie: false },
    // Q1 ≡ Q2: the gradient goes to Q1 alone (tf.minimum's rule), not to both heads
    { name: 'tied heads', maxNorm: 0.3, lr: 0.03, steps: 2, tie: true },
  ];
  try {
    for (const c of cases) {
      const got: Record<string, { actions: number[]; norms: number[]; q: number[] }> = {};
      for (const engine of [new TfjsEngine(), ort] as ComputeEngine[]) {
        const critic = new DoubleCritic(6, 3, new Rng(4), { hidden: [16, 16] });
        if (c.tie) critic.q2.variables.forEach((v, i) => v.assign(critic.q1.variables[i]));
        const rng = new Rng(13);
        const s = tf.tensor2d(rng.normals(10 * 6), [10, 6]);
        const start = rng.uniforms(10 * 3, -1, 1);
        const a = tf.tensor2d(start, [10, 3]);
        const r = engine.ascendActions(critic, s, a, { steps: c.steps, lr: c.lr, eps: 1e-5, maxNorm: c.maxNorm });
        got[engine.name] = { actions: Array.from(r.actions.dataSync()), norms: Array.from(r.gradNorms.dataSync()), q: [r.qBefore.dataSync()[0], r.qAfter.dataSync()[0]] };
        assert.deepEqual(r.actions.shape, [10, 3]);
        assert.deepEqual(Array.from(a.dataSync()), Array.from(start), `${c.name} [${engine.name}]: the start actions are not changed`);
        tf.dispose([s, a, r.actions, r.gradNorms, r.qBefore, r.qAfter]);
        critic.dispose();
      }
      const [t, o] = [got.tfjs, got.ort];
      assert.equal(o.norms.length, c.steps, `${c.name}: one norm per step`);
      assertAllClose(o.actions, t.actions, `${c.name}: improved actions`, 1e-5, 1e-5);
      assertAllClose(o.norms, t.norms, `${c.name}: gradient norm per step`, 1e-5, 1e-6);
      assertAllClose(o.q, t.q, `${c.name}: mean min(Q1,Q2) before and after`, 1e-5, 1e-6);
      assert.ok(o.actions.every((x) => x >= -1 && x <= 1), `${c.name}: actions stay in [−1, 1]`);
      assert.ok(o.q[1] > o.q[0], `${c.name}: the ascent raises mean min(Q1,Q2) (${o.q[0]} → ${o.q[1]})`);
    }
  } finally {
    ort.dispose();
  }
});

test('DIPO action ascent: the first step moves each action by lr against the sign of d(−Σ min Q)/da', () => {
  // Adam's first step is lr·m̂/(√v̂ + eps) = lr·g/(|g| + eps): ±lr per entry whatever the clip.
  // The sign comes from central differences of Σ min(Q1, Q2), one action entry at a time.
  const ort = new OrtEngine({ provider: 'cpu', threads: 1 });
  const critic = new DoubleCritic(4, 2, new Rng(8), { hidden: [8, 8] });
  const rng = new Rng(3);
  const states = tf.tensor2d(rng.normals(5 * 4), [5, 4]);
  const start = rng.uniforms(5 * 2, -0.5, 0.5);
  const sumMinQ = (a: Float32Array) => tf.tidy(() => tf.sum(critic.min(states, tf.tensor2d(a, [5, 2]))).dataSync()[0]);
  try {
    const a = tf.tensor2d(start, [5, 2]);
    const r = ort.ascendActions(critic, states, a, { steps: 1, lr: 0.01, eps: 1e-8, maxNorm: 0.1 });
    const moved = r.actions.dataSync();
    for (let i = 0; i < start.length; i++) {
      const up = Float32Array.from(start);
      const down = Float32Array.from(start);
      up[i] += 1e-2;
      down[i] -= 1e-2;
      const slope = (sumMinQ(up) - sumMinQ(down)) / 2e-2;
      if (Math.abs(slope) < 1e-3) continue; // too flat for a float32 difference to give the sign
      assertClose(moved[i] - start[i], 0.01 * Math.sign(slope), `action entry ${i}: step vs slope ${slope}`, 1e-3, 1e-5);
    }
    tf.dispose([a, r.actions, r.gradNorms, r.qBefore, r.qAfter]);
  } finally {
    ort.dispose();
    critic.dispose();
    states.dispose();
  }
});

test('the ORT backward pass matches finite differences of the loss', () => {
  // The step returns ‖∇L‖ before clipping (with lr 0 Adam moves nothing). On a tiny net,
  // central differences of the loss, one parameter at a time, give the same norm.
  const ort = new OrtEngine({ provider: 'cpu', threads: 1 });
  const policy = policyWith(6, 4);
  const rng = new Rng(21);
  const rows = 6;
  const actions = tf.tensor2d(rng.uniforms(rows * 2, -1, 1), [rows, 2]);
  const states = tf.tensor2d(rng.normals(rows * 5), [rows, 5]);
  const weights = tf.tensor1d(rng.uniforms(rows, 0.5, 1.5));
  const noise: LossNoise = drawLossNoise(rows, 2, policy.coef.T, rng);
  const loss = () => tf.tidy(() => diffusionLoss(policy.net, policy.coef, actions, states, noise, weights).dataSync()[0]);
  try {
    // Finite-difference gradient norm, one parameter at a time (float32: h = 1e-2 and a
    // loose tolerance; the exact agreement with tfjs's gradients is the test above).
    let sq = 0;
    for (const v of policy.net.variables) {
      const data = Float32Array.from(v.dataSync());
      for (let i = 0; i < data.length; i++) {
        const h = 1e-2;
        const orig = data[i];
        data[i] = orig + h;
        v.assign(tf.tensor(data, v.shape));
        const up = loss();
        data[i] = orig - h;
        v.assign(tf.tensor(data, v.shape));
        const down = loss();
        data[i] = orig;
        v.assign(tf.tensor(data, v.shape));
        sq += ((up - down) / (2 * h)) ** 2;
      }
    }
    policy.optimizer.lr = 0;
    const r = ort.diffusionStep(policy.net, policy.coef, policy.optimizer, actions, states, weights, noise, 0);
    assertClose(r.gradNorm.dataSync()[0], Math.sqrt(sq), 'gradient norm vs finite differences', 2e-2, 1e-6);
    assertClose(r.loss.dataSync()[0], loss(), 'loss', 1e-5, 1e-7);
    tf.dispose([r.loss, r.gradNorm]);
  } finally {
    ort.dispose();
    policy.dispose();
    tf.dispose([actions, states, weights]);
  }
});
