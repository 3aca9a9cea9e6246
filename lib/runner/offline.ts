/**
 * Offline training runs: an off-policy algorithm learns from a dataset (lib/datasets) alone, with
 * no env interaction while it trains, then is evaluated online like any run.
 *
 *   - The plan comes from planOfflineRun (plan.ts): the run lives in
 *     `<root>/<label>/<algo>/<env>/offline-<dataset>/seed-<n>/`, outside what Table 1 reads.
 *   - The learner is `algorithm(id).create(spec, config, seed)`; it must be an OffPolicyLearner.
 *     The dataset's transitions go into its replay buffer in order: actions converted with
 *     `agent.toPolicyUnits`, done = terminals only (time-limit ends bootstrap, as D4RL's
 *     not_done = 1 − terminals). The buffer holds the whole dataset (replaySize ≥ N).
 *   - A step is one gradient step: `agent.update(buffer, step, wantStats)` (the step is passed
 *     where online runs pass the env step, e.g. to QVPO's entropy schedule). The protocol's
 *     totalSteps, evalInterval and checkpointInterval count these steps; warmupSteps,
 *     updatesPerStep and updateEvery do not apply.
 *   - Evaluations are the runner's (evaluate(), the same reset seeds as online runs); eval.csv
 *     gets a `normalised_score` column from the dataset's reference returns (blank when the
 *     dataset has none, as a random dataset). train.csv gets a row every
 *     min(1000, evalInterval) steps: step, wall_seconds, steps_per_second (gradient steps) and
 *     the learner's stats.
 *   - Checkpoints hold the agent (networks, optimisers, generators) and the counters, not the
 *     dataset: a resume reads the dataset again and checks its SHA-256 against the run's
 *     config.json. They are taken every checkpointInterval steps at the next safe point (every
 *     50 steps), where SIGINT/SIGTERM also stop the run. Everything else — lock, status,
 *     diverged, policy.bin, refusing other settings — is runSession's, as for online runs.
 */
import { OffPolicyLearner } from '../agents/off-policy';
import { algorithm } from '../agents/registry';
import { readDataset } from '../datasets/format';
import { hasScoreReference, normalisedScore } from '../datasets/score';
import { RunPlan } from './plan';
import { RunDriver, TrainOptions, TrainOutcome, runSession } from './train';

/** Gradient steps between train.csv rows (at most; evalInterval when smaller). */
export const OFFLINE_ROW_INTERVAL = 1000;
/** Gradient steps between safe points (signals, checkpoints). */
export const OFFLINE_SAFE_POINT_INTERVAL = 50;

interface OfflineState {
  kind: 'offline';
  /** The data the buffer was filled from. */
  datasetSha256: string;
  agent: unknown;
  /** DIPO's improved actions (the only part of the buffer an agent changes). */
  improved?: Float32Array;
}

