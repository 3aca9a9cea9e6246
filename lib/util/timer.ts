/**
 * Wall time per phase of a computation, for benchmarks. `lap(phase, ...tensors)` first waits
 * for the given tensors (on GPU backends work is queued, so a phase ends when its results
 * exist), then charges the time since the previous lap to `phase`.
 */
import * as tf from '@tensorflow/tfjs';

export class PhaseTimer {
  readonly totals: Record<string, number> = {};
  private last = performance.now();

  start(): void {
    this.last = performance.now();
  }

  lap(phase: string, ...syncOn: tf.Tensor[]): void {
    for (const t of syncOn) t.dataSync();
    const now = performance.now();
    this.totals[phase] = (this.totals[phase] ?? 0) + (now - this.last);
    this.last = now;
  }
}
