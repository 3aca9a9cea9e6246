/**
 * The GPU bundle: scripts/gpu/bundle.sh packs node, the compiled check and a minimal
 * node_modules under the device carry limit, and scripts/gpu/run.sh runs it on a machine
 * without a GPU (this one): the adapter check says "none" with its reason, the GPU engines are
 * reported as not started, and the CPU engine passes the golden check and runs the bench.
 * Needs the npm registry and Debian's archive (CI has both); takes 2–3 minutes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-gpu-bundle-'));

function sizeOf(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? sizeOf(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size), 0);
}

test('run.sh without a bundle stops with a message naming the folder', () => {
  const r = spawnSync('bash', [path.join(ROOT, 'scripts/gpu/run.sh'), path.join(tmp, 'nothing-here')], { encoding: 'utf8', env: { ...process.env, OUT: path.join(tmp, 'out0') } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /run\.sh: no bundle at .*nothing-here \(make one with scripts\/gpu\/bundle\.sh\)/);
});

test('bundle.sh fits the carry limit; run.sh on a CPU machine: no adapter, CPU engine checked and timed', { timeout: 900_000 }, () => {
  const bundle = path.join(tmp, 'bundle');
  const made = spawnSync('bash', [path.join(ROOT, 'scripts/gpu/bundle.sh'), bundle], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(made.status, 0, `bundle.sh failed:\n${made.stdout}\n${made.stderr}`);
  const mib = sizeOf(bundle) / 2 ** 20;
  assert.ok(mib < 48, `bundle is ${mib.toFixed(1)} MiB`);
  assert.ok(fs.existsSync(path.join(bundle, 'qvpo-gpu.tar.xz')));
  assert.ok(fs.readdirSync(path.join(bundle, 'debs')).some((f) => /^libvulkan1_.*_amd64\.deb$/.test(f)), 'the Vulkan loader is carried');
  assert.match(fs.readFileSync(path.join(bundle, 'MANIFEST.txt'), 'utf8'), /onnxruntime-node@1\.30\.0/);

  const out = path.join(tmp, 'out');
  const env = { ...process.env, OUT: out, QVPO_GPU_ITERS: '1', QVPO_GPU_WARMUP: '0', QVPO_GPU_ACTIONS: '2', QVPO_GPU_DIMS: 'hopper', QVPO_GPU_ENGINES: 'ort-cpu,ort-webgpu,tfjs-webgpu' };
  const ran = spawnSync('bash', [path.join(ROOT, 'scripts/gpu/run.sh'), bundle], { cwd: tmp, encoding: 'utf8', env });
  assert.equal(ran.status, 0, `run.sh failed:\n${ran.stdout}\n${ran.stderr}`);
  const record = JSON.parse(fs.readFileSync(path.join(out, 'gpu-check.json'), 'utf8'));
  assert.equal(record.adapter.found, false);
  assert.match(record.adapter.reason, /\S/);
  const byName = Object.fromEntries(record.engines.map((e: { name: string }) => [e.name, e]));
  assert.equal(byName['ort-cpu'].started, true);
  assert.equal(byName['ort-cpu'].golden.passed, true, JSON.stringify(byName['ort-cpu'].golden));
  assert.ok(byName['ort-cpu'].golden.rows.length > 30, 'every fixture quantity was compared');
  assert.ok(byName['ort-cpu'].bench.hopper.msPerIteration > 0);
  for (const gpu of ['ort-webgpu', 'tfjs-webgpu']) {
    assert.equal(byName[gpu].started, false);
    assert.match(byName[gpu].reason, /no WebGPU adapter/);
  }
  const text = fs.readFileSync(path.join(out, 'gpu-check.txt'), 'utf8');
  assert.match(text, /^WebGPU adapter: none \(/m);
  assert.match(text, /\| ort-cpu \| yes \| passed /);
  assert.match(fs.readFileSync(path.join(out, 'gpu-check.log'), 'utf8'), /run\.sh: done in \d+ s, exit 0/);
});
