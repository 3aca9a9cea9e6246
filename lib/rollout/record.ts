/**
 * Recording one evaluation episode of a finished run (its policy.bin) for replay: per frame
 * (one frame per env step, the state the step left) every body's world position and
 * orientation as MuJoCo left them (data.xpos / data.xquat), the action, the reward and its
 * terms from the env's info; plus the model's geoms (type, size, pose in the body frame, rgba)
 * so a viewer can draw the bodies without MuJoCo.
 *
 * The episode is the one `qvpo-kit eval` runs first with the same seed option: by default the
 * first episode of the run's final evaluation (same reset seed, same policy generator), so
 * its return equals that episode's return.
 *
 * Nothing here calls mj_forward or mj_kinematics: that would change the kinematic fields the
 * next step's reward reads (lib/envs/mujoco/base.ts), and the episode would differ from the
 * evaluation's. xpos/xquat are therefore those of MuJoCo's last evaluation inside mj_step, up
 * to one sub-step behind qpos — invisible at replay speed.
 */
import { MujocoEnv } from '../envs/mujoco/base';
import { MjModel } from '../envs/mujoco/loader';
import { episodeSeeds, openPolicy } from '../runner/policy-eval';

/** MuJoCo's geom type numbers (mjtGeom) for the shapes a viewer draws. */
const GEOM_TYPES: Record<number, GeomType> = { 0: 'plane', 2: 'sphere', 3: 'capsule', 4: 'ellipsoid', 5: 'cylinder', 6: 'box' };
export type GeomType = 'plane' | 'sphere' | 'capsule' | 'ellipsoid' | 'cylinder' | 'box';

/** The reward terms in every MuJoCo task's info (docs/envs.md): reward = forward + healthy − ctrl − contact. */
export const REWARD_TERMS = ['forward_reward', 'healthy_reward', 'ctrl_cost', 'contact_cost'] as const;

export interface RolloutGeom {
  name: string;
  type: GeomType;
  /** Index of the body the geom moves with (0: the world). */
  body: number;
  /** MuJoCo's geom_size: radius / half-lengths, by type. */
  size: [number, number, number];
  /** Pose in the body's frame; quaternions are (w, x, y, z) as in MuJoCo. */
  pos: [number, number, number];
  quat: [number, number, number, number];
  rgba: [number, number, number, number];
}

export interface RolloutRecording {
  format: 'qvpo-kit-rollout';
  version: 1;
  run: { dir: string; algo: string; env: string; seed: number; label: string; variant: string | null; policyStep: number };
  /** The reset seed of the episode, and whether it is the run's final evaluation (no seed given). */
  episode: { resetSeed: number; seed: number | null; replaysFinalEvaluation: boolean };
  /** Seconds of simulated time per frame. */
  dt: number;
  bodies: { name: string; parent: number }[];
  /** The body the camera follows (`torso` where the model has one). */
  torso: number;
  geoms: RolloutGeom[];
  /** Geoms of other types (meshes, height fields) are not drawn; how many there were. */
  skippedGeoms: number;
  frames: number;
  /** World positions, [frame][body][x, y, z] flattened, rounded to 10 µm. */
  xpos: number[];
  /** World orientations, [frame][body][w, x, y, z] flattened, rounded to 1e-5. */
  xquat: number[];
  /** The action sent to the env at each frame's step (env units). */
  actions: number[][];
  rewards: number[];
  /** Each reward term of REWARD_TERMS the env reports, per frame. */
  terms: Record<string, number[]>;
  return: number;
  terminated: boolean;
  truncated: boolean;
  /** Stopped by maxSteps before the episode ended. */
  cut: boolean;
}

export interface RecordOptions {
  /** Fresh episode from this seed instead of the final evaluation's first (see policy-eval.ts). */
  seed?: number;
  /** Stop after this many steps (default: the run's episode time limit). */
  maxSteps?: number;
}

const MAX_STEPS = 100_000;
const round = (v: number, digits: number) => Math.round(v * digits) / digits;

/** Name of entry `i` in MuJoCo's packed, NUL-separated names buffer. */
function nameAt(model: MjModel, adr: Int32Array, i: number): string {
  const names = model.names;
  let s = '';
  for (let k = adr[i]; k < names.length && names[k] !== 0; k++) s += String.fromCharCode(names[k]);
  return s;
}

