#!/usr/bin/env node
// Write the tslab kernelspec for this checkout (no `tslab install`, which needs IPython).
//
//   node scripts/notebook/install-kernel.js            -> build/jupyter/kernels/tslab/kernel.json
//   node scripts/notebook/install-kernel.js --user     -> <jupyter data dir>/kernels/tslab/kernel.json
//   node scripts/notebook/install-kernel.js --prefix D -> D/kernels/tslab/kernel.json
//
// Options: --name NAME (kernel directory name, default "tslab"), --display-name TEXT,
//          --print (print the JSON and write nothing).
// The headless runner uses the default location through JUPYTER_PATH=<repo>/build/jupyter.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const LAUNCHER = path.join(__dirname, 'tslab-launcher.js');
const DEFAULT_NAME = 'tslab';
const DEFAULT_DISPLAY_NAME = 'TypeScript (qvpo-kit tslab)';

/** The kernel.json content for this checkout. */
function kernelSpec(opts = {}) {
  return {
    argv: [
      opts.node || process.execPath,
      opts.launcher || LAUNCHER,
      'kernel',
      '--config-path',
      '{connection_file}',
    ],
    display_name: opts.displayName || DEFAULT_DISPLAY_NAME,
    language: 'typescript',
    interrupt_mode: 'signal',
    env: {},
    metadata: { qvpo_kit_root: REPO_ROOT },
  };
}

/** The user's Jupyter data dir: `jupyter --data-dir` if available, else the XDG default. */
function userDataDir() {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  for (const cmd of ['jupyter', '/usr/bin/jupyter']) {
    const r = spawnSync(cmd, ['--data-dir'], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Jupyter');
  const xdg = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(xdg, 'jupyter');
}

function parseArgs(argv) {
  const out = { user: false, prefix: '', name: DEFAULT_NAME, displayName: '', print: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--user') out.user = true;
    else if (a === '--prefix') out.prefix = value();
    else if (a === '--name') out.name = value();
    else if (a === '--display-name') out.displayName = value();
    else if (a === '--print') out.print = true;
    else if (a === '-h' || a === '--help') out.help = true;
    else throw new Error(`unknown argument: ${a}`);
  }
  if (!/^[A-Za-z0-9._-]+$/.test(out.name)) {
    throw new Error(`invalid kernel name ${JSON.stringify(out.name)} (letters, digits, . _ - only)`);
  }
  return out;
}

/** Write kernel.json under `<dataDir>/kernels/<name>/`; returns the file path. */
function installKernel(dataDir, opts = {}) {
  const dir = path.join(dataDir, 'kernels', opts.name || DEFAULT_NAME);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'kernel.json');
  fs.writeFileSync(file, JSON.stringify(kernelSpec(opts), null, 2) + '\n');
  return file;
}

function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`install-kernel: ${e.message}`);
    process.exit(2);
  }
  if (args.help) {
    console.log('usage: install-kernel.js [--user | --prefix DIR] [--name N] [--display-name T] [--print]');
    return;
  }
  if (args.print) {
    console.log(JSON.stringify(kernelSpec(args), null, 2));
    return;
  }
  if (!fs.existsSync(path.join(REPO_ROOT, 'node_modules', 'tslab', 'package.json'))) {
    console.error('install-kernel: node_modules/tslab is missing; run `npm ci` first.');
    process.exit(1);
  }
  const dataDir = args.prefix
    ? path.resolve(args.prefix)
    : args.user
      ? userDataDir()
      : path.join(REPO_ROOT, 'build', 'jupyter');
  const file = installKernel(dataDir, args);
  console.log(`installed kernelspec '${args.name}' -> ${file}`);
  if (!args.user && !args.prefix) {
    console.log(`use it with: JUPYTER_PATH=${dataDir} jupyter ...`);
  }
}

if (require.main === module) main();

module.exports = { kernelSpec, installKernel, userDataDir, parseArgs, REPO_ROOT, LAUNCHER };
