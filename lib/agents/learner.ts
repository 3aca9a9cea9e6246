/**
 * What the experiment runner needs of any algorithm: actions for the env, and a place to put
 * each transition (where the algorithm stores it and learns as it prescribes). Off-policy
 * agents (QVPO, SAC, TD3, DIPO, QSM) share OffPolicyLearner; on-policy ones implement this
 * directly. State is plain data (typed arrays allowed) for checkpoints.
 */
import { RngState } from '../util/rng';

export interface Transition {
  obs: ArrayLike<number>;
  /** The action sent to the env, in env units. */
  action: ArrayLike<number>;
  reward: number;
  nextObs: ArrayLike<number>;
  terminated: boolean;
  truncated: boolean;
}

export type LearnerStats = Record<string, number>;

export interface Learner {
  /** Action in env units: `explore` while training (may be random during warm-up), `eval` for evaluation. */
  act(obs: ArrayLike<number>, mode: 'explore' | 'eval', envStep: number): Float32Array;
  /** Stores the transition of env step `envStep` (1-based) and learns; returns stats when asked and available. */
  observe(t: Transition, envStep: number, wantStats: boolean): LearnerStats | null;
  getState(): unknown;
  setState(state: unknown): void;
  /**
   * Only what `act(obs, 'eval')` uses: the networks it evaluates, any observation normaliser,
   * and the generator its evaluation draws from (no replay buffer, no optimiser state). This
   * is what a run keeps in policy.bin.
   */
  getPolicyState(): PolicyState;
  /** Loads a getPolicyState() result into a learner made with the same settings and task. */
  setPolicyState(state: PolicyState): void;
  dispose(): void;
}

/** What getPolicyState() returns: per-algorithm parts, plus the generator every algorithm has. */
export interface PolicyState {
  kind: string;
  rng: RngState;
}

/** Throws unless `state` is a policy state of the expected kind (an error naming what it got). */
export function checkPolicyKind(state: unknown, kind: string, who: string): void {
  const got = (state as { kind?: unknown } | null)?.kind;
  if (got !== kind) throw new Error(`${who}.setPolicyState: expected a policy state of kind "${kind}", got ${JSON.stringify(got ?? null)}`);
}
