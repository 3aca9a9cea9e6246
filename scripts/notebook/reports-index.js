#!/usr/bin/env node
// Writes reports/index.html: one row per report in the folder, with the title and the stamp
// (profile, commit, backend, date) that the notebook embedded when it ran.
//
//   node scripts/notebook/reports-index.js [--dir reports]
'use strict';
const fs = require('fs');
const path = require('path');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const escapeHtml = (t) => String(t).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const unescapeAttr = (t) => t.replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

/** Title (first h1) and stamp of one exported notebook; the stamp is null when the notebook has none. */
function describeReport(file) {
  const html = fs.readFileSync(file, 'utf8');
  const h1 = html.match(/<h1[^>]*>([\s\S]*?)<\/h1>/);
  const decode = (t) => t.replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n))).replace(/&amp;/g, '&');
  const title = h1 ? decode(h1[1].replace(/<[^>]+>/g, '')).replace(/¶/g, '').trim() : path.basename(file, '.html');
  const m = html.match(/data-qvpo-stamp='([^']*)'/);
  let stamp = null;
  if (m) {
    try {
      stamp = JSON.parse(unescapeAttr(m[1]));
    } catch {
      stamp = null;
    }
  }
  return { name: path.basename(file), title, stamp };
}

function main() {
  const dir = path.resolve(arg('--dir', 'reports'));
  if (!fs.existsSync(dir)) throw new Error(`reports folder ${dir} does not exist: run make notebooks first`);
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.html') && f !== 'index.html')
    .sort();
  if (files.length === 0) throw new Error(`no reports in ${dir}: run make notebooks first`);
  const rows = files.map((f) => describeReport(path.join(dir, f)));
  const cell = (s, key) => escapeHtml(s.stamp ? s.stamp[key] ?? 'n/a' : 'no stamp');
  const body = rows
    .map((r) => {
      const commit = r.stamp && r.stamp.commit ? `${r.stamp.commit.slice(0, 10)}${r.stamp.dirty ? ' (modified)' : ''}` : 'n/a';
      return (
        `<tr><td><a href="${escapeHtml(r.name)}">${escapeHtml(r.title)}</a></td><td>${cell(r, 'profile')}</td>` +
        `<td><code>${escapeHtml(commit)}</code></td><td>${cell(r, 'backend')}</td><td>${cell(r, 'date')}</td></tr>`
      );
    })
    .join('\n');
  const page = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>qvpo-kit reports</title>
<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}</style>
</head><body>
<h1>qvpo-kit reports</h1>
<p>Executed notebooks, each stamped with the profile, commit, backend and date of its run.</p>
<table><thead><tr><th>report</th><th>profile</th><th>commit</th><th>backend</th><th>date (UTC)</th></tr></thead>
<tbody>
${body}
</tbody></table>
</body></html>
`;
  fs.writeFileSync(path.join(dir, 'index.html'), page);
  console.log(`reports index: ${rows.length} report(s) -> ${path.join(dir, 'index.html')}`);
  for (const r of rows) if (!r.stamp) console.log(`  warning: ${r.name} has no stamp (exported before stamps, or the stamp cell failed)`);
}

try {
  main();
} catch (e) {
  console.error(`reports-index: ${e.message}`);
  process.exit(1);
}
