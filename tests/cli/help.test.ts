/**
 * The CLI's help: each command's --help lists every flag its parser accepts (its own flags, and
 * for train and sweep every algorithm and protocol setting), the parser accepts nothing else,
 * and the help starts without loading TensorFlow.js or ONNX Runtime.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Args, COMMANDS, EXIT_CODE_TEXT, commandHelp, main } from '../../cli/qvpo-kit';
import { algorithm, algorithmIds } from '../../lib/agents/registry';
import { flagName } from '../../lib/config/schema';
import { PROFILES, protocolSchema } from '../../lib/runner/profiles';
import { ABLATIONS } from '../../lib/runner/ablations';
import { EXIT_CODES } from '../../lib/runner/train';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'qvpo-kit.js');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Whether `flag` appears in `text` as a whole flag (not as the start of a longer one). */
const mentions = (text: string, flag: string) => new RegExp(`(^|[\\s\\[|,(])${flag}(?![\\w-])`, 'm').test(text);

/** Every flag a command's parser accepts: its declared flags, plus the settings for train and sweep. */
function acceptedFlags(command: string, algo: string): string[] {
  const c = COMMANDS[command];
  const settings = c.settings ? [...Object.keys(algorithm(algo).schema.fields), ...Object.keys(protocolSchema.fields)].map(flagName) : [];
  return [...c.flags.map((f) => f.name), ...settings];
}

test('every command is documented, and each command\'s --help lists every flag it accepts', () => {
  assert.deepEqual(Object.keys(COMMANDS).sort(), ['ablation', 'dataset', 'eval', 'help', 'rollout', 'run-index', 'status', 'sweep', 'table', 'train']);
  for (const command of Object.keys(COMMANDS)) {
    const text = commandHelp(command, []);
    assert.ok(text.startsWith(`usage: qvpo-kit ${command}`), `${command}: usage line`);
    for (const flag of [...acceptedFlags(command, 'qvpo'), '--help']) assert.ok(mentions(text, flag), `${command} --help lists ${flag}`);
  }
  // train's help for each algorithm lists that algorithm's settings (and the protocol's).
  for (const algo of algorithmIds()) {
    const text = commandHelp('train', ['--algo', algo]);
    for (const flag of acceptedFlags('train', algo)) assert.ok(mentions(text, flag), `train --algo ${algo} --help lists ${flag}`);
  }
});

test('--help through bin/qvpo-kit.js: train --algo qvpo lists run flags, protocol and algorithm settings', () => {
  const r = cli(['train', '--algo', 'qvpo', '--help']);
  assert.equal(r.code, 0, r.out);
  for (const flag of ['--env', '--seed', '--variant', '--profile', '--fresh', '--quiet', '--root', '--total-steps', '--eval-interval', '--eval-episodes', '--train-samples', '--behaviour-samples']) {
    assert.ok(mentions(r.out, flag), `train --help lists ${flag}`);
  }
  // Values are those of the default profile (quick) on its first task, with the default they replace.
  assert.match(r.out, /--total-steps <int> {2}\[20000; default 1000000\]/);
  const paper = cli(['train', '--algo', 'sac', '--profile', 'paper', '--env', 'Ant-v3', '-h']);
  assert.equal(paper.code, 0, paper.out);
  assert.match(paper.out, /sac settings at profile paper on Ant-v3:/);
  assert.match(paper.out, /--total-steps <int> {2}\[1000000\]/);
  assert.ok(!mentions(paper.out, '--train-samples'), 'sac has no QVPO settings');
});

test('the overview names every command, algorithm and profile; help topics are checked', () => {
  for (const args of [[], ['--help'], ['help']]) {
    const r = cli(args);
    assert.equal(r.code, 0, r.out);
    for (const command of Object.keys(COMMANDS)) assert.match(r.out, new RegExp(`^ {2}${command} +\\S`, 'm'), `overview lists ${command}`);
    assert.ok(r.out.includes(`algorithms: ${algorithmIds().join(', ')} `), 'overview lists the algorithms');
    for (const profile of Object.keys(PROFILES)) assert.match(r.out, new RegExp(`^ {2}${profile}: \\S`, 'm'), `overview describes ${profile}`);
  }
  assert.match(cli(['help', 'sweep']).out, /usage: qvpo-kit sweep/);
  assert.match(cli(['help', 'dipo']).out, /named variants \(--variant NAME\):\n {2}qvpo-repo:/);
  assert.match(cli(['help', 'protocol']).out, /--eval-interval <int> {2}\[10000\]/);
  const bad = cli(['help', 'trian']);
  assert.equal(bad.code, 2);
  assert.match(bad.out, /help: unknown topic "trian": expected a command \(train, sweep, .*\), an algorithm \(qvpo, .*\) or protocol/);
  const unknown = cli(['trian']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.out, /unknown command "trian": expected one of train, sweep, run-index, table, ablation, status, eval, rollout, dataset, help/);
});

