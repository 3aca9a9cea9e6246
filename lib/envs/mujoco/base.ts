/**
 * The machinery shared by the gym-v3 MuJoCo locomotion envs (gym's `MujocoEnv` for mujoco-py):
 * model loading, frame-skip stepping, reset with noise in `set_state` style, the time limit,
 * lifecycle checks, and cached typed-array views into WASM memory.
 *
 * Step, as in gym v3: read the "before" position, write the raw action into `data.ctrl` (no
 * clipping; MuJoCo clamps the force internally, ctrl keeps the raw value), call `mj_step`
 * frame_skip times, then compute reward, termination and observation from the state MuJoCo
 * leaves behind — with no extra `mj_forward`, so kinematic fields (xpos, xipos, cinert, cvel,
 * qfrc_actuator) are the values of the last evaluation inside `mj_step`, exactly as mujoco-py
 * returned them. `mj_rnePostConstraint` is called once after the sub-steps only when
 * `computeContactForces` is set (gym v4 behaviour); otherwise `cfrc_ext` stays zero, as under
 * mujoco-py 2.x.
 *
 * Reset: `mj_resetData`, then qpos = qpos0 + noise and qvel = noise written straight into MjData,
 * then `mj_forward` (= mujoco-py's `set_state`).
 *
 * Efficiency: all arrays are read through views cached per env and refreshed only when WASM
 * memory has grown (a detached view has length 0). A step allocates the returned observation,
 * the info object and the result object, nothing else.
 */

import { randomInt } from 'node:crypto';
import { BoxSpace, Env, EnvInfo, ResetOptions, ResetResult, StepResult, boxSpace, checkAction } from '../types';
import { Rng } from '../../util/rng';
import { MjData, MjModel, MujocoModule, loadModelFile } from './loader';
import { CommonMujocoOptions, MujocoTask, MujocoVersion, TASKS, TaskConstants, TaskParamsMap } from './specs';

export interface MujocoEnvConfig<T extends MujocoTask> {
  /** Registry id, e.g. 'Hopper-v3'. */
  id: string;
  task: T;
  version: MujocoVersion;
  common: CommonMujocoOptions;
  params: TaskParamsMap[T];
}

/** Low-level access to the simulator, for tests and benchmarks. */
export interface MujocoPhysics {
  mj: MujocoModule;
  model: MjModel;
  data: MjData;
}

type Phase = 'needs-reset' | 'running' | 'ended' | 'closed';

const EMPTY = new Float64Array(0);

