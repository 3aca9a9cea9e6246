/**
 * Agents act in [−1, 1]^d and the env in its own box: a = scale·u + bias per dimension, with
 * scale = (high − low)/2 and bias = (high + low)/2 (Humanoid's ±0.4, asymmetric boxes).
 */
import { AgentSpec } from './qvpo/agent';

export class ActionScaler {
  private readonly scale: Float32Array;
  private readonly bias: Float32Array;

  constructor(readonly spec: AgentSpec, who: string) {
    const d = spec.actDim;
    if (spec.actionLow.length !== d || spec.actionHigh.length !== d) {
      throw new Error(`${who}: action bounds have ${spec.actionLow.length}/${spec.actionHigh.length} entries, actDim is ${d}`);
    }
    this.scale = Float32Array.from({ length: d }, (_, i) => (spec.actionHigh[i] - spec.actionLow[i]) / 2);
    this.bias = Float32Array.from({ length: d }, (_, i) => (spec.actionHigh[i] + spec.actionLow[i]) / 2);
  }

  /** Policy units ([−1, 1]) → env units; any number of rows. */
  toEnv(u: ArrayLike<number>): Float32Array {
    const d = this.spec.actDim;
    const out = new Float32Array(u.length);
    for (let i = 0; i < u.length; i++) out[i] = u[i] * this.scale[i % d] + this.bias[i % d];
    return out;
  }

  /** Env units → policy units. */
  toPolicy(a: ArrayLike<number>): Float32Array {
    const d = this.spec.actDim;
    const out = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = (a[i] - this.bias[i % d]) / this.scale[i % d];
    return out;
  }
}
