/**
 * What the experiment runner needs of any algorithm: actions for the env, and a place to put
 * each transition (where the algorithm stores it and learns as it prescribes). Off-policy
 * agents (QVPO, SAC, TD3, DIPO, QSM) share OffPolicyLearner; on-policy ones implement this
 * directly. State is plain data (typed arrays allowed) for checkpoints.
 */

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
  dispose(): void;
}
