/** lib/results/table1: rows, paper columns, "differs from paper", aggregates, Markdown/CSV output, atomic writes. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseCsv } from '../../lib/report/table';
import { listRuns } from '../../lib/results/runs';
import { iqm, mean, std, stratifiedBootstrapCI } from '../../lib/stats';
import {
  TABLE1_CSV_COLUMNS,
  Table1Row,
  buildTable1,
  formatDiffValue,
  table1Markdown,
  writeTable1,
} from '../../lib/results/table1';

const tmpRoots: string[] = [];
after(() => {
  for (const d of tmpRoots) fs.rmSync(d, { recursive: true, force: true });
});
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-table1-test-'));
  tmpRoots.push(d);
  return d;
}

interface Spec {
  profile?: string;
  algo: string;
  env: string;
  seed: number;
  final: number;
  state?: 'running' | 'complete' | 'failed';
  paperDiff?: { key: string; value: unknown; paper: unknown }[];
}

const TOTAL = 100_000;

function writeRun(root: string, s: Spec): void {
  const profile = s.profile ?? 'quick';
  const dir = path.join(root, profile, s.algo, s.env, `seed-${s.seed}`);
  fs.mkdirSync(dir, { recursive: true });
  const state = s.state ?? 'complete';
  const step = state === 'complete' ? TOTAL : 20_000;
  fs.writeFileSync(
    path.join(dir, 'status.json'),
    JSON.stringify({
      state,
      algo: s.algo,
      env: s.env,
      seed: s.seed,
      profile,
      step,
      totalSteps: TOTAL,
      startedAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T02:00:00Z',
      paperDiff: s.paperDiff ?? [{ key: 'totalSteps', value: TOTAL, paper: 1_000_000 }],
    }),
  );
  const lines = ['step,return_mean,return_std,episodes,wall_seconds'];
  for (let k = 10_000; k <= step; k += 10_000) {
    const r = k === TOTAL ? s.final : s.final / 2 + k / 1000; // only the last row is the final return
    lines.push(`${k},${r},12.5,10,${k / 100}`);
  }
  fs.writeFileSync(path.join(dir, 'eval.csv'), lines.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'train.csv'), 'step,episode,episode_return,episode_length\n');
}

const QVPO_DIFF = [
  { key: 'trainSamples', value: 16, paper: 64 },
  { key: 'totalSteps', value: TOTAL, paper: 1_000_000 },
];
const FINALS: Record<string, Record<string, number[]>> = {
  'Hopper-v3': { qvpo: [3500, 3600, 3700], sac: [2900, 3000, 3100] },
  'Walker2d-v3': { qvpo: [5000, 5100, 5300], sac: [4800, 4900, 4850] },
};

/** 2 envs × 2 algorithms × 3 seeds, plus a running run, a failed run and a run of another profile. */
function syntheticRoot(): string {
  const root = tmpDir();
  for (const env of Object.keys(FINALS)) {
    for (const algo of ['qvpo', 'sac']) {
      FINALS[env][algo].forEach((final, seed) => {
        const paperDiff =
          algo === 'qvpo'
            ? QVPO_DIFF
            : seed === 2
              ? [{ key: 'totalSteps', value: TOTAL, paper: 1_000_000 }, { key: 'batchSize', value: 128, paper: 256 }]
              : undefined;
        writeRun(root, { algo, env, seed, final, paperDiff });
      });
    }
  }
  writeRun(root, { algo: 'qvpo', env: 'Hopper-v3', seed: 3, final: 0, state: 'running' });
  writeRun(root, { algo: 'sac', env: 'Walker2d-v3', seed: 7, final: 0, state: 'failed' });
  writeRun(root, { profile: 'smoke', algo: 'qvpo', env: 'Hopper-v3', seed: 0, final: 1 });
  return root;
}

