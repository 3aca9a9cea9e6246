#!/usr/bin/env node
// Entry point of `npx qvpo-kit`: loads the TypeScript CLI through tsx.
'use strict';
require('tsx/cjs');
const { main } = require('../cli/qvpo-kit.ts');
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`qvpo-kit: ${e && e.message ? e.message : e}`);
    process.exit(2);
  },
);