test('the parser accepts only declared flags: anything else is refused, naming it', async () => {
  const cases: [string[], RegExp][] = [
    [['train', '--env', 'Hopper-v3', '--bogus', '1'], /unknown argument\(s\): --bogus 1/],
    [['sweep', '--profile', 'smoke', '--bogus'], /unknown argument\(s\): --bogus/],
    [['table', '--env', 'Hopper-v3'], /table: unexpected argument\(s\) --env Hopper-v3/],
    [['status', '--out', 'x'], /status: unexpected argument\(s\) --out x/],
    [['status', '--manifest', 'm.json', '--root', 'x'], /status --manifest takes neither --profile nor --root/],
    [['run-index', '--manifest', 'm.json', '--seed', '1'], /run-index: unexpected argument\(s\) --seed 1/],
    [['ablation', '--name', 'entropy', '--env', 'Ant-v3'], /ablation: unexpected arguments --env Ant-v3/],
    [['eval', '--run', 'x', '--out', 'y.html'], /eval: unexpected argument\(s\) --out y\.html/],
    [['rollout', '--run', 'x', '--out', 'y.html', '--episodes', '3'], /rollout: unexpected argument\(s\) --episodes 3/],
    [['sweep', '--partition', 'gpu'], /--partition: only with --executor slurm or k8s/],
    [['train', '--env', 'Hopper-v3', '--quiet=1'], /unknown argument\(s\): --quiet=1/],
    [['train', '--env', 'Hopper-v3', '--env', 'Ant-v3'], /--env given twice/],
    [['train', '--env'], /--env needs a value \(ID\)/],
  ];
  for (const [argv, message] of cases) await assert.rejects(main(argv), message, argv.join(' '));
});

test('Args: values, switches, the rest; reading an undeclared flag is a bug', () => {
  const flags = [{ name: '--env', value: 'ID', doc: '' }, { name: '--fresh', doc: '' }];
  const a = new Args('train', flags, ['--lr', '3', '--env=Ant-v3', '--fresh', 'extra']);
  assert.equal(a.take('--env'), 'Ant-v3');
  assert.equal(a.flag('--fresh'), true);
  assert.deepEqual(a.rest, ['--lr', '3', 'extra']);
  const b = new Args('train', flags, []);
  assert.equal(b.take('--env'), undefined);
  assert.equal(b.flag('--fresh'), false);
  assert.throws(() => b.take('--seed'), /internal: train reads --seed VALUE, which its flags do not declare/);
  assert.throws(() => b.flag('--env'), /internal: train reads --env, which its flags do not declare/);
});

test('the help text agrees with the code: exit codes and ablation names', () => {
  const expected = `0 complete, 2 error, ${EXIT_CODES.diverged} diverged, ${EXIT_CODES.stopped} stopped (SIGINT), ${EXIT_CODES.preempted} preempted (SIGTERM)`;
  assert.equal(EXIT_CODE_TEXT, expected);
  const text = commandHelp('ablation', []);
  for (const name of Object.keys(ABLATIONS)) assert.ok(mentions(text, name), `ablation --help names ${name}`);
});

test('help, status and table load neither TensorFlow.js nor ONNX Runtime', () => {
  // Requires the CLI as bin/qvpo-kit.js does, runs a command, then lists the packages loaded.
  const probe = `
    require('tsx/cjs');
    const { main } = require(${JSON.stringify(path.join(ROOT, 'cli', 'qvpo-kit.ts'))});
    const log = console.log; console.log = () => {};
    main(process.argv.slice(1)).then((code) => {
      console.log = log;
      const loaded = Object.keys(require.cache).filter((f) => /node_modules\\/(@tensorflow|onnxruntime|mujoco-js|vega|danfojs)/.test(f));
      console.log(JSON.stringify({ code, loaded }));
    });`;
  for (const args of [['--help'], ['train', '--help'], ['sweep', '--algos', 'dipo', '--help'], ['eval', '--help'], ['rollout', '--help'], ['dataset', '--help'], ['status', '--root', fs.mkdtempSync(path.join(os.tmpdir(), 'qvpo-cli-status-'))]]) {
    const r = spawnSync(process.execPath, ['-e', probe, '--', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const { code, loaded } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { code: number; loaded: string[] };
    assert.equal(code, 0, args.join(' '));
    assert.deepEqual(loaded, [], `${args.join(' ')} loads no heavy package`);
  }
});