const OPTIONS = {
  profile: 'quick',
  algorithms: ['QVPO', 'SAC', 'TD3'],
  envs: ['Hopper-v3', 'Walker2d-v3'],
  bootstrap: { reps: 500, seed: 1 },
  date: '2026-02-03T04:05:06.000Z',
};

function row(rows: Table1Row[], env: string, algorithm: string): Table1Row {
  const r = rows.find((x) => x.env === env && x.algorithm === algorithm);
  assert.ok(r, `row ${env} / ${algorithm}`);
  return r;
}

test('rows per (task, algorithm): final-eval stats over seeds, paper columns, differs-from-paper', () => {
  const table = buildTable1(listRuns(syntheticRoot()), OPTIONS);
  assert.equal(table.rows.length, 6);
  assert.deepEqual(table.rows.map((r) => `${r.env}/${r.algorithm}`), [
    'Hopper-v3/QVPO',
    'Hopper-v3/SAC',
    'Hopper-v3/TD3',
    'Walker2d-v3/QVPO',
    'Walker2d-v3/SAC',
    'Walker2d-v3/TD3',
  ]);
  const q = row(table.rows, 'Hopper-v3', 'QVPO');
  const scores = FINALS['Hopper-v3'].qvpo;
  assert.equal(q.runs, 3, 'the running seed-3 run is not counted');
  assert.deepEqual(q.seeds, [0, 1, 2]);
  assert.equal(q.mean, mean(scores));
  assert.equal(q.std, std(scores, 0));
  assert.ok(Math.abs((q.std as number) - Math.sqrt(20000 / 3)) < 1e-9, 'ddof 0');
  assert.equal(q.iqm, iqm(scores));
  assert.deepEqual(
    { point: q.iqm, lo: q.iqmLo, hi: q.iqmHi },
    stratifiedBootstrapCI([scores], iqm, { reps: 500, seed: 1 }),
  );
  assert.ok((q.iqmLo as number) <= (q.iqm as number) && (q.iqm as number) <= (q.iqmHi as number));
  assert.equal(q.paperMean, 3728.5);
  assert.equal(q.paperStd, 13.8);
  assert.equal(q.paperEnv, 'Hopper-v3');
  assert.ok(Math.abs((q.diffPct as number) - (100 * (3600 - 3728.5)) / 3728.5) < 1e-9);
  assert.equal(q.differsFromPaper, 'Nd 16 (paper 64); steps 100k (paper 1M)');

  const s = row(table.rows, 'Walker2d-v3', 'SAC');
  assert.equal(s.runs, 3, 'the failed seed-7 run is not counted');
  assert.equal(s.differsFromPaper, 'steps 100k (paper 1M); batch 128 (paper 256) [1/3 runs]');

  const td3 = row(table.rows, 'Hopper-v3', 'TD3');
  assert.equal(td3.runs, 0);
  assert.deepEqual([td3.mean, td3.std, td3.iqm, td3.iqmLo, td3.iqmHi, td3.diffPct], [null, null, null, null, null, null]);
  assert.equal(td3.differsFromPaper, '');
  assert.deepEqual([td3.paperMean, td3.paperStd], [3267.5, 8.5]);

  assert.deepEqual(
    table.excluded.map((x) => [x.id, x.reason]),
    [
      ['quick/qvpo/Hopper-v3/seed-3', 'running (step 20000 of 100000)'],
      ['quick/sac/Walker2d-v3/seed-7', 'failed at step 20000 of 100000'],
    ],
    'incomplete runs of the profile are listed; the smoke run is not',
  );
  assert.equal(table.generatedAt, '2026-02-03T04:05:06.000Z');
  assert.deepEqual(table.finalEvalEpisodes, [10]);
});

