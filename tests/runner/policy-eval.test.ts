/**
 * A complete run keeps policy.bin, and `qvpo-kit eval` on it replays the run's final
 * evaluation: the same reset seeds and the policy's generator as that evaluation began, so on
 * the same engine the returns are the ones in the last row of eval.csv, exactly (QVPO draws
 * its evaluation candidates from the generator; PPO normalises observations). With --seed the
 * episodes are fresh and the same seed gives the same returns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planRun } from '../../lib/runner/plan';
import { trainRun } from '../../lib/runner/train';
import { evaluatePolicy, openPolicy } from '../../lib/runner/policy-eval';
import { readPolicyFile } from '../../lib/runner/policy-file';
import { parseCsv } from '../../lib/report/table';
import { cmdEval } from '../../cli/policy-commands';

const ROOT = path.resolve(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-policy-eval-'));
// Two evaluations of two episodes each: the final one is evaluation 1, not 0.
const settings = { profile: 'smoke', root: tmp, variant: 'policy-eval', protocolOverrides: { evalEpisodes: 2 } };

function lastEvalRow(dir: string): Record<string, unknown> {
  const rows = parseCsv(fs.readFileSync(path.join(dir, 'eval.csv'), 'utf8')).rows;
  return rows[rows.length - 1] as Record<string, unknown>;
}

async function completeRun(algo: string): Promise<string> {
  const plan = planRun({ algo, env: 'Hopper-v3', seed: 3, ...settings });
  assert.equal(await trainRun(plan, { quiet: true, log: () => {} }), 'complete');
  return plan.dir;
}

for (const algo of ['qvpo', 'ppo']) {
  test(`${algo}: eval of policy.bin equals the run's last eval.csv row; --seed is deterministic`, { timeout: 120_000 }, async () => {
    const dir = await completeRun(algo);
    assert.ok(fs.existsSync(path.join(dir, 'policy.bin')), 'a complete run keeps policy.bin');
    assert.ok(!fs.existsSync(path.join(dir, 'checkpoint.bin')), 'and drops its checkpoint');
    const contents = readPolicyFile(path.join(dir, 'policy.bin'));
    assert.equal(contents.finalEvaluation.index, 1);
    assert.equal(contents.finalEvaluation.step, 300);

    const row = lastEvalRow(dir);
    const replay = await evaluatePolicy(dir);
    assert.equal(replay.replaysFinalEvaluation, true);
    assert.equal(replay.engineNote, null, 'evaluated on the engine the run used');
    assert.equal(replay.returns.length, 2);
    assert.deepEqual(replay.returns, contents.finalEvaluation.returns);
    assert.equal(replay.mean, row.return_mean, 'mean return as in eval.csv');
    assert.equal(replay.std, row.return_std);
    assert.equal((replay.lengths[0] + replay.lengths[1]) / 2, row.length_mean);

    // More episodes than the run's evaluation had: the first ones are still the run's.
    const longer = await evaluatePolicy(dir, { episodes: 3 });
    assert.deepEqual(longer.returns.slice(0, 2), replay.returns);

    const seeded = await evaluatePolicy(dir, { seed: 5, episodes: 2 });
    const again = await evaluatePolicy(dir, { seed: 5, episodes: 2 });
    assert.deepEqual(again.returns, seeded.returns, 'the same seed, the same returns');
    assert.notDeepEqual(seeded.seeds, replay.seeds, 'a seed gives other episodes than the replay');
  });
}

test('qvpo-kit eval prints per-episode returns and mean ± std that match eval.csv', { timeout: 120_000 }, async () => {
  const dir = path.join(tmp, 'smoke-policy-eval', 'qvpo', 'Hopper-v3', 'seed-3');
  if (!fs.existsSync(path.join(dir, 'policy.bin'))) await completeRun('qvpo');
  const row = lastEvalRow(dir);
  const cli = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'qvpo-kit.js'), 'eval', '--run', dir], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /episode 1: return -?\d+\.\d\d, \d+ steps \(reset seed \d+\)/);
  assert.match(cli.stdout, /episode 2: return/);
  const mean = (row.return_mean as number).toFixed(2);
  const std = (row.return_std as number).toFixed(2);
  assert.ok(cli.stdout.includes(`mean ${mean} ± ${std} over 2 episode(s)`), cli.stdout);
});

test('eval refuses bad flags and runs without a policy, saying why, before evaluating', async () => {
  const args = (argv: string[]) => {
    const rest = [...argv];
    return {
      take(name: string) {
        const i = rest.indexOf(name);
        return i < 0 ? undefined : rest.splice(i, 2)[1];
      },
      rest,
    };
  };
  await assert.rejects(cmdEval(args([])), /eval needs --run DIR/);
  await assert.rejects(cmdEval(args(['--run', tmp, '--episodes', '2x'])), /--episodes must be a whole number from 1 to 10000, got "2x"/);
  await assert.rejects(cmdEval(args(['--run', tmp, '--seed', '-1'])), /--seed must be a whole number/);
  await assert.rejects(cmdEval(args(['--run', path.join(tmp, 'nowhere')])), /run directory .*nowhere does not exist/);
  await assert.rejects(cmdEval(args(['--run', tmp, '--bogus', '1'])), /unexpected argument\(s\) --bogus 1/);

  const stopped = planRun({ algo: 'td3', env: 'Hopper-v3', seed: 0, ...settings });
  assert.equal(await trainRun(stopped, { quiet: true, log: () => {}, stopAfterSteps: 120 }), 'stopped');
  await assert.rejects(openPolicy(stopped.dir), /policy\.bin does not exist: the run is running, and only complete runs have one/);
});
