/**
 * Diffusion-QL's 2-D offline bandit (diffusion-ql-spec §7): a behaviour dataset of 10,000
 * actions, an equal mixture of four isotropic Gaussians (σ 0.05) at (±0.8, ±0.8) clipped to
 * [−1, 1]², each rewarded N(μ_corner, 0.5²) with μ = 3 (upper left), 0 (lower left), 1.5 (upper
 * right) and 5 (lower right, the best). The state is always (0, 0).
 *
 * Arms trained offline on the same data, each on the kit's own agents where it has them:
 *   bc-diffusion   the Diffusion-QL agent with η = 0: behaviour cloning by a diffusion policy
 *   diffusion-ql   the Diffusion-QL agent (L_bc + η·L_q through the chain)
 *   bc-gaussian    a state-conditioned Gaussian fitted by maximum likelihood (BC-MLE)
 *   gaussian-q     that Gaussian plus the normalised Q term (the paper's "TD3+BC"-like arm)
 *   qvpo           the kit's QVPO agent on the dataset: Q-weighted loss on its own samples, no
 *                  behaviour term (QVPO is an online method; this shows what it does offline)
 * Every arm's critic is regressed on the dataset rewards (each pull is terminal), as in the toy
 * code. The measure: where 1,000 plain policy samples land — the fraction within 0.2 of each
 * corner, and out of support (within 0.2 of none).
 */
import * as tf from '@tensorflow/tfjs';
import { DiffusionQlAgent } from '../agents/diffusion-ql/agent';
import { QvpoAgent } from '../agents/qvpo/agent';
import { Adam, gradientsOf } from '../nets/adam';
import { DoubleCritic } from '../nets/critic';
import { Mlp } from '../nets/mlp';
import { ReplayBuffer } from '../replay/buffer';
import { Rng } from '../util/rng';

export interface Corner {
  name: string;
  x: number;
  y: number;
  /** Mean reward of the corner's actions. */
  mean: number;
}

export const CORNERS: readonly Corner[] = [
  { name: 'upper left', x: -0.8, y: 0.8, mean: 3 },
  { name: 'lower left', x: -0.8, y: -0.8, mean: 0 },
  { name: 'upper right', x: 0.8, y: 0.8, mean: 1.5 },
  { name: 'lower right', x: 0.8, y: -0.8, mean: 5 },
];

/** The corner with the highest mean reward (lower right). */
export const BEST_CORNER = CORNERS.reduce((best, c, i) => (c.mean > CORNERS[best].mean ? i : best), 0);

export const CORNER_ARMS = ['bc-diffusion', 'diffusion-ql', 'bc-gaussian', 'gaussian-q', 'qvpo'] as const;
export type CornerArm = (typeof CORNER_ARMS)[number];

export interface CornerDataset {
  /** [x0, y0, x1, y1, …] in [−1, 1]². */
  actions: Float32Array;
  rewards: Float32Array;
  /** Which corner each action was drawn around. */
  corner: Int32Array;
}

const STATE_DIM = 2;
const ACT_DIM = 2;

/** `n` pulls, n/4 around each corner (spec: 2,500 of 10,000), actions N(corner, actionStd²) clipped, rewards N(μ, rewardStd²). */
export function cornerDataset(n: number, rng: Rng, actionStd = 0.05, rewardStd = 0.5): CornerDataset {
  if (!Number.isInteger(n) || n < CORNERS.length || n % CORNERS.length !== 0) {
    throw new Error(`corner dataset: n must be a positive multiple of ${CORNERS.length}, got ${n}`);
  }
  const actions = new Float32Array(n * ACT_DIM);
  const rewards = new Float32Array(n);
  const corner = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(i / (n / CORNERS.length));
    const c = CORNERS[k];
    actions[2 * i] = Math.max(-1, Math.min(1, c.x + actionStd * rng.normal()));
    actions[2 * i + 1] = Math.max(-1, Math.min(1, c.y + actionStd * rng.normal()));
    rewards[i] = c.mean + rewardStd * rng.normal();
    corner[i] = k;
  }
  return { actions, rewards, corner };
}

export interface CornerSummary {
  /** Fraction of samples within `radius` of each corner (CORNERS order). */
  perCorner: number[];
  /** Fraction within `radius` of no corner. */
  outOfSupport: number;
  /** perCorner[BEST_CORNER]. */
  best: number;
  /** Fraction of samples nearer to each corner than to any other (the mode a sample leans to, in support or not). */
  nearest: number[];
  /** Mean of the corners' reward means over the in-support samples (NaN if none). */
  inSupportReward: number;
}

