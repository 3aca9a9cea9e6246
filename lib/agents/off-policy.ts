/**
 * The replay-buffer protocol shared by the off-policy algorithms (spec §5): uniform-random
 * actions for the first `warmupSteps` env steps, every transition stored, then
 * `updatesPerStep` updates after each env step from the warm-up's last step on — or, with
 * `updateEvery` = n > 1, after every n-th env step only (DPMD/SDAC: one update per 5 env steps,
 * as their code takes one step in each of 5 envs per update). Which episode ends cut
 * bootstrapping is set here: terminations always; time-limit truncations too when
 * `timeLimitAsTerminal` (the official QVPO/DIPO convention).
 */
import { ReplayBuffer, ReplayState } from '../replay/buffer';
import { AgentSpec } from './qvpo/agent';
import { Learner, LearnerStats, PolicyState, Transition } from './learner';

export interface ReplaySettings {
  replaySize: number;
  warmupSteps: number;
  updatesPerStep: number;
  /** Env steps from one round of updates to the next (default 1: every step). */
  updateEvery?: number;
  timeLimitAsTerminal: boolean;
}

/** What an off-policy agent offers the shared protocol. */
export interface OffPolicyAgent {
  readonly spec: AgentSpec;
  act(obs: ArrayLike<number>, mode: 'behaviour' | 'eval'): Float32Array;
  randomAction(): Float32Array;
  /** Env units → the units the agent stores and learns in. */
  toPolicyUnits(action: ArrayLike<number>): Float32Array;
  update(buffer: ReplayBuffer, envStep: number, wantStats: boolean): LearnerStats | null;
  /** The agent overwrites stored actions (DIPO): the buffer keeps an improvable copy. */
  readonly improvesStoredActions?: boolean;
  getState(): unknown;
  setState(state: unknown): void;
  /** What its `act(obs, 'eval')` uses (Learner.getPolicyState). */
  getPolicyState(): PolicyState;
  setPolicyState(state: PolicyState): void;
  dispose(): void;
}

interface OffPolicyState {
  kind: 'off-policy';
  agent: unknown;
  buffer: ReplayState;
  /** The last update's stats, when updates are sparser than env steps (updateEvery > 1). */
  lastStats?: LearnerStats | null;
}

export class OffPolicyLearner implements Learner {
  readonly buffer: ReplayBuffer;
  private readonly updateEvery: number;
  private lastStats: LearnerStats | null = null;

  constructor(
    readonly agent: OffPolicyAgent,
    readonly settings: ReplaySettings,
  ) {
    this.buffer = new ReplayBuffer(settings.replaySize, agent.spec.obsDim, agent.spec.actDim, { improvedActions: agent.improvesStoredActions === true });
    this.updateEvery = settings.updateEvery ?? 1;
    if (!Number.isInteger(this.updateEvery) || this.updateEvery < 1) {
      throw new Error(`OffPolicyLearner: updateEvery must be a whole number ≥ 1, got ${String(settings.updateEvery)}`);
    }
  }

  act(obs: ArrayLike<number>, mode: 'explore' | 'eval', envStep: number): Float32Array {
    if (mode === 'eval') return this.agent.act(obs, 'eval');
    // envStep counts steps already taken: the first warmupSteps actions are random.
    return envStep < this.settings.warmupSteps ? this.agent.randomAction() : this.agent.act(obs, 'behaviour');
  }

  observe(t: Transition, envStep: number, wantStats: boolean): LearnerStats | null {
    const done = t.terminated || (t.truncated && this.settings.timeLimitAsTerminal);
    this.buffer.add(t.obs, this.agent.toPolicyUnits(t.action), t.reward, t.nextObs, done);
    if (envStep < this.settings.warmupSteps) return null;
    const sparse = this.updateEvery > 1;
    // Between sparse updates an episode end reports the last update's stats, so every
    // update keeps its stats (a few scalars) for whichever step asks next.
    if ((envStep - this.settings.warmupSteps) % this.updateEvery !== 0) return wantStats ? this.lastStats : null;
    let stats: LearnerStats | null = null;
    for (let u = 0; u < this.settings.updatesPerStep; u++) {
      const last = u === this.settings.updatesPerStep - 1;
      stats = this.agent.update(this.buffer, envStep, (wantStats || sparse) && last) ?? stats;
    }
    if (sparse) this.lastStats = stats;
    return wantStats ? stats : null;
  }

  getState(): OffPolicyState {
    const state: OffPolicyState = { kind: 'off-policy', agent: this.agent.getState(), buffer: this.buffer.getState() };
    if (this.updateEvery > 1) state.lastStats = this.lastStats;
    return state;
  }

  setState(state: unknown): void {
    const s = state as OffPolicyState;
    if (s?.kind !== 'off-policy') throw new Error(`OffPolicyLearner.setState: not an off-policy checkpoint (kind ${String(s?.kind)})`);
    this.agent.setState(s.agent);
    this.buffer.setState(s.buffer);
    this.lastStats = s.lastStats ?? null;
  }

  // Evaluation never touches the buffer, so the agent's part is the whole policy.
  getPolicyState(): PolicyState {
    return this.agent.getPolicyState();
  }

  setPolicyState(state: PolicyState): void {
    this.agent.setPolicyState(state);
  }

  dispose(): void {
    this.agent.dispose();
  }
}
