/**
 * DPMD's and SDAC's settings per task, each with its source: `code` = the official code,
 * mahaitongdae/diffusion_policy_online_rl at a50cf41 (scripts/train_mujoco.py flags and the
 * class defaults of relax/), as dpmd-spec §6.1 lists them. The script has no per-environment
 * settings, so every task runs the same ones. The paper's own tables could not be read here;
 * no number below is from the paper. Later commits of that repository change some of them (one
 * passes 4 particles to DPMD, another divides SDAC's Q by α alone): a50cf41 is the reference.
 */
import { HparamTable, Sourced, code, defineHparams, kit } from '../hparams';
import { RsmConfig, RsmObjective, dpmdSchema, sdacSchema } from './config';

const SCRIPT = 'scripts/train_mujoco.py';

/** Every default with its source; the three the two algorithms set differently come from `objective`. */
function defaultsFor(objective: RsmObjective): { [K in keyof RsmConfig]: Sourced<RsmConfig[K]> } {
  const dpmd = objective === 'dpmd';
  return {
    objective: code(objective, `${SCRIPT} --alg ${objective}`),
    gamma: code(0.99, 'relax/algorithm/dpmd.py, sdac.py: gamma'),
    tau: code(0.005, 'dpmd.py, sdac.py: tau, applied on delayed updates'),
    rewardScale: code(0.2, 'dpmd.py, sdac.py: reward_scale'),
    batchSize: code(256, 'relax/trainer/off_policy.py: batch_size'),
    criticLr: code(3e-4, `${SCRIPT} --lr (constant Adam for Q)`),
    actorLr: code(3e-4, `${SCRIPT} --lr`),
    actorLrEnd: code(3e-5, `${SCRIPT} --lr_schedule_end`),
    actorLrDecayStart: code(25_000, 'dpmd.py:57-63: linear_schedule transition_begin 2.5e4, counted in policy updates'),
    actorLrDecaySteps: code(50_000, 'dpmd.py:57-63: linear_schedule transition_steps 5e4'),
    adamEps: code(1e-8, 'optax.adam default eps (every optimiser)'),
    hiddenWidth: code(256, `${SCRIPT} --hidden_dim, --diffusion_hidden_dim`),
    hiddenLayers: code(3, `${SCRIPT} --hidden_num`),
    diffusionSteps: code(20, `${SCRIPT} --diffusion_steps`),
    betaSchedule: code('wide-linear', 'relax/utils/diffusion.py: linear β = linspace(1e-4, 0.999, T)'),
    betaScale: code(0.8, `${SCRIPT} --beta_schedule_scale (the library default is 0.3)`),
    initialNoiseStd: code(0.5, 'relax/utils/diffusion.py:107-121: x_T = 0.5·N(0, I)'),
    particles: code(32, 'relax/network/diffv2.py:41-83: num_particles 32 (best of N to act, for TD targets and policy samples)'),
    noiseScale: code(0.1, `${SCRIPT} --noise_scale: noise std 0.1·α`),
    initialAlpha: code(5, 'diffv2.py:120: log α starts at log 5'),
    alphaLr: code(7e-3, `${SCRIPT} --alpha_lr`),
    alphaUpdateEvery: code(250, `${SCRIPT} --delay_alpha_update`),
    targetEntropyPerDim: code(-0.9, 'diffv2.py:128: target entropy −0.9·act_dim'),
    policyDelay: code(2, 'dpmd.py, sdac.py: delay_update 2 (policy and targets)'),
    qClip: code(3, 'dpmd.py:129-142: clip(−3, 3)'),
    qNormalisation: kit('intended', "(q − μ)/σ, the formula the code means; dpmd.py computes q − μ/σ, an operator-precedence slip (--variant official-code runs it)"),
    qStatsRate: code(0.001, 'dpmd.py: running mean and std of Q move by 0.001 per update'),
    criticDoubleStep: dpmd
      ? kit(false, 'one Adam step per critic gradient; dpmd.py:123-126 and :182-183 apply each gradient twice, most likely a slip (--variant official-code runs it)')
      : code(false, 'sdac.py:209-210: one Adam step per critic gradient'),
    reverseSamples: code(64, 'sdac.py: reverse_mc_num = num_samples 64'),
    weightScale: code(5, 'sdac.py:128-168: q·5/α (5 = the initial α)'),
    replaySize: code(1_000_000, `${SCRIPT}: replay buffer of 1e6`),
    warmupSteps: kit(10_000, "the QVPO protocol's 10,000 random steps, as for every off-policy run here (the authors' script uses 30,000)"),
    updatesPerStep: code(1, 'relax/trainer/off_policy.py: one update per iteration'),
    updateEvery: code(5, `${SCRIPT} --num_vec_envs 5: each update follows one step of 5 envs (update-to-data 0.2)`),
    timeLimitAsTerminal: kit(false, "bootstraps through time-limit ends: the code's Gymnasium trainer keeps terminated and truncated apart (inferred)"),
  };
}

