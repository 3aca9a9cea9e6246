/**
 * Checkpoint files: any JSON-like state whose large parts are typed arrays, written as one
 * file — a JSON header (typed arrays replaced by references) followed by the raw array bytes —
 * streamed without building one big buffer, and made visible atomically (temp file + rename),
 * so a run killed mid-write still has its previous checkpoint.
 */
import * as fs from 'node:fs';

const MAGIC = 'QVPOCKPT1\n';

type ArrayKind = 'f32' | 'f64' | 'i32' | 'u8';
interface ArrayRef {
  $array: number;
  kind: ArrayKind;
  length: number;
}
type Typed = Float32Array | Float64Array | Int32Array | Uint8Array;

function kindOf(v: unknown): ArrayKind | null {
  if (v instanceof Float32Array) return 'f32';
  if (v instanceof Float64Array) return 'f64';
  if (v instanceof Int32Array) return 'i32';
  if (v instanceof Uint8Array) return 'u8';
  return null;
}

function makeArray(kind: ArrayKind, bytes: Buffer, length: number): Typed {
  // Copy into a fresh, aligned buffer: the file buffer's offsets need not be aligned.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  switch (kind) {
    case 'f32':
      return new Float32Array(copy.buffer, 0, length);
    case 'f64':
      return new Float64Array(copy.buffer, 0, length);
    case 'i32':
      return new Int32Array(copy.buffer, 0, length);
    case 'u8':
      return copy.subarray(0, length);
  }
}

export function writeCheckpoint(file: string, state: unknown): void {
  const arrays: Typed[] = [];
  const header = JSON.stringify(state, function (this: unknown, _key, value: unknown) {
    const kind = kindOf(value);
    if (!kind) return value;
    arrays.push(value as Typed);
    const ref: ArrayRef = { $array: arrays.length - 1, kind, length: (value as Typed).length };
    return ref;
  });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    const headerBytes = Buffer.from(header, 'utf8');
    const lengths = Buffer.alloc(8);
    lengths.writeBigUInt64LE(BigInt(headerBytes.byteLength));
    fs.writeSync(fd, MAGIC);
    fs.writeSync(fd, lengths);
    fs.writeSync(fd, headerBytes);
    for (const a of arrays) {
      const bytes = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
      for (let off = 0; off < bytes.byteLength; ) off += fs.writeSync(fd, bytes, off, Math.min(1 << 26, bytes.byteLength - off));
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export function readCheckpoint(file: string): unknown {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(MAGIC.length + 8);
    if (fs.readSync(fd, head, 0, head.length, 0) !== head.length || head.subarray(0, MAGIC.length).toString() !== MAGIC) {
      throw new Error(`${file}: not a qvpo-kit checkpoint (bad magic)`);
    }
    const headerLength = Number(head.readBigUInt64LE(MAGIC.length));
    const headerBytes = Buffer.alloc(headerLength);
    let pos = head.length;
    if (fs.readSync(fd, headerBytes, 0, headerLength, pos) !== headerLength) throw new Error(`${file}: truncated header`);
    pos += headerLength;
    const refs: ArrayRef[] = [];
    const state = JSON.parse(headerBytes.toString('utf8'), (_key, value: unknown) => {
      if (value && typeof value === 'object' && '$array' in (value as object)) refs.push(value as ArrayRef);
      return value;
    });
    const arrays: Typed[] = [];
    const width: Record<ArrayKind, number> = { f32: 4, f64: 8, i32: 4, u8: 1 };
    for (const ref of refs.sort((a, b) => a.$array - b.$array)) {
      const bytes = Buffer.alloc(ref.length * width[ref.kind]);
      if (fs.readSync(fd, bytes, 0, bytes.length, pos) !== bytes.length) throw new Error(`${file}: truncated array data`);
      pos += bytes.length;
      arrays[ref.$array] = makeArray(ref.kind, bytes, ref.length);
    }
    const revive = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(revive);
      if (v && typeof v === 'object') {
        if ('$array' in (v as object)) return arrays[(v as ArrayRef).$array];
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = revive(x);
        return out;
      }
      return v;
    };
    return revive(state);
  } finally {
    fs.closeSync(fd);
  }
}
