/**
 * The kit's environment API, Gymnasium-style:
 *   reset({seed}) → {obs, info}
 *   step(action)  → {obs, reward, terminated, truncated, info}
 * `terminated` means the task ended (unhealthy, bandit pull done); `truncated` means a time
 * limit cut the episode. They are never merged here: how a learner treats truncation
 * (the official QVPO code stores it as terminal) is the learner's choice, not the env's.
 */

/** A box of real vectors, like gym.spaces.Box with a 1-D shape. */
export interface BoxSpace {
  /** Number of components. */
  readonly size: number;
  readonly low: Float64Array;
  readonly high: Float64Array;
}

export type EnvInfo = Record<string, number | boolean | string>;

export interface ResetResult {
  /** A fresh array the caller may keep. */
  obs: Float64Array;
  info: EnvInfo;
}

export interface StepResult {
  /** A fresh array the caller may keep. */
  obs: Float64Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: EnvInfo;
}

export interface ResetOptions {
  /** Re-seed the env's own random stream (reset noise). Without it the stream continues. */
  seed?: number;
}

export interface Env {
  /** Registry id, e.g. 'Hopper-v3'. */
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  /** Steps after which `truncated` is reported; null for no limit. */
  readonly maxEpisodeSteps: number | null;
  reset(options?: ResetOptions): ResetResult;
  step(action: ArrayLike<number>): StepResult;
  /** Frees native resources; the env is unusable afterwards. */
  close(): void;
}

export function boxSpace(low: ArrayLike<number>, high: ArrayLike<number>): BoxSpace {
  if (low.length !== high.length) {
    throw new Error(`box bounds differ in length: low has ${low.length}, high has ${high.length}`);
  }
  return { size: low.length, low: Float64Array.from(low), high: Float64Array.from(high) };
}

/**
 * Checks an action before it reaches the simulator: right length, finite numbers.
 * Out-of-range values are allowed (gym does not clip; MuJoCo clamps ctrl itself).
 */
export function checkAction(envId: string, space: BoxSpace, action: ArrayLike<number>): void {
  if (action == null || typeof (action as ArrayLike<number>).length !== 'number') {
    throw new Error(`${envId}: action must be an array of ${space.size} numbers, got ${String(action)}`);
  }
  if (action.length !== space.size) {
    throw new Error(`${envId}: action must have ${space.size} components, got ${action.length}`);
  }
  for (let i = 0; i < action.length; i++) {
    const v = action[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${envId}: action[${i}] must be a finite number, got ${String(v)}`);
    }
  }
}
