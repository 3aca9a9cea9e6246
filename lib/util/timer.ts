/**
 * Wall and process CPU time per phase of a computation, for benchmarks. `lap(phase, ...tensors)`
 * first waits for the given tensors (on GPU backends work is queued, so a phase ends when its
 * results exist), then charges the time since the previous lap to `phase`. CPU time is the
 * whole process's (every thread: ORT's intra-op pool, sampling workers), in ms.
 */
import * as tf from '@tensorflow/tfjs';

export class PhaseTimer {
  readonly totals: Record<string, number> = {};
  readonly cpuTotals: Record<string, number> = {};
  private last = performance.now();
  private lastCpu = cpuMs();

  start(): void {
    this.last = performance.now();
    this.lastCpu = cpuMs();
  }

  lap(phase: string, ...syncOn: tf.Tensor[]): void {
    for (const t of syncOn) t.dataSync();
    const now = performance.now();
    const cpu = cpuMs();
    this.totals[phase] = (this.totals[phase] ?? 0) + (now - this.last);
    this.cpuTotals[phase] = (this.cpuTotals[phase] ?? 0) + (cpu - this.lastCpu);
    this.last = now;
    this.lastCpu = cpu;
  }
}

/** CPU time used by this process so far (user + system, all threads), ms. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