export async function trainOffline(plan: RunPlan, options: TrainOptions = {}): Promise<TrainOutcome> {
  const ref = plan.dataset;
  if (!ref) throw new Error('trainOffline needs the plan of an offline run (planOfflineRun), which names its dataset');
  const { protocol } = plan;
  const entry = algorithm(plan.algo);
  const rowEvery = Math.min(OFFLINE_ROW_INTERVAL, protocol.evalInterval);
  const scored = hasScoreReference(ref.reference);
  const offPolicy = (learner: unknown): OffPolicyLearner => {
    if (!(learner instanceof OffPolicyLearner)) throw new Error(`offline training needs an off-policy algorithm: ${plan.algo} is on-policy`);
    return learner;
  };

  const driver: RunDriver = {
    label: `offline ${ref.name}`,
    safePointName: 'safe point',
    checkPrevious(previous, configFile) {
      const had = previous?.dataset as { sha256?: unknown; path?: unknown } | undefined;
      if (previous && !had) throw new Error(`${configFile} is not an offline run's (it names no dataset); start again with --fresh`);
      if (had && had.sha256 !== ref.sha256) {
        throw new Error(
          `dataset ${ref.path} changed since this run started: its data SHA-256 is now ${ref.sha256.slice(0, 16)}…, the run was trained on ` +
            `${String(had.sha256).slice(0, 16)}… (${configFile}, dataset ${String(had.path)}). Put that dataset back, or start again with --fresh`,
        );
      }
    },
    trainColumns: ['step', 'wall_seconds', 'steps_per_second', ...entry.statNames],
    evalColumns: ['normalised_score'],
    evalCells: (res) => ({ normalised_score: scored ? normalisedScore(res.mean, ref.reference) : null }),
    prepare(learner) {
      const off = offPolicy(learner);
      const data = readDataset(ref.path, { env: plan.env });
      if (data.manifest.data.sha256 !== ref.sha256) {
        throw new Error(`dataset ${ref.path} changed while the run was being planned (SHA-256 ${data.manifest.data.sha256.slice(0, 16)}…, planned ${ref.sha256.slice(0, 16)}…); run the command again`);
      }
      const n = data.manifest.size;
      if (off.buffer.capacity < n) throw new Error(`replaySize ${off.buffer.capacity} is smaller than the dataset (${n} transitions); planOfflineRun sets it`);
      const { obsDim, actDim } = data.manifest;
      for (let i = 0; i < n; i++) {
        off.buffer.add(
          data.observations.subarray(i * obsDim, (i + 1) * obsDim),
          off.agent.toPolicyUnits(data.actions.subarray(i * actDim, (i + 1) * actDim)),
          data.rewards[i],
          data.next_observations.subarray(i * obsDim, (i + 1) * obsDim),
          data.terminals[i] === 1,
        );
      }
    },
    learnerState(learner) {
      const off = offPolicy(learner);
      const state: OfflineState = { kind: 'offline', datasetSha256: ref.sha256, agent: off.agent.getState() };
      if (off.agent.improvesStoredActions) state.improved = off.buffer.gatherImproved(Int32Array.from({ length: off.buffer.size }, (_, i) => i));
      return state;
    },
    setLearnerState(learner, state) {
      const off = offPolicy(learner);
      const s = state as Partial<OfflineState> | null;
      if (s?.kind !== 'offline') throw new Error(`${plan.dir}: the checkpoint is not an offline run's (kind ${JSON.stringify(s?.kind ?? null)}); start again with --fresh`);
      if (s.datasetSha256 !== ref.sha256) {
        throw new Error(`${plan.dir}: the checkpoint was trained on data ${String(s.datasetSha256).slice(0, 16)}…, the dataset ${ref.path} is ${ref.sha256.slice(0, 16)}…; start again with --fresh`);
      }
      off.agent.setState(s.agent);
      if (s.improved) off.buffer.setImproved(Int32Array.from({ length: off.buffer.size }, (_, i) => i), s.improved);
    },
    async loop(session) {
      const { counters: c } = session;
      const off = offPolicy(session.learner);
      let lastRow = { t: session.wall(), step: c.step };
      while (c.step < protocol.totalSteps) {
        const step = c.step + 1;
        const row = step % rowEvery === 0 || step === protocol.totalSteps;
        const stats = off.agent.update(off.buffer, step, row);
        c.step = step;
        if (stats) session.checkStats(stats);
        if (step % protocol.evalInterval === 0 || step === protocol.totalSteps) session.evaluateNow();
        if (row) {
          const t = session.wall();
          const rate = (step - lastRow.step) / Math.max(t - lastRow.t, 1e-9);
          lastRow = { t, step };
          session.trainRow({ step, wall_seconds: Math.round(t * 10) / 10, steps_per_second: Math.round(rate * 10) / 10, ...(stats ?? {}) });
        }
        if (step % OFFLINE_SAFE_POINT_INTERVAL === 0 || row) {
          const request = await session.safePoint();
          if (request) return request;
        }
        session.tick(0);
        if (options.stopAfterSteps !== undefined && step >= options.stopAfterSteps && step < protocol.totalSteps) return 'stopped';
      }
      return 'done';
    },
  };
  return runSession(plan, options, driver);
}