const SAME_ON_EVERY_TASK = { 'Hopper-v3': {}, 'Walker2d-v3': {}, 'Ant-v3': {}, 'HalfCheetah-v3': {}, 'Humanoid-v3': {} };

export const DPMD_HPARAMS: HparamTable<RsmConfig> = defineHparams(dpmdSchema, {
  algo: 'dpmd',
  summary: "DPMD as the official code runs it, on every task, with the weight's normalisation as intended ((q − μ)/σ) and one critic step per gradient; beyond the QVPO paper.",
  defaults: defaultsFor('dpmd'),
  tasks: SAME_ON_EVERY_TASK,
});

export const SDAC_HPARAMS: HparamTable<RsmConfig> = defineHparams(sdacSchema, {
  algo: 'sdac',
  summary: 'SDAC as the official code runs it, on every task; beyond the QVPO paper.',
  defaults: defaultsFor('sdac'),
  tasks: SAME_ON_EVERY_TASK,
});

/**
 * The code's schedules, which count updates, scaled to a shorter run so that they keep their
 * shape (as QVPO's ω_ent decay does in the same profiles). Over its 1M env steps at one update
 * per 5 the code makes 200k updates, 100k of them policy updates: α steps every 250 updates
 * (its drift from 5 to ≈ 0.98 takes ≈ 58k of them), the policy learning rate is flat for the
 * first quarter of the policy updates and falls over the next half.
 */
function schedulesForBudget(totalSteps: number, warmupSteps: number): Partial<RsmConfig> {
  const updates = (totalSteps - warmupSteps) / 5;
  const policyUpdates = updates / 2;
  return {
    alphaUpdateEvery: Math.max(1, Math.round((250 * updates) / 200_000)),
    actorLrDecayStart: Math.round(policyUpdates / 4),
    actorLrDecaySteps: Math.max(1, Math.round(policyUpdates / 2)),
  };
}

/**
 * Reduced settings of the non-paper profiles (each listed in every run's paperDiff): the same
 * network, batch and warm-up reductions as the other diffusion agents, fewer particles and
 * reverse samples where their cost needs it, and the schedules fitted to the budget.
 */
export const RSM_PROFILE_OVERRIDES: Readonly<Record<'smoke' | 'quick' | 'medium' | 'paper', Partial<RsmConfig>>> = {
  smoke: { hiddenWidth: 32, hiddenLayers: 2, batchSize: 16, warmupSteps: 100, particles: 4, reverseSamples: 4, ...schedulesForBudget(300, 100) },
  quick: { hiddenWidth: 64, batchSize: 64, warmupSteps: 5_000, ...schedulesForBudget(20_000, 5_000) },
  medium: { hiddenWidth: 64, batchSize: 64, warmupSteps: 5_000, ...schedulesForBudget(100_000, 5_000) },
  paper: {},
};