test('aggregate rows: scores normalised by the paper QVPO mean per task', () => {
  const table = buildTable1(listRuns(syntheticRoot()), OPTIONS);
  assert.equal(table.normaliseBy, 'QVPO');
  assert.deepEqual(table.aggregates.map((r) => r.algorithm), ['QVPO', 'SAC'], 'no aggregate for TD3 (no runs)');
  const sac = table.aggregates[1];
  const nh = FINALS['Hopper-v3'].sac.map((x) => x / 3728.5);
  const nw = FINALS['Walker2d-v3'].sac.map((x) => x / 5191.8);
  assert.equal(sac.kind, 'aggregate');
  assert.deepEqual(sac.tasks, ['Hopper-v3', 'Walker2d-v3']);
  assert.equal(sac.runs, 6);
  assert.ok(Math.abs((sac.mean as number) - (mean(nh) + mean(nw)) / 2) < 1e-12);
  assert.deepEqual({ point: sac.iqm, lo: sac.iqmLo, hi: sac.iqmHi }, stratifiedBootstrapCI([nh, nw], iqm, { reps: 500, seed: 1 }));
  assert.ok(Math.abs((sac.paperMean as number) - (2996.6 / 3728.5 + 4888.1 / 5191.8) / 2) < 1e-12);
  assert.equal(buildTable1(listRuns(syntheticRoot()), { ...OPTIONS, aggregate: false }).aggregates.length, 0);
});

test('defaults: all paper tasks and algorithms; another task version is compared with the paper task', () => {
  const root = syntheticRoot();
  writeRun(root, { algo: 'qvpo', env: 'Hopper-v4', seed: 0, final: 3000 });
  writeRun(root, { algo: 'random', env: 'Hopper-v3', seed: 0, final: 18 });
  const table = buildTable1(listRuns(root), { profile: 'quick', bootstrap: { reps: 100 }, date: OPTIONS.date });
  const paperRows = table.rows.filter((r) => ['Hopper-v3', 'Walker2d-v3', 'Ant-v3', 'HalfCheetah-v3', 'Humanoid-v3'].includes(r.env));
  assert.equal(paperRows.length, 5 * 8, '5 paper tasks × (7 paper algorithms + random)');
  const v4 = table.rows.filter((r) => r.env === 'Hopper-v4');
  assert.deepEqual(v4.map((r) => r.algorithm), ['QVPO'], 'a non-paper task id only gets rows for algorithms with runs');
  assert.equal(v4[0].paperEnv, 'Hopper-v3');
  assert.equal(v4[0].paperMean, 3728.5);
  assert.equal(v4[0].differsFromPaper, 'env Hopper-v4 (paper Hopper-v3); steps 100k (paper 1M)');
  const rnd = row(table.rows, 'Hopper-v3', 'random');
  assert.equal(rnd.paperMean, null);
  assert.equal(rnd.note, 'not in the paper');
  const qsm = row(table.rows, 'Ant-v3', 'QSM');
  assert.equal(qsm.paperNA, true);
  assert.match(table1Markdown(table), /\| Ant-v3 \| QSM \| 0 \| {2}\| {2}\| N\/A \|/);
  assert.throws(() => buildTable1([], { profile: '' }), /options\.profile/);
});

test('formatDiffValue: compact step counts', () => {
  assert.deepEqual([100_000, 1_000_000, 1_500_000, 10_000, 64, 3e-4, true, 'cosine', null].map(formatDiffValue), [
    '100k',
    '1M',
    '1.5M',
    '10k',
    '64',
    '0.0003',
    'on',
    'cosine',
    'none',
  ]);
});

