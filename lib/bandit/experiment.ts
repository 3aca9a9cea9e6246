/**
 * The Figure 2 experiment: QVPO (the same agent the MuJoCo runs use) on the three-peak
 * bandit, with and without the diffusion entropy term.
 *
 * A run: fit the initial diffusion policy to a Gaussian blob away from the best peak
 * (so exploration matters), take a few warm-up pulls with it, then alternate
 * `pullsPerIteration` behaviour pulls and one QVPO update. Along the way it records policy
 * samples at chosen iterations (the 2 × 4 panels) and a curve of per-peak visit fractions,
 * explored-area coverage and rewards.
 */
import * as tf from '@tensorflow/tfjs';
import { QvpoAgent } from '../agents/qvpo/agent';
import { QvpoConfig } from '../agents/qvpo/config';
import { Peak, ThreePeakBandit, banditMaxReward, banditReward } from '../envs/bandit';
import { ReplayBuffer } from '../replay/buffer';
import { Rng } from '../util/rng';

export interface BanditSettings {
  seed: number;
  /** QVPO updates (one per iteration). */
  iterations: number;
  /** Behaviour-policy pulls stored before each update. */
  pullsPerIteration: number;
  /** Pulls of the initial policy stored before the first update. */
  warmupPulls: number;
  /** Steps of unweighted diffusion loss that fit the initial policy to the blob. */
  pretrainSteps: number;
  /** The initial policy's blob: N(initMean, initStd² I), clipped to the square. */
  initMean: [number, number];
  initStd: number;
  peaks: Peak[];
  /** QVPO settings for the toy (anything not given: the official defaults). */
  agent: Partial<QvpoConfig>;
  /** Iterations whose policy samples are kept for the panels (0 = the initial policy). */
  snapshotAt: number[];
  snapshotSamples: number;
  /** Every how many iterations the curve gets a point. */
  measureEvery: number;
  /** Policy samples per curve point (visit fractions, coverage, sample reward). */
  measureSamples: number;
  /** Evaluation-policy pulls per curve point. */
  evalPulls: number;
  /** A sample within this distance of a peak counts as visiting it. */
  visitRadius: number;
  /** Coverage grid: cells per side over [−1, 1]². */
  coverageCells: number;
}

export interface CurvePoint {
  iteration: number;
  /** Fraction of policy samples within visitRadius of each peak (in peak order). */
  visit: number[];
  /** Fraction of coverage-grid cells holding at least one policy sample. */
  coverage: number;
  /** Mean reward of plain policy samples. */
  sampleReward: number;
  /** Mean reward of the evaluation policy (best of evalSamples under the critic). */
  evalReward: number;
  /** ω_ent in use at this point. */
  entropyAlpha: number;
}

export interface Snapshot {
  iteration: number;
  /** [x0, y0, x1, y1, ...] policy samples. */
  samples: Float32Array;
}

export interface BanditRun {
  settings: BanditSettings;
  maxReward: number;
  snapshots: Snapshot[];
  curve: CurvePoint[];
  seconds: number;
}

const ZERO_OBS = new Float32Array(1);

/** Plain samples of the current policy (no critic selection), as [x0, y0, ...]. */
export function policySamples(agent: QvpoAgent, n: number, rng: Rng): Float32Array {
  const t = tf.tidy(() => agent.policy.sample(tf.zeros([1, 1]) as tf.Tensor2D, n, rng));
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
}

export function visitFractions(samples: Float32Array, peaks: readonly Peak[], radius: number): number[] {
  const n = samples.length / 2;
  return peaks.map((p) => {
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const dx = samples[2 * i] - p.x;
      const dy = samples[2 * i + 1] - p.y;
      if (dx * dx + dy * dy <= radius * radius) hits++;
    }
    return hits / n;
  });
}

export function coverage(samples: Float32Array, cells: number): number {
  const seen = new Uint8Array(cells * cells);
  const cell = (v: number) => Math.min(cells - 1, Math.max(0, Math.floor(((v + 1) / 2) * cells)));
  for (let i = 0; i < samples.length; i += 2) seen[cell(samples[i]) * cells + cell(samples[i + 1])] = 1;
  return seen.reduce((a, b) => a + b, 0) / seen.length;
}

