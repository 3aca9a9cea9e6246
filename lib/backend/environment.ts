/**
 * The facts of the machine and software a result came from: written to `environment.md`
 * by `make environment`, and next to every run's results as `environment.json`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BackendInfo, describeBackend } from './index';
import { EngineInfo, describeEngine, engineInfo } from '../engine';
import { REPO_ROOT } from '../util/paths';

export interface EnvironmentRecord {
  recordedAt: string;
  os: string;
  kernel: string;
  arch: string;
  cpu: { model: string; cores: number };
  memoryGiB: number;
  gpu: string[];
  node: string;
  backend: { name: string; description: string; tfjsVersion: string; gpu: boolean } | null;
  /** The compute engine of the diffusion agents' forward passes (lib/engine). */
  engine?: { name: string; description: string } | null;
  mujoco: { package: string; version: string | null };
  packages: Record<string, string | null>;
  git: { commit: string | null; dirty: boolean | null };
}

export { REPO_ROOT };

function run(cmd: string, args: string[], cwd = REPO_ROOT): string | null {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return null;
  }
}

function osName(): string {
  try {
    const text = fs.readFileSync('/etc/os-release', 'utf8');
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text);
    if (m) return m[1];
  } catch {
    /* not Linux */
  }
  return `${os.type()} ${os.release()}`;
}

/** Installed version of a package (null when absent); aliases report the aliased package. */
export function installedVersion(pkg: string): string | null {
  try {
    // Packages whose `exports` map hides package.json (vega, vega-lite) are read from node_modules.
    const direct = path.join(REPO_ROOT, 'node_modules', pkg, 'package.json');
    const file = fs.existsSync(direct) ? direct : require.resolve(`${pkg}/package.json`, { paths: [REPO_ROOT] });
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      name?: string;
      version?: string;
    };
    if (manifest.name !== pkg) return `${manifest.name}@${manifest.version} (alias)`;
    return manifest.version ?? null;
  } catch {
    return null;
  }
}

function gpus(): string[] {
  const out = run('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader']);
  if (!out) return [];
  return out.split('\n').filter(Boolean);
}

/** MuJoCo version compiled into the npm module this kit loads (mujoco-js 0.0.7 = MuJoCo 3.3.8). */
const MUJOCO_OF_MUJOCO_JS: Record<string, string> = { '0.0.7': '3.3.8' };

export function collectEnvironment(backend: BackendInfo | null, engine: EngineInfo | null = engineInfo()): EnvironmentRecord {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const names = [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
    '@tensorflow/tfjs-backend-webgpu',
    'webgpu',
  ];
  const packages: Record<string, string | null> = {};
  for (const n of names.sort()) packages[n] = installedVersion(n);
  const mujocoJs = installedVersion('mujoco-js');
  const commit = run('git', ['rev-parse', 'HEAD']);
  // "dirty" means code or settings differ from the commit: outputs (results/, reports/) do not count
  const status =
    commit === null ? null : run('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)results', ':(exclude)reports']);
  const cpus = os.cpus();
  return {
    recordedAt: new Date().toISOString(),
    os: osName(),
    kernel: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpu: { model: cpus[0]?.model?.trim() ?? 'unknown', cores: cpus.length },
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    gpu: gpus(),
    node: process.version,
    backend: backend
      ? { name: backend.name, description: describeBackend(backend), tfjsVersion: backend.tfjsVersion, gpu: backend.gpu }
      : null,
    engine: engine ? { name: engine.name, description: describeEngine(engine) } : null,
    mujoco: {
      package: mujocoJs ? `mujoco-js@${mujocoJs}` : 'mujoco-js (not installed)',
      version: mujocoJs ? MUJOCO_OF_MUJOCO_JS[mujocoJs] ?? null : null,
    },
    packages,
    git: { commit, dirty: status === null ? null : status.length > 0 },
  };
}

export function environmentMarkdown(rec: EnvironmentRecord): string {
  const rows: [string, string][] = [
    ['Recorded', rec.recordedAt],
    ['OS', `${rec.os} (${rec.kernel}, ${rec.arch})`],
    ['CPU', `${rec.cpu.model} × ${rec.cpu.cores}`],
    ['Memory', `${rec.memoryGiB} GiB`],
    ['GPU', rec.gpu.length ? rec.gpu.join('; ') : 'none found (nvidia-smi absent or no device)'],
    ['Node.js', rec.node],
    ['TensorFlow.js backend', rec.backend ? rec.backend.description : 'not initialised'],
    ['Compute engine', rec.engine ? rec.engine.description : 'not initialised'],
    ['MuJoCo', `${rec.mujoco.version ?? 'unknown'} via ${rec.mujoco.package}`],
    ['Git commit', rec.git.commit ? `${rec.git.commit}${rec.git.dirty ? ' (with uncommitted changes)' : ''}` : 'not a git checkout'],
  ];
  const lines = ['# Environment', '', 'Generated by `make environment` from this machine; every run writes the same record as `environment.json` next to its results.', ''];
  lines.push('| | |', '| --- | --- |');
  for (const [k, v] of rows) lines.push(`| ${k} | ${v} |`);
  lines.push('', '## Packages', '', '| package | installed |', '| --- | --- |');
  for (const [k, v] of Object.entries(rec.packages)) lines.push(`| ${k} | ${v ?? 'not installed'} |`);
  lines.push('');
  return lines.join('\n');
}