/** Where samples [x0, y0, …] land relative to the four corners. */
export function cornerSummary(samples: ArrayLike<number>, radius = 0.2): CornerSummary {
  const n = samples.length / 2;
  const counts = CORNERS.map(() => 0);
  const nearestCounts = CORNERS.map(() => 0);
  let rewardSum = 0;
  let inSupport = 0;
  for (let i = 0; i < n; i++) {
    const distances = CORNERS.map((c) => Math.hypot(samples[2 * i] - c.x, samples[2 * i + 1] - c.y));
    nearestCounts[distances.indexOf(Math.min(...distances))]++;
    const k = distances.findIndex((d) => d <= radius);
    if (k < 0) continue;
    counts[k]++;
    inSupport++;
    rewardSum += CORNERS[k].mean;
  }
  const perCorner = counts.map((c) => c / n);
  return {
    perCorner,
    outOfSupport: 1 - inSupport / n,
    best: perCorner[BEST_CORNER],
    nearest: nearestCounts.map((c) => c / n),
    inSupportReward: inSupport > 0 ? rewardSum / inSupport : NaN,
  };
}

export interface CornerSettings {
  seed: number;
  /** Gradient steps. */
  steps: number;
  batchSize: number;
  datasetSize: number;
  hiddenWidth: number;
  hiddenLayers: number;
  /** Diffusion steps T of the diffusion arms. */
  diffusionSteps: number;
  /** η of diffusion-ql and gaussian-q. */
  eta: number;
  actorLr: number;
  criticLr: number;
  /** Through which reverse steps diffusion-ql's L_q flows. */
  chainGradient: 'all' | 'last';
  /** Policy samples measured (and kept for the scatter plots) at the end. */
  samples: number;
  /** Steps at which the curve gets a point (the best-corner and out-of-support fractions). */
  measureEvery: number;
  measureSamples: number;
}

export interface CornerRun {
  arm: CornerArm;
  seed: number;
  /** Final policy samples [x0, y0, …]. */
  samples: Float32Array;
  summary: CornerSummary;
  curve: { step: number; best: number; outOfSupport: number }[];
  seconds: number;
}

/** The dataset as a replay buffer of terminal pulls at the zero state. */
function datasetBuffer(data: CornerDataset): ReplayBuffer {
  const n = data.rewards.length;
  const buffer = new ReplayBuffer(n, STATE_DIM, ACT_DIM);
  const zero = new Float32Array(STATE_DIM);
  for (let i = 0; i < n; i++) buffer.add(zero, data.actions.subarray(2 * i, 2 * i + 2), data.rewards[i], zero, true);
  return buffer;
}

/** What each arm needs: one gradient step, and plain samples of its policy. */
interface ArmLearner {
  step(buffer: ReplayBuffer, step: number): void;
  sample(n: number): Float32Array;
  dispose(): void;
}

const SPEC = { obsDim: STATE_DIM, actDim: ACT_DIM, actionLow: [-1, -1], actionHigh: [1, 1] };

function diffusionArm(s: CornerSettings, eta: number): ArmLearner {
  const agent = new DiffusionQlAgent(
    SPEC,
    {
      diffusionSteps: s.diffusionSteps,
      hiddenWidth: s.hiddenWidth,
      hiddenLayers: s.hiddenLayers,
      batchSize: s.batchSize,
      actorLr: s.actorLr,
      criticLr: s.criticLr,
      eta,
      chainGradient: s.chainGradient,
      gradClipNorm: 0, // the toy clips nothing (spec §7)
    },
    s.seed,
  );
  return {
    step: (buffer, step) => void agent.update(buffer, step, false),
    // the toy samples one plain chain (no selection by Q)
    sample: (n) => agent.chainActions(new Float32Array(n * STATE_DIM), n),
    dispose: () => agent.dispose(),
  };
}

function qvpoArm(s: CornerSettings): ArmLearner {
  const agent = new QvpoAgent(
    SPEC,
    { diffusionSteps: s.diffusionSteps, hiddenWidth: s.hiddenWidth, hiddenLayers: s.hiddenLayers, batchSize: s.batchSize, actorLr: s.actorLr, criticLr: s.criticLr, trainSamples: 16, entropyAlpha: 0 },
    s.seed,
  );
  const rng = new Rng(s.seed + 1);
  return {
    step: (buffer, step) => void agent.update(buffer, step, false),
    sample: (n) =>
      tf.tidy(() => {
        const t = agent.policy.sample(tf.zeros([n, STATE_DIM]) as tf.Tensor2D, 1, rng, 'current');
        return Float32Array.from(t.dataSync() as Float32Array);
      }),
    dispose: () => agent.dispose(),
  };
}

/**
 * A state-conditioned diagonal Gaussian (mean and log-std heads, log-std in [−5, 2]) fitted by
 * maximum likelihood, plus η·L_q on a reparameterised sample when `eta` > 0 (L_q normalised by
 * the mean |Q| as Diffusion-QL's, the critic regressed on rewards).
 */
