/**
 * `qvpo-kit eval` and `qvpo-kit rollout`: a finished run's policy.bin, evaluated or watched.
 * Every flag is checked before anything runs or is written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_EPISODES, MAX_SEED, evaluatePolicy } from '../lib/runner/policy-eval';
import { filmstripSvg, recordRollout, rolloutHtml } from '../lib/rollout';
import { parseWholeNumber } from '../lib/util/parse';

/** The part of the CLI's argument reader these commands use. */
export interface ArgReader {
  take(name: string): string | undefined;
  readonly rest: string[];
}

function runDirOption(args: ArgReader, command: string): string {
  const dir = args.take('--run');
  if (dir === undefined) throw new Error(`${command} needs --run DIR (a complete run's directory, e.g. results/runs/quick/qvpo/Hopper-v3/seed-0)`);
  return dir;
}

function seedOption(args: ArgReader): number | undefined {
  const raw = args.take('--seed');
  return raw === undefined ? undefined : parseWholeNumber(raw, '--seed', 0, MAX_SEED);
}

function noMoreArgs(command: string, args: ArgReader): void {
  if (args.rest.length) throw new Error(`${command}: unexpected argument(s) ${args.rest.join(' ')}`);
}

const fixed = (v: number) => v.toFixed(2);

export async function cmdEval(args: ArgReader): Promise<number> {
  const runDir = runDirOption(args, 'eval');
  const rawEpisodes = args.take('--episodes');
  const episodes = rawEpisodes === undefined ? undefined : parseWholeNumber(rawEpisodes, '--episodes', 1, MAX_EPISODES);
  const seed = seedOption(args);
  noMoreArgs('eval', args);
  const res = await evaluatePolicy(runDir, { ...(episodes !== undefined ? { episodes } : {}), ...(seed !== undefined ? { seed } : {}) });
  const c = res.contents;
  console.log(`${c.algo} ${c.env} seed ${c.seed} (${c.label}${c.variant ? `, ${c.variant}` : ''}): policy of step ${c.finalEvaluation.step}, engine ${res.engine}`);
  if (res.engineNote) console.log(`note: ${res.engineNote}`);
  const runEpisodes = c.protocol.evalEpisodes;
  if (!res.replaysFinalEvaluation) console.log(`episodes: fresh, from --seed ${seed}`);
  else {
    console.log(`episodes: the run's final evaluation replayed (its reset seeds and the policy's generator as it began)`);
    if (res.returns.length > runEpisodes) console.log(`  (it had ${runEpisodes}; episodes after ${runEpisodes} take the next seeds of the same stream)`);
  }
  res.returns.forEach((r, e) => console.log(`  episode ${e + 1}: return ${fixed(r)}, ${res.lengths[e]} steps (reset seed ${res.seeds[e]})`));
  console.log(`mean ${fixed(res.mean)} ± ${fixed(res.std)} over ${res.returns.length} episode(s)`);
  if (res.replaysFinalEvaluation) {
    const f = c.finalEvaluation;
    console.log(`the run's final evaluation (eval.csv, step ${f.step}): ${fixed(f.mean)} ± ${fixed(f.std)} over ${f.returns.length} episode(s)`);
  }
  return 0;
}

export async function cmdRollout(args: ArgReader): Promise<number> {
  const runDir = runDirOption(args, 'rollout');
  const out = args.take('--out');
  if (out === undefined) throw new Error('rollout needs --out FILE.html (the replay page to write)');
  if (!/\.html?$/i.test(out)) throw new Error(`--out ${out}: expected a file name ending in .html`);
  const filmstrip = args.take('--filmstrip') ?? out.replace(/\.html?$/i, '.svg');
  if (!/\.svg$/i.test(filmstrip)) throw new Error(`--filmstrip ${filmstrip}: expected a file name ending in .svg`);
  const seed = seedOption(args);
  const rawMax = args.take('--max-steps');
  const maxSteps = rawMax === undefined ? undefined : parseWholeNumber(rawMax, '--max-steps', 1, 100_000);
  noMoreArgs('rollout', args);
  for (const file of [out, filmstrip]) {
    const dir = path.dirname(path.resolve(file));
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${file}: the folder ${dir} does not exist`);
  }
  const recording = await recordRollout(runDir, { ...(seed !== undefined ? { seed } : {}), ...(maxSteps !== undefined ? { maxSteps } : {}) });
  fs.writeFileSync(out, rolloutHtml(recording));
  fs.writeFileSync(filmstrip, filmstripSvg(recording));
  const ending = recording.terminated ? 'terminated' : recording.truncated ? 'time limit' : 'cut by --max-steps';
  console.log(`${recording.run.algo} ${recording.run.env} seed ${recording.run.seed}: ${recording.frames} steps (${ending}), return ${fixed(recording.return)}`);
  console.log(`wrote ${out} (replay page) and ${filmstrip} (filmstrip)`);
  return 0;
}
