/**
 * A random-number generator that replays a golden fixture's recorded draws (not a test file).
 * It has the interface the agents use (lib/util/rng.ts: it extends Rng), answers `int`,
 * `normals` and `uniforms` from the fixture's draw list in order, and fails on the first call
 * whose kind, bound, range or length differs from the next recorded draw, on any other kind of
 * call, and (finish) when recorded draws are left over.
 */
import { Rng, RngState } from '../../lib/util/rng';
import { Draw } from './fixture';

export class ScriptedRng extends Rng {
  /** Index of the current record, and how many calls of it were made. */
  private record = 0;
  private calls = 0;

  constructor(
    private readonly draws: readonly Draw[],
    private readonly label: string,
  ) {
    super(0);
  }

  private fail(message: string): never {
    throw new Error(`${this.label}: ${message}`);
  }

  /** The next record, which must be of `kind`; `call` describes the call for messages. */
  private next(kind: Draw['kind'], call: string): Draw {
    const d = this.draws[this.record];
    if (!d) this.fail(`${call}: every recorded draw is used up (${this.draws.length} records)`);
    if (d.kind !== kind) this.fail(`${call}: the next recorded draw is #${this.record + 1} "${d.name}" (${describe(d)}), not ${kind}`);
    return d;
  }

  private advance(callsInRecord: number): void {
    this.calls++;
    if (this.calls === callsInRecord) {
      this.record++;
      this.calls = 0;
    }
  }

  override int(n: number): number {
    const d = this.next('int', `int(${n})`);
    if (d.kind !== 'int') throw new Error('unreachable');
    if (d.bound !== n) this.fail(`int(${n}): draw #${this.record + 1} "${d.name}" has bound ${d.bound}`);
    const v = d.values[this.calls];
    this.advance(d.count);
    return v;
  }

  override normals(n: number, out?: Float32Array): Float32Array {
    const d = this.next('normals', `normals(${n})`);
    if (d.kind !== 'normals') throw new Error('unreachable');
    if (d.length !== n) this.fail(`normals(${n}): draw #${this.record + 1} "${d.name}" has arrays of ${d.length}`);
    const row = d.values.data.subarray(this.calls * n, (this.calls + 1) * n);
    this.advance(d.arrays);
    const a = out ?? new Float32Array(n);
    a.set(row);
    return a;
  }

  override uniforms(n: number, low = 0, high = 1, out?: Float32Array): Float32Array {
    const d = this.next('uniforms', `uniforms(${n}, ${low}, ${high})`);
    if (d.kind !== 'uniforms') throw new Error('unreachable');
    if (d.length !== n || d.low !== low || d.high !== high) {
      this.fail(`uniforms(${n}, ${low}, ${high}): draw #${this.record + 1} "${d.name}" is ${describe(d)}`);
    }
    const row = d.values.data.subarray(this.calls * n, (this.calls + 1) * n);
    this.advance(d.arrays);
    const a = out ?? new Float32Array(n);
    a.set(row);
    return a;
  }

  // Nothing else is drawn by an update (fixture format §4).
  override nextUint32(): number {
    return this.fail('nextUint32() is not among the recorded draws');
  }
  override uniform(): number {
    return this.fail('uniform() is not among the recorded draws');
  }
  override uniformIn(low: number, high: number): number {
    return this.fail(`uniformIn(${low}, ${high}) is not among the recorded draws`);
  }
  override normal(): number {
    return this.fail('normal() is not among the recorded draws');
  }
  override childSeed(): number {
    return this.fail('childSeed() is not among the recorded draws');
  }
  override getState(): RngState {
    return this.fail('getState(): a scripted generator has no state to save');
  }
  override setState(_state: RngState): void {
    this.fail('setState(): a scripted generator cannot be restored');
  }

  /** Throws unless every recorded draw was consumed, completely. */
  finish(): void {
    if (this.record < this.draws.length) {
      const d = this.draws[this.record];
      this.fail(`draw #${this.record + 1} "${d.name}" (${describe(d)}) ${this.calls > 0 ? `was used for only ${this.calls} calls` : 'was never used'}; ${this.draws.length - this.record} record(s) left`);
    }
  }
}

function describe(d: Draw): string {
  switch (d.kind) {
    case 'int':
      return `${d.count} × int(${d.bound})`;
    case 'normals':
      return `${d.arrays} × normals(${d.length})`;
    case 'uniforms':
      return `${d.arrays} × uniforms(${d.length}, ${d.low}, ${d.high})`;
  }
}