function gaussianArm(s: CornerSettings, eta: number): ArmLearner {
  const rng = new Rng(s.seed);
  const hidden = Array.from({ length: s.hiddenLayers }, () => s.hiddenWidth);
  const net = new Mlp([STATE_DIM, ...hidden, 2 * ACT_DIM], rng, { activation: 'mish' });
  const critic = new DoubleCritic(STATE_DIM, ACT_DIM, rng, { hidden });
  const actorOpt = new Adam(net.variables, { lr: s.actorLr });
  const criticOpt = new Adam(critic.variables, { lr: s.criticLr });
  const heads = (states: tf.Tensor2D) => {
    const out = net.apply(states);
    const mean = tf.slice(out, [0, 0], [-1, ACT_DIM]);
    const logStd = tf.clipByValue(tf.slice(out, [0, ACT_DIM], [-1, ACT_DIM]), -5, 2);
    return { mean, logStd };
  };
  return {
    step(buffer) {
      const batch = buffer.sample(s.batchSize, rng);
      const n = batch.size;
      const z = rng.normals(n * ACT_DIM);
      tf.tidy(() => {
        const states = tf.tensor2d(batch.obs, [n, STATE_DIM]);
        const actions = tf.tensor2d(batch.act, [n, ACT_DIM]);
        const y = tf.tensor2d(batch.reward, [n, 1]);
        const criticGrads = gradientsOf(() => {
          const [q1, q2] = critic.both(states, actions);
          return tf.add(tf.losses.meanSquaredError(y, q1), tf.losses.meanSquaredError(y, q2)) as tf.Scalar;
        }, critic.variables).grads;
        criticOpt.apply(criticGrads);
        const actorGrads = gradientsOf(() => {
          const { mean, logStd } = heads(states);
          // −log N(a; μ, σ²) up to its constant, averaged over rows and dims
          const nll = tf.mean(tf.add(logStd, tf.mul(0.5, tf.square(tf.div(tf.sub(actions, mean), tf.exp(logStd))))));
          if (eta === 0) return nll as tf.Scalar;
          const fresh = tf.clipByValue(tf.add(mean, tf.mul(tf.exp(logStd), tf.tensor2d(z, [n, ACT_DIM]))), -1, 1);
          const q = critic.min(states, fresh as tf.Tensor2D);
          const scale = tf.tensor(Math.max(1e-6, (tf.mean(tf.abs(q)).dataSync() as Float32Array)[0]));
          return tf.add(nll, tf.mul(eta, tf.div(tf.neg(tf.mean(q)), scale))) as tf.Scalar;
        }, net.variables).grads;
        actorOpt.apply(actorGrads);
      });
    },
    sample(n) {
      const z = rng.normals(n * ACT_DIM);
      return tf.tidy(() => {
        const { mean, logStd } = heads(tf.zeros([n, STATE_DIM]) as tf.Tensor2D);
        const a = tf.clipByValue(tf.add(mean, tf.mul(tf.exp(logStd), tf.tensor2d(z, [n, ACT_DIM]))), -1, 1);
        return Float32Array.from(a.dataSync() as Float32Array);
      });
    },
    dispose() {
      net.dispose();
      critic.dispose();
      actorOpt.dispose();
      criticOpt.dispose();
    },
  };
}

function armLearner(arm: CornerArm, s: CornerSettings): ArmLearner {
  switch (arm) {
    case 'bc-diffusion':
      return diffusionArm(s, 0);
    case 'diffusion-ql':
      return diffusionArm(s, s.eta);
    case 'bc-gaussian':
      return gaussianArm(s, 0);
    case 'gaussian-q':
      return gaussianArm(s, s.eta);
    case 'qvpo':
      return qvpoArm(s);
    default:
      throw new Error(`unknown corner-bandit arm "${String(arm)}": expected one of ${CORNER_ARMS.join(', ')}`);
  }
}

/** One arm on the dataset of seed `s.seed` (the same data for every arm of that seed). */
export function runCornerArm(arm: CornerArm, s: CornerSettings, onMeasure?: (point: { step: number; best: number; outOfSupport: number }) => void): CornerRun {
  const started = Date.now();
  const data = cornerDataset(s.datasetSize, new Rng(1000 + s.seed));
  const buffer = datasetBuffer(data);
  const learner = armLearner(arm, s);
  const curve: CornerRun['curve'] = [];
  try {
    for (let step = 0; step < s.steps; step++) {
      learner.step(buffer, step);
      if ((step + 1) % s.measureEvery === 0 && step + 1 < s.steps) {
        const m = cornerSummary(learner.sample(s.measureSamples));
        const point = { step: step + 1, best: m.best, outOfSupport: m.outOfSupport };
        curve.push(point);
        onMeasure?.(point);
      }
    }
    const samples = learner.sample(s.samples);
    const summary = cornerSummary(samples);
    curve.push({ step: s.steps, best: summary.best, outOfSupport: summary.outOfSupport });
    return { arm, seed: s.seed, samples, summary, curve, seconds: (Date.now() - started) / 1000 };
  } finally {
    learner.dispose();
  }
}