export function clip(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

export function sumOfSquares(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

export abstract class MujocoEnv<T extends MujocoTask> implements Env {
  readonly id: string;
  readonly task: T;
  readonly version: MujocoVersion;
  /** Task parameters in force (gym's constructor arguments). */
  readonly params: Readonly<TaskParamsMap[T]>;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  readonly maxEpisodeSteps: number | null;
  /** MuJoCo sub-steps per env step. */
  readonly frameSkip: number;
  /** Seconds per env step: timestep × frameSkip. */
  readonly dt: number;
  /** Whether mj_rnePostConstraint runs after each env step (real cfrc_ext; gym v4). */
  readonly computeContactForces: boolean;

  protected readonly constants: TaskConstants;
  protected readonly mj: MujocoModule;
  protected readonly nq: number;
  protected readonly nv: number;
  protected readonly nu: number;
  protected readonly nbody: number;
  /** qpos0 of the compiled model (gym's init_qpos). */
  protected readonly initQpos: Float64Array;

  private model: MjModel | null;
  private data: MjData | null;

  // Cached views into MjData (refreshed when WASM memory grows).
  protected qpos: Float64Array = EMPTY;
  protected qvel: Float64Array = EMPTY;
  protected ctrl: Float64Array = EMPTY;
  protected xpos: Float64Array = EMPTY;
  protected xipos: Float64Array = EMPTY;
  protected cinert: Float64Array = EMPTY;
  protected cvel: Float64Array = EMPTY;
  protected qfrcActuator: Float64Array = EMPTY;
  protected cfrcExt: Float64Array = EMPTY;

  /** Set by `evaluate()` in subclasses. */
  protected stepReward = 0;
  protected stepTerminated = false;

  private rng: Rng | null = null;
  private elapsed = 0;
  private phase: Phase = 'needs-reset';
  private endedBy = '';

  protected constructor(mj: MujocoModule, config: MujocoEnvConfig<T>, obsDim: number) {
    this.id = config.id;
    this.task = config.task;
    this.version = config.version;
    this.params = Object.freeze({ ...config.params }) as Readonly<TaskParamsMap[T]>;
    this.maxEpisodeSteps = config.common.maxEpisodeSteps;
    this.computeContactForces = config.common.computeContactForces;
    this.constants = TASKS[config.task];
    this.frameSkip = this.constants.frameSkip;
    this.mj = mj;

    const model = loadModelFile(mj, this.constants.modelFile);
    let data: MjData | null = null;
    try {
      data = new mj.MjData(model);
      this.checkModel(model);
      this.dt = model.opt.timestep * this.frameSkip;
      this.nq = model.nq;
      this.nv = model.nv;
      this.nu = model.nu;
      this.nbody = model.nbody;
      this.initQpos = Float64Array.from(model.qpos0);
      const range = model.actuator_ctrlrange;
      const low = new Float64Array(this.nu);
      const high = new Float64Array(this.nu);
      for (let i = 0; i < this.nu; i++) {
        low[i] = range[2 * i];
        high[i] = range[2 * i + 1];
      }
      this.actionSpace = boxSpace(low, high);
      this.observationSpace = boxSpace(new Float64Array(obsDim).fill(-Infinity), new Float64Array(obsDim).fill(Infinity));
    } catch (err) {
      if (data !== null) data.delete();
      model.delete();
      throw err;
    }
    this.model = model;
    this.data = data;
    this.refreshViews();
  }

  // ------------------------------------------------------------------------------------------
  // Task hooks.

  /** Record whatever "before" position the reward needs (called before the sub-steps). */
  protected abstract beginStep(): void;
  /** Compute reward terms from the post-step state; set stepReward/stepTerminated; return info. */
  protected abstract evaluate(action: ArrayLike<number>): EnvInfo;
  /** Write the observation of the current state. */
  protected abstract writeObservation(obs: Float64Array): void;
  /** Draw the reset noise into qpos/qvel (after mj_resetData, before mj_forward). */
  protected abstract applyResetNoise(rng: Rng): void;
  /** Info returned by reset(). */
  protected abstract resetInfo(): EnvInfo;

  // ------------------------------------------------------------------------------------------
  // Env API.

  reset(options: ResetOptions = {}): ResetResult {
    if (this.phase === 'closed') throw new Error(`${this.id}: reset() called after close()`);
    const seed = options?.seed;
    if (seed !== undefined) {
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
        throw new Error(`${this.id}: reset seed must be an integer in [0, 2^32), got ${String(seed)}`);
      }
      this.rng = new Rng(seed);
    } else if (this.rng === null) {
      // Like gymnasium: an env reset without ever being given a seed draws one from the OS.
      this.rng = new Rng(randomInt(0, 0x100000000));
    }
    const model = this.model as MjModel;
    const data = this.data as MjData;
    if (this.qpos.length === 0) this.refreshViews();
    this.mj.mj_resetData(model, data);
    this.applyResetNoise(this.rng);
    this.mj.mj_forward(model, data);
    this.elapsed = 0;
    this.phase = 'running';
    this.endedBy = '';
    const obs = new Float64Array(this.observationSpace.size);
    this.writeObservation(obs);
    return { obs, info: this.resetInfo() };
  }

  step(action: ArrayLike<number>): StepResult {
    if (this.phase !== 'running') this.throwNotRunning();
    checkAction(this.id, this.actionSpace, action);
    const model = this.model as MjModel;
    const data = this.data as MjData;
    const mj = this.mj;
    if (this.qpos.length === 0) this.refreshViews();
    this.beginStep();
    this.ctrl.set(action);
    for (let i = 0; i < this.frameSkip; i++) mj.mj_step(model, data);
    if (this.computeContactForces) mj.mj_rnePostConstraint(model, data);
    if (this.qpos.length === 0) this.refreshViews();
    const info = this.evaluate(action);
    const obs = new Float64Array(this.observationSpace.size);
    this.writeObservation(obs);
    this.elapsed++;
    const terminated = this.stepTerminated;
    const truncated = this.maxEpisodeSteps !== null && this.elapsed >= this.maxEpisodeSteps;
    if (terminated || truncated) {
      this.phase = 'ended';
      this.endedBy = terminated && truncated ? 'terminated and truncated' : terminated ? 'terminated' : 'truncated';
    }
    return { obs, reward: this.stepReward, terminated, truncated, info };
  }

  close(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    const data = this.data;
    const model = this.model;
    this.data = null;
    this.model = null;
    this.qpos = this.qvel = this.ctrl = this.xpos = this.xipos = EMPTY;
    this.cinert = this.cvel = this.qfrcActuator = this.cfrcExt = EMPTY;
    if (data !== null) data.delete();
    if (model !== null) model.delete();
  }

  // ------------------------------------------------------------------------------------------
  // Extras.

  /** Env steps taken since the last reset. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  get isClosed(): boolean {
    return this.phase === 'closed';
  }

  /**
   * The MuJoCo module, model and data behind this env (tests, benchmarks, inspection). Array
   * getters on model/data return fresh views; writing into them changes the simulation.
   */
  get physics(): MujocoPhysics {
    if (this.model === null || this.data === null) throw new Error(`${this.id}: physics accessed after close()`);
    return { mj: this.mj, model: this.model, data: this.data };
  }

  // ------------------------------------------------------------------------------------------
  // Helpers for subclasses.

  /** qpos = qpos0 + U(±scale) on every coordinate; qvel = U(±scale) or scale·N(0, 1). */
  protected drawResetNoise(rng: Rng, scale: number, qvelNoise: 'uniform' | 'normal'): void {
    const qpos = this.qpos;
    const qvel = this.qvel;
    const init = this.initQpos;
    for (let i = 0; i < this.nq; i++) qpos[i] = init[i] + rng.uniformIn(-scale, scale);
    if (qvelNoise === 'uniform') {
      for (let i = 0; i < this.nv; i++) qvel[i] = rng.uniformIn(-scale, scale);
    } else {
      for (let i = 0; i < this.nv; i++) qvel[i] = scale * rng.normal();
    }
  }

  /** A copy of a model array taken at construction (model arrays do not change). */
  protected modelArray(name: 'body_mass' | 'body_pos'): Float64Array {
    const model = this.model;
    if (model === null) throw new Error(`${this.id}: model accessed after close()`);
    return Float64Array.from(model[name]);
  }

  /** Index of a named body (throws if the model has no such body). */
  protected bodyId(name: string): number {
    const model = this.model;
    if (model === null) throw new Error(`${this.id}: model accessed after close()`);
    const names = model.names;
    const adr = model.name_bodyadr;
    for (let b = 0; b < model.nbody; b++) {
      let s = '';
      for (let i = adr[b]; i < names.length && names[i] !== 0; i++) s += String.fromCharCode(names[i]);
      if (s === name) return b;
    }
    throw new Error(`${this.id}: the model has no body named '${name}'`);
  }

  private refreshViews(): void {
    const d = this.data;
    if (d === null) return;
    this.qpos = d.qpos;
    this.qvel = d.qvel;
    this.ctrl = d.ctrl;
    this.xpos = d.xpos;
    this.xipos = d.xipos;
    this.cinert = d.cinert;
    this.cvel = d.cvel;
    this.qfrcActuator = d.qfrc_actuator;
    this.cfrcExt = d.cfrc_ext;
  }

  private checkModel(model: MjModel): void {
    const c = this.constants;
    const got = { nq: model.nq, nv: model.nv, nu: model.nu, nbody: model.nbody, timestep: model.opt.timestep };
    const want = { nq: c.nq, nv: c.nv, nu: c.nu, nbody: c.nbody, timestep: c.timestep };
    for (const key of Object.keys(want) as (keyof typeof want)[]) {
      if (got[key] !== want[key]) {
        throw new Error(`${this.id}: model ${c.modelFile} has ${key} = ${got[key]}, expected ${want[key]}`);
      }
    }
    const range = model.actuator_ctrlrange;
    for (let i = 0; i < c.nu; i++) {
      if (range[2 * i] !== c.actionLow || range[2 * i + 1] !== c.actionHigh) {
        throw new Error(
          `${this.id}: model ${c.modelFile} actuator ${i} ctrlrange is [${range[2 * i]}, ${range[2 * i + 1]}], ` +
            `expected [${c.actionLow}, ${c.actionHigh}]`,
        );
      }
    }
  }

  private throwNotRunning(): never {
    switch (this.phase) {
      case 'closed':
        throw new Error(`${this.id}: step() called after close()`);
      case 'needs-reset':
        throw new Error(`${this.id}: step() called before reset()`);
      default:
        throw new Error(
          `${this.id}: the episode is over (${this.endedBy} at step ${this.elapsed}); call reset() before stepping again`,
        );
    }
  }
}
