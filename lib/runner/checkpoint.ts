/**
 * Checkpoint files: any JSON-like state whose large parts are typed arrays, written as one
 * file — a JSON header (typed arrays replaced by references) followed by the raw array bytes
 * and a SHA-256 of everything before it — streamed without building one big buffer, and made
 * visible atomically (temp file + rename), so a run killed mid-write still has its previous
 * checkpoint. `writeCheckpoint` can keep the file it replaces (`keepPrevious`), so a damaged
 * latest checkpoint still leaves one to fall back to.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

/** Version 1 had no checksum; it is still read (runs started before checksums resume). */
const MAGIC_V1 = 'QVPOCKPT1\n';
const MAGIC = 'QVPOCKPT2\n';
const DIGEST_BYTES = 32;

/** A checkpoint that exists but cannot be used (bad magic, cut short, checksum mismatch). */
export class CheckpointError extends Error {}

/** Where the previous checkpoint is kept when `keepPrevious` is set. */
export function previousCheckpointFile(file: string): string {
  return file.replace(/(\.bin)?$/, '.prev.bin');
}

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

export function writeCheckpoint(file: string, state: unknown, options: { keepPrevious?: boolean } = {}): void {
  const arrays: Typed[] = [];
  const header = JSON.stringify(state, function (this: unknown, _key, value: unknown) {
    const kind = kindOf(value);
    if (!kind) return value;
    arrays.push(value as Typed);
    const ref: ArrayRef = { $array: arrays.length - 1, kind, length: (value as Typed).length };
    return ref;
  });
  const tmp = `${file}.tmp-${process.pid}`;
  const hash = createHash('sha256');
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      const put = (bytes: Buffer) => {
        hash.update(bytes);
        for (let off = 0; off < bytes.byteLength; ) off += fs.writeSync(fd, bytes, off, Math.min(1 << 26, bytes.byteLength - off));
      };
      const headerBytes = Buffer.from(header, 'utf8');
      const lengths = Buffer.alloc(8);
      lengths.writeBigUInt64LE(BigInt(headerBytes.byteLength));
      put(Buffer.from(MAGIC));
      put(lengths);
      put(headerBytes);
      for (const a of arrays) put(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
      fs.writeSync(fd, hash.digest());
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    // Two renames: a kill between them leaves only the previous one, which readers fall back to.
    if (options.keepPrevious && fs.existsSync(file)) fs.renameSync(file, previousCheckpointFile(file));
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw withFile(e, tmp);
  }
}

/** An I/O error with the file it concerns in its message (ENOSPC alone does not say which). */
export function withFile(e: unknown, file: string): Error {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.message === 'string' && err.message.includes(file)) return err;
  const out = new Error(`${file}: ${err?.message ?? String(e)}`) as NodeJS.ErrnoException;
  if (err?.code) out.code = err.code;
  return out;
}

/** Checks the trailing SHA-256 of a version-2 checkpoint, reading it in chunks. */
function verifyDigest(fd: number, file: string): void {
  const size = fs.fstatSync(fd).size;
  if (size < MAGIC.length + 8 + DIGEST_BYTES) throw new CheckpointError(`${file}: truncated checkpoint (${size} bytes)`);
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(1 << 24);
  const body = size - DIGEST_BYTES;
  for (let pos = 0; pos < body; ) {
    const n = fs.readSync(fd, chunk, 0, Math.min(chunk.length, body - pos), pos);
    if (n <= 0) throw new CheckpointError(`${file}: truncated checkpoint`);
    hash.update(chunk.subarray(0, n));
    pos += n;
  }
  const stored = Buffer.alloc(DIGEST_BYTES);
  fs.readSync(fd, stored, 0, DIGEST_BYTES, body);
  if (!hash.digest().equals(stored)) {
    throw new CheckpointError(`${file}: checksum mismatch (the file is damaged or was cut short)`);
  }
}

export function readCheckpoint(file: string): unknown {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(MAGIC.length + 8);
    const magic = fs.readSync(fd, head, 0, head.length, 0) === head.length ? head.subarray(0, MAGIC.length).toString() : '';
    if (magic !== MAGIC && magic !== MAGIC_V1) throw new CheckpointError(`${file}: not a qvpo-kit checkpoint (bad magic)`);
    if (magic === MAGIC) verifyDigest(fd, file);
    const headerLength = Number(head.readBigUInt64LE(MAGIC.length));
    const headerBytes = Buffer.alloc(headerLength);
    let pos = head.length;
    if (fs.readSync(fd, headerBytes, 0, headerLength, pos) !== headerLength) throw new CheckpointError(`${file}: truncated header`);
    pos += headerLength;
    const refs: ArrayRef[] = [];
    let state: unknown;
    try {
      state = JSON.parse(headerBytes.toString('utf8'), (_key, value: unknown) => {
        if (value && typeof value === 'object' && '$array' in (value as object)) refs.push(value as ArrayRef);
        return value;
      });
    } catch (e) {
      throw new CheckpointError(`${file}: unreadable header (${(e as Error).message})`);
    }
    const arrays: Typed[] = [];
    const width: Record<ArrayKind, number> = { f32: 4, f64: 8, i32: 4, u8: 1 };
    for (const ref of refs.sort((a, b) => a.$array - b.$array)) {
      const bytes = Buffer.alloc(ref.length * width[ref.kind]);
      if (fs.readSync(fd, bytes, 0, bytes.length, pos) !== bytes.length) throw new CheckpointError(`${file}: truncated array data`);
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
