/**
 * Running mean and variance (parallel Welford, as gym's RunningMeanStd) for observation and
 * return normalisation. State is plain data for checkpoints.
 */
export interface RunningMeanStdState {
  mean: number[];
  variance: number[];
  count: number;
}

export class RunningMeanStd {
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  /** Starts at a tiny positive count like gym's (1e-4), so the first update dominates. */
  count = 1e-4;

  constructor(readonly size: number) {
    this.mean = new Float64Array(size);
    this.variance = new Float64Array(size).fill(1);
  }

  /** Adds one sample (length `size`). */
  update(x: ArrayLike<number>): void {
    if (x.length !== this.size) throw new Error(`RunningMeanStd: sample has ${x.length} values, expected ${this.size}`);
    const total = this.count + 1;
    for (let i = 0; i < this.size; i++) {
      const delta = x[i] - this.mean[i];
      const mean = this.mean[i] + delta / total;
      // M2 of the union of (count samples with this.variance) and the one new sample
      const m2 = this.variance[i] * this.count + (delta * delta * this.count) / total;
      this.mean[i] = mean;
      this.variance[i] = m2 / total;
    }
    this.count = total;
  }

  /** (x − mean) / sqrt(var + eps), clipped to ±clip. */
  normalize(x: ArrayLike<number>, clip = 10, eps = 1e-8): Float32Array {
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = (x[i] - this.mean[i]) / Math.sqrt(this.variance[i] + eps);
      out[i] = Math.min(clip, Math.max(-clip, v));
    }
    return out;
  }

  getState(): RunningMeanStdState {
    return { mean: Array.from(this.mean), variance: Array.from(this.variance), count: this.count };
  }

  setState(s: RunningMeanStdState): void {
    if (s.mean.length !== this.size) throw new Error(`RunningMeanStd.setState: ${s.mean.length} values, expected ${this.size}`);
    this.mean.set(s.mean);
    this.variance.set(s.variance);
    this.count = s.count;
  }
}
