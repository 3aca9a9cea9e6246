#!/usr/bin/env node
/**
 * Builds the smallest node_modules that loads the given packages on Linux x86-64:
 *   1. copies each package and its `dependencies` (recursively) from the search folders into
 *      DEST/node_modules, without other platforms' native builds, source maps and READMEs;
 *   2. loads the CommonJS packages in a child Node process and records every file it read;
 *   3. keeps only those files, each kept package's package.json files, its native and WebAssembly
 *      binaries (.node, .so*, .wasm), and the whole of each ESM-only package named with --esm
 *      (Node's require cache does not list ESM files).
 *
 *   node scripts/gpu/copy-packages.js DEST SEARCH_DIR[:SEARCH_DIR...] [--esm PKG]... PKG [PKG...]
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const args = process.argv.slice(2);
const [dest, searchList] = args;
const roots = [];
const esm = [];
for (let i = 2; i < args.length; i++) {
  if (args[i] === '--esm') esm.push(args[++i]);
  else roots.push(args[i]);
}
if (!dest || !searchList || roots.length + esm.length === 0) {
  console.error('usage: copy-packages.js DEST SEARCH_DIR[:SEARCH_DIR...] [--esm PKG]... PKG [PKG...]');
  process.exit(2);
}
const search = searchList.split(':');

function locate(name) {
  for (const dir of search) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(`package "${name}" is in none of ${search.join(', ')}`);
}

/** Files a linux-x64 Node process never needs. */
function unneeded(rel) {
  const parts = rel.split(path.sep);
  if (/\.(map|md|markdown|ts|tsx)$/i.test(rel)) return true;
  const napi = parts.findIndex((p) => /^napi-v\d+$/.test(p));
  if (napi >= 0 && parts.length > napi + 2 && (parts[napi + 1] !== 'linux' || parts[napi + 2] !== 'x64')) return true;
  if (parts[0] === 'dist' && /^(darwin|win32|linux)-/.test(parts[1] ?? '') && parts[1] !== 'linux-x64') return true;
  return parts[0] === 'node_modules'; // nested copies are staged as packages of their own
}

function walk(root, rel, visit) {
  for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = path.join(rel, entry.name);
    if (unneeded(r)) continue;
    if (entry.isDirectory()) walk(root, r, visit);
    else if (entry.isFile()) visit(r);
  }
}

function copyFile(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

// 1. stage the dependency closure
const stage = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'qvpo-stage-'));
const staged = path.join(stage, 'node_modules');
const packages = new Map();
const queue = [...roots, ...esm];
while (queue.length > 0) {
  const name = queue.shift();
  if (packages.has(name)) continue;
  const from = locate(name);
  packages.set(name, from);
  const manifest = JSON.parse(fs.readFileSync(path.join(from, 'package.json'), 'utf8'));
  queue.push(...Object.keys(manifest.dependencies ?? {}));
  walk(from, '', (r) => copyFile(path.join(from, r), path.join(staged, name, r)));
}

// 2. load the CommonJS roots there and list what was read
const probe = `for (const m of ${JSON.stringify(roots)}) require(m); process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
const loaded = JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: stage, encoding: 'utf8' }));

// 3. keep what was read, plus manifests, binaries and the ESM packages
const keep = new Set();
for (const file of loaded) {
  const rel = path.relative(staged, file);
  if (!rel.startsWith('..')) keep.add(rel);
}
const packageOf = (rel) => {
  const parts = rel.split(path.sep);
  return parts[0].startsWith('@') ? path.join(parts[0], parts[1]) : parts[0];
};
const used = new Set([...keep].map(packageOf));
for (const name of esm) used.add(name);
for (const name of used) {
  walk(path.join(staged, name), '', (r) => {
    // every package.json: nested ones (dist/cjs/package.json) set the module type of their folder
    if (path.basename(r) === 'package.json' || /\.(node|wasm)$|\.so(\.\d+)*$/.test(r) || esm.includes(name)) keep.add(path.join(name, r));
  });
}
let bytes = 0;
for (const rel of keep) {
  copyFile(path.join(staged, rel), path.join(dest, 'node_modules', rel));
  bytes += fs.statSync(path.join(staged, rel)).size;
}
fs.rmSync(stage, { recursive: true, force: true });
console.log(`node_modules: ${keep.size} files of ${used.size} packages, ${(bytes / 2 ** 20).toFixed(1)} MiB (${[...used].sort().join(', ')})`);