test('writeTable1: table1.md and table1.csv, no temporary files left', () => {
  const table = buildTable1(listRuns(syntheticRoot()), OPTIONS);
  const out = path.join(tmpDir(), 'reports', 'quick');
  const written = writeTable1(table, out);
  writeTable1(table, out); // overwriting works and leaves nothing behind
  assert.deepEqual(fs.readdirSync(out).sort(), ['table1.csv', 'table1.md']);
  assert.equal(written.markdown, path.join(out, 'table1.md'));

  const md = fs.readFileSync(written.markdown, 'utf8');
  assert.match(md, /^# Table 1 — final evaluation return \(profile `quick`\)/);
  assert.match(md, /Generated 2026-02-03T04:05:06\.000Z/);
  assert.match(md, /12 complete run\(s\) counted, 2 incomplete run\(s\) excluded/);
  assert.match(md, /last row of its eval\.csv/);
  assert.match(md, /ddof = 0/);
  assert.match(md, /95% CI is a percentile stratified bootstrap \(500 replicates, seed 1\)/);
  assert.match(md, /over 5 runs after 1M environment steps/);
  assert.match(md, /\| Task \| Algorithm \| Runs \| Final return mean \(std\) \| IQM \[95% CI\] \| Paper mean \(std\) \| Δ mean vs paper \| Differs from paper \| Note \|/);
  assert.match(md, /\| Hopper-v3 \| QVPO \| 3 \| 3600\.0 \(81\.6\) \| 3600\.0 \[\d+\.\d, \d+\.\d\] \| 3728\.5 \(13\.8\) \| −3\.4% \| Nd 16 \(paper 64\); steps 100k \(paper 1M\) \| {2}\|/);
  assert.match(md, /\| Hopper-v3 \| TD3 \| 0 \| {2}\| {2}\| 3267\.5 \(8\.5\) \| {2}\| {2}\| {2}\|/);
  assert.match(md, /## Aggregate across tasks/);
  assert.match(md, /## Incomplete runs \(excluded\)\n\n- `quick\/qvpo\/Hopper-v3\/seed-3`: running \(step 20000 of 100000\)\n- `quick\/sac\/Walker2d-v3\/seed-7`: failed at step 20000 of 100000\n/);

  const csv = parseCsv(fs.readFileSync(written.csv, 'utf8'));
  assert.deepEqual(csv.columns, [...TABLE1_CSV_COLUMNS]);
  assert.equal(csv.rows.length, 6 + 2);
  const q = csv.rows.find((r) => r.env === 'Hopper-v3' && r.algorithm === 'QVPO');
  assert.ok(q);
  assert.equal(q.profile, 'quick');
  assert.equal(q.kind, 'task');
  assert.equal(q.runs, 3);
  assert.equal(q.seeds, '0 1 2');
  assert.equal(q.mean, 3600);
  assert.equal(q.std, row(table.rows, 'Hopper-v3', 'QVPO').std);
  assert.equal(q.paper_mean, 3728.5);
  assert.equal(q.paper_na, false);
  assert.equal(q.differs_from_paper, 'Nd 16 (paper 64); steps 100k (paper 1M)');
  const td3 = csv.rows.find((r) => r.env === 'Hopper-v3' && r.algorithm === 'TD3');
  assert.ok(td3);
  assert.deepEqual([td3.runs, td3.mean, td3.iqm, td3.paper_mean], [0, null, null, 3267.5]);
  assert.deepEqual(csv.rows.filter((r) => r.kind === 'aggregate').map((r) => r.algorithm), ['QVPO', 'SAC']);
});

test('writeTable1: a failed write removes its temporary file', () => {
  const table = buildTable1([], { profile: 'quick', bootstrap: { reps: 10 }, date: OPTIONS.date });
  const out = tmpDir();
  fs.mkdirSync(path.join(out, 'table1.md')); // rename onto a directory fails
  assert.throws(() => writeTable1(table, out));
  assert.deepEqual(fs.readdirSync(out), ['table1.md']);
  assert.ok(fs.statSync(path.join(out, 'table1.md')).isDirectory());
  const md = table1Markdown(table);
  assert.match(md, /0 complete run\(s\) counted, 0 incomplete/);
  assert.match(md, /## Incomplete runs \(excluded\)\n\nNone\./);
  assert.equal(table.rows.length, 35, 'no runs: the paper table alone');
});