function meanReward(peaks: readonly Peak[], xy: Float32Array): number {
  let s = 0;
  for (let i = 0; i < xy.length; i += 2) s += banditReward(peaks, xy[i], xy[i + 1]);
  return s / (xy.length / 2);
}

export function runBandit(settings: BanditSettings, onPoint?: (p: CurvePoint) => void): BanditRun {
  const started = performance.now();
  const s = settings;
  const env = new ThreePeakBandit(s.peaks);
  const agent = new QvpoAgent(
    { obsDim: 1, actDim: 2, actionLow: [-1, -1], actionHigh: [1, 1] },
    { warmupSteps: s.warmupPulls, ...s.agent },
    s.seed,
  );
  const rng = new Rng((s.seed * 7919 + 17) >>> 0);
  const buffer = new ReplayBuffer(agent.config.replaySize, 1, 2);
  const snapshots: Snapshot[] = [];
  const curve: CurvePoint[] = [];
  try {
    pretrainInitialPolicy(agent, s, rng);

    let pulls = 0;
    const pull = (n: number) => {
      const actions = agent.actBatch(new Float32Array(n), n, 'behaviour');
      for (let i = 0; i < n; i++) {
        const a = actions.subarray(2 * i, 2 * i + 2);
        const { reward } = env.step(a);
        buffer.add(ZERO_OBS, agent.toPolicyUnits(a), reward, ZERO_OBS, true);
      }
      pulls += n;
    };

    const measure = (iteration: number) => {
      if (s.snapshotAt.includes(iteration)) {
        snapshots.push({ iteration, samples: policySamples(agent, s.snapshotSamples, rng) });
      }
      if (iteration % s.measureEvery !== 0 && iteration !== s.iterations) return;
      const samples = policySamples(agent, s.measureSamples, rng);
      const evalActions = agent.actBatch(new Float32Array(s.evalPulls), s.evalPulls, 'eval');
      const point: CurvePoint = {
        iteration,
        visit: visitFractions(samples, s.peaks, s.visitRadius),
        coverage: coverage(samples, s.coverageCells),
        sampleReward: meanReward(s.peaks, samples),
        evalReward: meanReward(s.peaks, evalActions),
        entropyAlpha: agent.entropyAlpha,
      };
      curve.push(point);
      onPoint?.(point);
    };

    pull(s.warmupPulls);
    measure(0);
    for (let it = 1; it <= s.iterations; it++) {
      pull(s.pullsPerIteration);
      agent.update(buffer, pulls);
      measure(it);
    }
    return { settings: s, maxReward: banditMaxReward(s.peaks).value, snapshots, curve, seconds: (performance.now() - started) / 1000 };
  } finally {
    agent.dispose();
    env.close();
  }
}

/**
 * Places the initial policy's mass on the blob: unweighted diffusion loss on blob samples,
 * then a fresh optimiser state and target copy so the RL phase starts clean.
 */
function pretrainInitialPolicy(agent: QvpoAgent, s: BanditSettings, rng: Rng): void {
  const batch = 256;
  const states = tf.zeros([batch, 1]) as tf.Tensor2D;
  for (let i = 0; i < s.pretrainSteps; i++) {
    const xy = new Float32Array(batch * 2);
    for (let k = 0; k < batch; k++) {
      xy[2 * k] = Math.min(1, Math.max(-1, s.initMean[0] + s.initStd * rng.normal()));
      xy[2 * k + 1] = Math.min(1, Math.max(-1, s.initMean[1] + s.initStd * rng.normal()));
    }
    const actions = tf.tensor2d(xy, [batch, 2]);
    const { loss, gradNorm } = agent.policy.trainStep(actions, states, null, rng);
    tf.dispose([actions, loss, gradNorm]);
  }
  states.dispose();
  agent.policy.optimizer.reset();
  agent.policy.syncTarget();
}