function geomsOf(model: MjModel): { geoms: RolloutGeom[]; skipped: number } {
  const type = model.geom_type;
  const size = model.geom_size;
  const pos = model.geom_pos;
  const quat = model.geom_quat;
  const rgba = model.geom_rgba;
  const body = model.geom_bodyid;
  const geoms: RolloutGeom[] = [];
  let skipped = 0;
  for (let g = 0; g < model.ngeom; g++) {
    const kind = GEOM_TYPES[type[g]];
    if (!kind) {
      skipped++;
      continue;
    }
    geoms.push({
      name: nameAt(model, model.name_geomadr, g),
      type: kind,
      body: body[g],
      size: [size[3 * g], size[3 * g + 1], size[3 * g + 2]],
      pos: [pos[3 * g], pos[3 * g + 1], pos[3 * g + 2]],
      quat: [quat[4 * g], quat[4 * g + 1], quat[4 * g + 2], quat[4 * g + 3]],
      rgba: [rgba[4 * g], rgba[4 * g + 1], rgba[4 * g + 2], rgba[4 * g + 3]].map((v) => round(v, 1e4)) as RolloutGeom['rgba'],
    });
  }
  return { geoms, skipped };
}

/** Runs one evaluation episode of the run in `runDir` and records it frame by frame. */
export async function recordRollout(runDir: string, options: RecordOptions = {}): Promise<RolloutRecording> {
  const maxSteps = options.maxSteps;
  if (maxSteps !== undefined && (!Number.isSafeInteger(maxSteps) || maxSteps < 1 || maxSteps > MAX_STEPS)) {
    throw new Error(`maxSteps must be a whole number from 1 to ${MAX_STEPS}, got ${JSON.stringify(maxSteps)}`);
  }
  const opened = await openPolicy(runDir, options.seed === undefined ? {} : { seed: options.seed });
  try {
    const { env, learner, contents } = opened;
    if (!(env instanceof MujocoEnv)) throw new Error(`rollout records MuJoCo tasks; ${contents.env} (run ${runDir}) is not one`);
    const { model, data } = env.physics;
    const nbody = model.nbody;
    const bodies = Array.from({ length: nbody }, (_, b) => ({ name: nameAt(model, model.name_bodyadr, b) || (b === 0 ? 'world' : `body ${b}`), parent: model.body_parentid[b] }));
    const named = bodies.findIndex((b) => b.name === 'torso');
    const torso = named >= 0 ? named : Math.min(1, nbody - 1);
    const { geoms, skipped } = geomsOf(model);
    const resetSeed = episodeSeeds(contents, { episodes: 1, ...(options.seed === undefined ? {} : { seed: options.seed }) })[0];
    const limit = maxSteps ?? contents.protocol.maxEpisodeSteps;

    const recording: RolloutRecording = {
      format: 'qvpo-kit-rollout',
      version: 1,
      run: { dir: runDir, algo: contents.algo, env: contents.env, seed: contents.seed, label: contents.label, variant: contents.variant, policyStep: contents.finalEvaluation.step },
      episode: { resetSeed, seed: options.seed ?? null, replaysFinalEvaluation: options.seed === undefined },
      dt: env.dt,
      bodies,
      torso,
      geoms,
      skippedGeoms: skipped,
      frames: 0,
      xpos: [],
      xquat: [],
      actions: [],
      rewards: [],
      terms: {},
      return: 0,
      terminated: false,
      truncated: false,
      cut: false,
    };
    let { obs } = env.reset({ seed: resetSeed });
    for (let step = 0; step < limit; step++) {
      const action = learner.act(obs, 'eval', 0);
      for (let i = 0; i < action.length; i++) {
        if (!Number.isFinite(action[i])) throw new Error(`the policy gave action[${i}] = ${action[i]} at step ${step + 1}`);
      }
      const r = env.step(action);
      // Fresh views each time: WASM memory may have grown since the last read.
      const xpos = data.xpos;
      const xquat = data.xquat;
      for (let i = 0; i < 3 * nbody; i++) recording.xpos.push(round(xpos[i], 1e5));
      for (let i = 0; i < 4 * nbody; i++) recording.xquat.push(round(xquat[i], 1e5));
      recording.actions.push(Array.from(action, (a) => round(a, 1e5)));
      recording.rewards.push(r.reward);
      for (const term of REWARD_TERMS) {
        const v = r.info[term];
        if (typeof v === 'number') (recording.terms[term] ??= []).push(v);
      }
      recording.return += r.reward;
      recording.frames++;
      obs = r.obs;
      if (r.terminated || r.truncated) {
        recording.terminated = r.terminated;
        recording.truncated = r.truncated;
        break;
      }
    }
    recording.cut = !recording.terminated && !recording.truncated;
    return recording;
  } finally {
    opened.close();
  }
}
