/**
 * The replay-buffer protocol shared by the off-policy algorithms (spec §5): uniform-random
 * actions for the first `warmupSteps` env steps, every transition stored, then
 * `updatesPerStep` updates after each env step from the warm-up's last step on. Which episode
 * ends cut bootstrapping is set here: terminations always; time-limit truncations too when
 * `timeLimitAsTerminal` (the official QVPO/DIPO convention).
 */
import { ReplayBuffer, ReplayState } from '../replay/buffer';
import { AgentSpec } from './qvpo/agent';
import { Learner, LearnerStats, PolicyState, Transition } from './learner';

export interface ReplaySettings {
  replaySize: number;
  warmupSteps: number;
  updatesPerStep: number;
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
}

export class OffPolicyLearner implements Learner {
  readonly buffer: ReplayBuffer;

  constructor(
    readonly agent: OffPolicyAgent,
    readonly settings: ReplaySettings,
  ) {
    this.buffer = new ReplayBuffer(settings.replaySize, agent.spec.obsDim, agent.spec.actDim, { improvedActions: agent.improvesStoredActions === true });
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
    let stats: LearnerStats | null = null;
    for (let u = 0; u < this.settings.updatesPerStep; u++) {
      const last = u === this.settings.updatesPerStep - 1;
      stats = this.agent.update(this.buffer, envStep, wantStats && last) ?? stats;
    }
    return stats;
  }

  getState(): OffPolicyState {
    return { kind: 'off-policy', agent: this.agent.getState(), buffer: this.buffer.getState() };
  }

  setState(state: unknown): void {
    const s = state as OffPolicyState;
    if (s?.kind !== 'off-policy') throw new Error(`OffPolicyLearner.setState: not an off-policy checkpoint (kind ${String(s?.kind)})`);
    this.agent.setState(s.agent);
    this.buffer.setState(s.buffer);
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
