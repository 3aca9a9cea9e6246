#!/usr/bin/env node
// Writes the index of one profile's reports: one row per report in the folder, with the title
// and the stamp (profile, commit, backend, date) that the notebook embedded when it ran.
// With --top, also the top index that links each profile's index (reports/index.html).
//
//   node scripts/notebook/reports-index.js --dir reports/quick [--top reports]
//
// The top index leaves out smoke: its reports are CI checks that git ignores, and listing them
// would change the committed top index whenever someone runs the smoke profile.
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

const PAGE_STYLE = 'body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}';
const PROFILE_ORDER = ['quick', 'medium', 'paper'];

function page(title, intro, head, body) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>${intro}</p>
<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody></table>
</body></html>
`;
}

/** reports/index.html: a row per profile folder with an index (smoke left out, see above). */
function writeTopIndex(top) {
  const profiles = PROFILE_ORDER.filter((p) => fs.existsSync(path.join(top, p, 'index.html')));
  const body = profiles
    .map((p) => {
      const reports = fs.readdirSync(path.join(top, p)).filter((f) => f.endsWith('.html') && f !== 'index.html');
      const dates = reports.map((f) => describeReport(path.join(top, p, f)).stamp?.date).filter(Boolean).sort();
      return `<tr><td><a href="${p}/index.html">${p}</a></td><td>${reports.length}</td><td>${escapeHtml(dates[dates.length - 1] ?? 'n/a')}</td></tr>`;
    })
    .join('\n');
  const intro = 'Executed notebooks, one folder per profile, so that no profile overwrites another\'s. Smoke reports (CI checks) stay in <code>reports/smoke/</code>, which git ignores.';
  fs.writeFileSync(path.join(top, 'index.html'), page('qvpo-kit reports', intro, ['profile', 'reports', 'latest (UTC)'], body));
  console.log(`reports top index: ${profiles.join(', ') || 'no profile'} -> ${path.join(top, 'index.html')}`);
}

function main() {
  const dir = path.resolve(arg('--dir', 'reports'));
  if (!fs.existsSync(dir)) throw new Error(`reports folder ${dir} does not exist: run make notebooks first`);
  const pages = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.html') && f !== 'index.html')
    .sort();
  // Rollout pages (qvpo-kit rollout) are replays, not executed notebooks: listed apart, unstamped.
  const isRollout = (f) => f.startsWith('rollout-');
  const files = pages.filter((f) => !isRollout(f));
  const rollouts = pages.filter(isRollout);
  if (files.length === 0) throw new Error(`no reports in ${dir}: run make notebooks first`);
  const topArg = arg('--top', '');
  const top = topArg ? path.resolve(topArg) : '';
  if (top && path.dirname(dir) !== top) throw new Error(`--top ${top}: expected the folder that holds --dir ${dir}`);
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
  const rolloutLinks = rollouts.map((f) => `<a href="${escapeHtml(f)}">${escapeHtml(describeReport(path.join(dir, f)).title)}</a>`).join(', ');
  const intro =
    'Executed notebooks, each stamped with the profile, commit, backend and date of its run.' +
    (top ? ' <a href="../index.html">All profiles</a>.' : '') +
    (rollouts.length ? ` Rollout pages (a trained policy replayed in 3-D, <code>qvpo-kit rollout</code>): ${rolloutLinks}.` : '');
  fs.writeFileSync(path.join(dir, 'index.html'), page(`qvpo-kit reports (${path.basename(dir)})`, intro, ['report', 'profile', 'commit', 'backend', 'date (UTC)'], body));
  console.log(`reports index: ${rows.length} report(s) -> ${path.join(dir, 'index.html')}`);
  for (const r of rows) if (!r.stamp) console.log(`  warning: ${r.name} has no stamp (exported before stamps, or the stamp cell failed)`);
  if (top) writeTopIndex(top);
}

try {
  main();
} catch (e) {
  console.error(`reports-index: ${e.message}`);
  process.exit(1);
}
