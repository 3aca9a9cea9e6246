#!/usr/bin/env node
// Type-checks lib/ the way the tslab kernel does when a notebook cell imports it: tslab's
// bundled TypeScript 5.0.4, non-strict, ES module syntax, Node10 resolution, declarations on.
// Code that passes `tsc` (strict, 5.9) can still fail here — e.g. boolean discriminated unions
// do not narrow without strictNullChecks — and such an error only shows when a notebook runs.
'use strict';
const path = require('path');
const fs = require('fs');
const ts = require('@tslab/typescript-for-tslab');

const root = path.resolve(__dirname, '..');
function walk(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}
const files = walk(path.join(root, 'lib'), []);
const options = {
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  esModuleInterop: true,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts'],
  declaration: true,
  emitDeclarationOnly: true,
  outDir: path.join(root, 'build', 'tslab-typecheck'),
  resolveJsonModule: true,
  skipLibCheck: true,
  types: ['node'],
};
const program = ts.createProgram(files, options);
const diagnostics = [
  ...ts.getPreEmitDiagnostics(program),
  ...program.getSourceFiles().flatMap((sf) => (sf.isDeclarationFile ? [] : program.getDeclarationDiagnostics(sf))),
];
if (diagnostics.length) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  process.stderr.write(ts.formatDiagnostics(diagnostics, host));
  process.stderr.write(`\ntypecheck-notebook: ${diagnostics.length} error(s) under tslab's TypeScript ${ts.version}\n`);
  process.exit(1);
}
console.log(`typecheck-notebook: ${files.length} lib files OK under tslab's TypeScript ${ts.version}`);
