/**
 * qvpo-kit command line.
 *
 *   qvpo-kit train  --algo qvpo --env Hopper-v3 --seed 0 --profile quick [--variant NAME --<setting> V ...]
 *                   [--fresh] [--quiet] [--root DIR]
 *   qvpo-kit sweep  --profile quick [--algos qvpo] [--envs Hopper-v3,HalfCheetah-v3] [--seeds 0,1,2]
 *                   [--jobs N] [--variant NAME --<setting> V ...] [--quiet] [--root DIR]
 *                   [--executor local|slurm|k8s]   local (default): a pool of --jobs processes here;
 *                      slurm: writes the manifest, an sbatch job array and a Kubernetes Indexed Job,
 *                      and submits the array [--partition P --time T --gpus N --cpus-per-task N
 *                      --signal-lead SECONDS --max-running N --no-submit --sweep-dir DIR];
 *                      k8s: writes the manifest and the Job [--k8s-image I --k8s-pvc C --k8s-mount DIR]
 *   qvpo-kit run-index --manifest M [--index I] [--quiet]   one run of a manifest (I defaults to
 *                   SLURM_ARRAY_TASK_ID, then JOB_COMPLETION_INDEX): what each cluster task runs
 *   qvpo-kit table  --profile quick [--root DIR] [--out DIR]   (Table 1 and Figure 3 into --out,
 *                   default results/<profile>/: each profile has its own)
 *   qvpo-kit ablation --name entropy|action-selection --profile quick [--seeds 0,1,2] [--jobs N]
 *                   [--quiet] [--root DIR]     (Figure 4 / Figure 5 arms; prints the final returns per arm)
 *   qvpo-kit status [--profile quick] [--root DIR] | --manifest M   (per run: queued, running, dead,
 *                   stopped, preempted, complete, diverged, failed)
 *   qvpo-kit eval   --run DIR [--episodes N] [--seed S]   a complete run's policy.bin: returns per
 *                   episode, mean ± std (no --seed: the run's final evaluation, replayed)
 *   qvpo-kit rollout --run DIR --out FILE.html [--filmstrip FILE.svg] [--seed S] [--max-steps N]
 *                   one evaluation episode as a 3-D replay page and a filmstrip (default FILE.svg)
 *
 * Exit codes of train and run-index: 0 complete, 2 error, 3 diverged, 130 stopped (SIGINT),
 * 143 preempted (SIGTERM); stopped and preempted runs resume with the same command.
 *   qvpo-kit help   [qvpo | protocol]     every setting of an algorithm or of the run protocol
 *
 * Settings: every field of the algorithm's config and of the run protocol is a flag
 * (`qvpo-kit help qvpo`). Runs with changed settings need --variant, and land in
 * results/runs/<profile>-<variant>/, never among the profile's own runs. A variant name the
 * algorithm defines (`qvpo-kit help dipo` lists them, e.g. dipo's qvpo-repo) applies its
 * settings on every task; flags still go on top.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { algorithm, algorithmIds, variantOverrides } from '../lib/agents/registry';
import { describeBackend, initBackend } from '../lib/backend';
import { describeEngine, initEngine } from '../lib/engine';
import { REPO_ROOT } from '../lib/backend/environment';
import { buildTable1, writeTable1 } from '../lib/results/table1';
import { profileOutputs } from '../lib/results/layout';
import { listRuns, readStatusJson, splitByCompleteness } from '../lib/results/runs';
import { k8sIndexedJob, readManifestFile, slurmScript, taskIndex, writeManifestFile } from '../lib/runner/executors';
import { planRun } from '../lib/runner/plan';
import { PROFILES, profileNamed, protocolSchema } from '../lib/runner/profiles';
import { ManifestEntry, PoolResult, defaultJobs, planManifest, runPool, sweepManifest } from '../lib/runner/sweep';
import { EXIT_CODES, isRunComplete, lockState, trainRun } from '../lib/runner/train';
import { parseWholeNumber } from '../lib/util/parse';
import { ABLATIONS, ablationManifest, ablationNamed } from '../lib/runner/ablations';
import { armFinals, armRuns } from '../lib/results/ablation';
import { evalCurves, figure3Spec, scaledWindow, trainingCurves } from '../lib/results/curves';
import { trainingReturnTitle } from '../lib/report/charts';
import { VegaLiteSpec, vegaLiteToSvg } from '../lib/report/charts';
import { cmdEval, cmdRollout } from './policy-commands';

const USAGE = fs.readFileSync(__filename, 'utf8').split('*/')[0].replace(/^\/\*\*\n/, '').replace(/^ \* ?/gm, '');

/** Pulls `--name value` / `--name=value` / `--flag` options out of argv. */
class Args {
  constructor(private argv: string[]) {}
  take(name: string): string | undefined {
    for (let i = 0; i < this.argv.length; i++) {
      const a = this.argv[i];
      if (a === name) {
        if (i + 1 >= this.argv.length) throw new Error(`${name} needs a value`);
        const v = this.argv[i + 1];
        // `--env --root x` is a missing value, not an env named "--root".
        if (v.startsWith('--')) throw new Error(`${name} needs a value, got the flag ${v} (write ${name}=VALUE for a value starting with --)`);
        this.argv.splice(i, 2);
        return v;
      }
      if (a.startsWith(name + '=')) {
        this.argv.splice(i, 1);
        return a.slice(name.length + 1);
      }
    }
    return undefined;
  }
  flag(name: string): boolean {
    const i = this.argv.indexOf(name);
    if (i < 0) return false;
    this.argv.splice(i, 1);
    return true;
  }
  get rest(): string[] {
    return this.argv;
  }
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Seeds stay within 32 bits: deriveSeed mixes them with 32-bit multiplies. */
const MAX_SEED = 2 ** 31 - 1;

function seedList(value: string | undefined): number[] | undefined {
  const items = list(value);
  if (items && items.length === 0) throw new Error(`--seeds needs at least one seed, got "${value}"`);
  return items?.map((s) => parseWholeNumber(s, '--seeds', 0, MAX_SEED));
}

/**
 * Settings given as flags, split into algorithm and protocol overrides relative to the
 * profile's values, over a named variant's settings when `variant` is one of the algorithm's
 * (all of them, so they hold on every task of a sweep). Unknown flags are an error.
 */
function settingOverrides(algo: string, profile: string, env: string, argv: string[], variant?: string) {
  const base = planRun({ algo, env, seed: 0, profile });
  const entry = algorithm(algo);
  const named = (variant && variantOverrides(algo, variant)) || {};
  const start = entry.schema.make({ ...base.config, ...named }, `${algo} variant ${variant}`);
  const a = entry.schema.parseArgs(argv, start);
  const p = protocolSchema.parseArgs(a.rest, base.protocol);
  if (p.rest.length) {
    throw new Error(`unknown argument(s): ${p.rest.join(' ')} (see \`qvpo-kit help ${algo}\` and \`qvpo-kit help protocol\`)`);
  }
  const overrides = { ...named, ...Object.fromEntries(entry.schema.diff(a.config, start).map((d) => [d.key, d.value])) };
  const protocolOverrides = Object.fromEntries(protocolSchema.diff(p.config, base.protocol).map((d) => [d.key, d.value]));
  return { overrides, protocolOverrides };
}

async function cmdTrain(args: Args): Promise<number> {
  const algo = args.take('--algo') ?? 'qvpo';
  const env = args.take('--env');
  const seed = parseWholeNumber(args.take('--seed') ?? '0', '--seed', 0, MAX_SEED);
  const profile = args.take('--profile') ?? 'quick';
  const variant = args.take('--variant');
  const root = args.take('--root');
  const fresh = args.flag('--fresh');
  const quiet = quietOption(args);
  if (!env) throw new Error('train needs --env (e.g. --env Hopper-v3)');
  const { overrides, protocolOverrides } = settingOverrides(algo, profile, env, args.rest, variant);
  const plan = planRun({ algo, env, seed, profile, overrides, protocolOverrides, ...(variant ? { variant } : {}), ...(root ? { root } : {}) });
  return EXIT_CODES[await trainRun(plan, { fresh, quiet, handleSignals: true, ...parentOption() })];
}

/** What a run's exit code means (EXIT_CODES), for sweep reports. */
function outcomeOfExit(code: number): string {
  if (code === EXIT_CODES.diverged) return 'diverged';
  if (code === EXIT_CODES.stopped || code === EXIT_CODES.preempted) {
    return `${code === EXIT_CODES.stopped ? 'stopped' : 'preempted'} (the same sweep resumes it)`;
  }
  return 'failed';
}

/** Children of a sweep get its pid, and stop (with a checkpoint) once it is gone. */
function parentOption(): { parentPid?: number } {
  const raw = process.env.QVPO_PARENT_PID;
  if (raw === undefined || raw === '') return {};
  return { parentPid: parseWholeNumber(raw, 'QVPO_PARENT_PID', 1, 2 ** 31 - 1) };
}

function jobsOption(args: Args): number {
  const jobsArg = args.take('--jobs');
  return jobsArg === undefined ? defaultJobs() : parseWholeNumber(jobsArg, '--jobs', 1, 1024);
}

const quietOption = (args: Args) => args.flag('--quiet') || process.env.QVPO_QUIET === '1';

/**
 * Plans every entry (a bad setting fails before anything runs), prints `headline`, then runs the
 * entries whose runs are not complete yet in the worker pool.
 */
async function runIncomplete(
  manifest: ManifestEntry[],
  options: { root?: string; jobs: number; quiet: boolean },
  headline: (alreadyComplete: number, todo: number, backend: string) => string,
): Promise<PoolResult[]> {
  const plans = planManifest(manifest, options.root);
  const todo = manifest.filter((_, i) => !isRunComplete(plans[i]));
  const backend = await initBackend();
  // Workers choose the same way (QVPO_ENGINE, else the fastest that loads); each run records its own.
  console.log(headline(manifest.length - todo.length, todo.length, `${describeBackend(backend)}; engine ${describeEngine(initEngine())}`));
  return runPool(todo, options.jobs, { quiet: options.quiet, ...(options.root ? { root: options.root } : {}) });
}

async function cmdSweep(args: Args): Promise<number> {
  const executor = args.take('--executor') ?? 'local';
  if (!['local', 'slurm', 'k8s'].includes(executor)) throw new Error(`--executor must be local, slurm or k8s, got "${executor}"`);
  const cluster = executor === 'local' ? null : clusterOptions(args);
  const profile = args.take('--profile') ?? 'quick';
  const algos = list(args.take('--algos')) ?? ['qvpo'];
  const envs = list(args.take('--envs'));
  const seeds = seedList(args.take('--seeds'));
  const variant = args.take('--variant');
  const root = args.take('--root');
  const jobs = jobsOption(args);
  const quiet = quietOption(args);
  const firstEnv = envs?.[0] ?? profileNamed(profile).envs[0];
  const named = variant !== undefined && variantOverrides(algos[0], variant) !== null;
  const settings = args.rest.length || named ? settingOverrides(algos[0], profile, firstEnv, args.rest, variant) : {};
  const manifest = sweepManifest({ profile, algos, ...(envs ? { envs } : {}), ...(seeds ? { seeds } : {}), ...(variant ? { variant } : {}), ...settings });
  if (cluster) return clusterSweep(executor as 'slurm' | 'k8s', manifest, cluster, { profile, variant, algos, root, quiet });
  const t0 = Date.now();
  const results = await runIncomplete(
    manifest,
    { root, jobs, quiet },
    (complete, todo, backend) =>
      `sweep ${profile}${variant ? '-' + variant : ''}: ${manifest.length} runs (${complete} already complete), ` +
      `${Math.min(jobs, Math.max(todo, 1))} at a time; backend ${backend}`,
  );
  const failed = results.filter((r) => r.code !== 0);
  console.log(`sweep done in ${((Date.now() - t0) / 60000).toFixed(1)} min: ${results.length - failed.length} finished, ${failed.length} not`);
  for (const f of failed) console.log(`  ${outcomeOfExit(f.code)}: ${f.entry.algo} ${f.entry.env} seed ${f.entry.seed} (exit ${f.code})`);
  return failed.length ? 1 : 0;
}

/**
 * A profile label as run directories are named (`quick`, `quick-nd16`): a known profile, then
 * an optional variant; checked before anything is read or written, so a typo changes nothing.
 */
function profileLabel(label: string): string {
  const dash = label.indexOf('-');
  const base = dash < 0 ? label : label.slice(0, dash);
  if (!(PROFILES as Record<string, unknown>)[base]) {
    throw new Error(`--profile "${label}": unknown profile "${base}"; expected one of ${Object.keys(PROFILES).join(', ')}, optionally with -<variant>`);
  }
  if (dash >= 0) planRun({ algo: 'qvpo', env: 'Hopper-v3', seed: 0, profile: base, variant: label.slice(dash + 1) });
  return label;
}

function noMoreArgs(command: string, args: Args): void {
  if (args.rest.length) throw new Error(`${command}: unexpected argument(s) ${args.rest.join(' ')}`);
}

/**
 * Writes the sweep's manifest, the sbatch script and the Kubernetes Job next to each other in
 * --sweep-dir (default: `sweeps/` beside the runs root), then submits the array (slurm).
 */
function clusterOptions(args: Args) {
  const slurm = {
    partition: args.take('--partition'),
    time: args.take('--time'),
    gpus: optionalNumber(args.take('--gpus'), '--gpus', 0, 64),
    cpusPerTask: optionalNumber(args.take('--cpus-per-task'), '--cpus-per-task', 1, 1024) ?? 1,
    signalLead: optionalNumber(args.take('--signal-lead'), '--signal-lead', 10, 65535) ?? 300,
    maxRunning: optionalNumber(args.take('--max-running'), '--max-running', 1, 100000),
  };
  const noSubmit = args.flag('--no-submit');
  const image = args.take('--k8s-image') ?? 'qvpo-kit:latest';
  const pvc = args.take('--k8s-pvc') ?? 'qvpo-results';
  const mount = args.take('--k8s-mount') ?? '/data';
  const sweepDir = args.take('--sweep-dir');
  if (slurm.time !== undefined && !/^(\d+-)?\d+(:\d+){0,2}$/.test(slurm.time)) throw new Error(`--time must be a Slurm time limit like 2-00:00:00 or 90, got "${slurm.time}"`);
  if (slurm.partition !== undefined && !/^[A-Za-z0-9_.,-]+$/.test(slurm.partition)) throw new Error(`--partition must be a partition name, got "${slurm.partition}"`);
  return { slurm, noSubmit, image, pvc, mount, sweepDir };
}

function clusterSweep(
  executor: 'slurm' | 'k8s',
  manifest: ManifestEntry[],
  { slurm, noSubmit, image, pvc, mount, sweepDir: sweepDirArg }: ReturnType<typeof clusterOptions>,
  o: { profile: string; variant?: string; algos: string[]; root?: string; quiet: boolean },
): number {
  const root = path.resolve(o.root ?? path.join(REPO_ROOT, 'results', 'runs'));
  const sweepDir = path.resolve(sweepDirArg ?? path.join(path.dirname(root), 'sweeps'));
  const name = `qvpo-${o.profile}${o.variant ? '-' + o.variant : ''}-${o.algos.join('+')}`;
  const manifestFile = path.join(sweepDir, `${name}.json`);
  writeManifestFile(manifestFile, name, manifest, root);
  const k8sFile = path.join(sweepDir, `${name}.k8s.yaml`);
  const k8sManifest = path.posix.join(mount, path.relative(path.dirname(root), manifestFile).split(path.sep).join('/'));
  fs.writeFileSync(
    k8sFile,
    k8sIndexedJob({ name, count: manifest.length, manifestPath: k8sManifest, image, pvc, mountPath: mount, cpus: slurm.cpusPerTask, gpus: slurm.gpus, gracePeriod: slurm.signalLead, ...(slurm.maxRunning ? { parallelism: slurm.maxRunning } : {}) }),
  );
  console.log(`manifest: ${manifestFile} (${manifest.length} runs under ${root})`);
  console.log(`kubernetes Indexed Job: ${k8sFile} (kubectl apply -f it; the volume ${pvc} at ${mount} holds ${path.relative(path.dirname(root), manifestFile)} and ${path.basename(root)}/)`);
  if (executor === 'k8s') return 0;
  const script = path.join(sweepDir, `${name}.sbatch`);
  const logDir = path.join(sweepDir, `${name}-logs`);
  fs.mkdirSync(logDir, { recursive: true });
  fs.writeFileSync(script, slurmScript({ name, manifestFile, count: manifest.length, logDir, cpusPerTask: slurm.cpusPerTask, signalLead: slurm.signalLead, quiet: o.quiet, ...dropUndefined(slurm) }));
  console.log(`slurm job array: ${script} (logs in ${logDir})`);
  if (noSubmit) {
    console.log(`not submitted (--no-submit): sbatch ${script}`);
    return 0;
  }
  const r = spawnSync('sbatch', ['--parsable', script], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`sbatch ${script} failed: ${r.error?.message ?? r.stderr.trim()}`);
  console.log(`submitted job array ${r.stdout.trim()}; progress: qvpo-kit status --manifest ${manifestFile}`);
  return 0;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function optionalNumber(raw: string | undefined, what: string, min: number, max: number): number | undefined {
  return raw === undefined ? undefined : parseWholeNumber(raw, what, min, max);
}

async function cmdRunIndex(args: Args): Promise<number> {
  const file = args.take('--manifest');
  if (!file) throw new Error('run-index needs --manifest (written by `qvpo-kit sweep --executor slurm|k8s`)');
  const indexArg = args.take('--index');
  const quiet = quietOption(args);
  noMoreArgs('run-index', args);
  const { plans } = readManifestFile(file);
  const index = taskIndex(indexArg, plans.length);
  return EXIT_CODES[await trainRun(plans[index], { quiet, handleSignals: true })];
}

/** One line per manifest entry: index, state (queued when it has not started), step, run. */
function manifestStatus(file: string): number {
  const { plans, root } = readManifestFile(file);
  const counts = new Map<string, number>();
  const lines: string[] = [];
  plans.forEach((plan, i) => {
    let state: string;
    let step = '';
    const statusFile = path.join(plan.dir, 'status.json');
    if (!fs.existsSync(statusFile)) state = 'queued';
    else {
      try {
        const s = readStatusJson(statusFile);
        step = `${s.step}/${s.totalSteps}`;
        state = s.state;
        if (s.state === 'running') {
          const held = lockState(path.join(plan.dir, 'run.lock'));
          state = held.live ? 'running' : held.lock && held.lock.host !== os.hostname() ? `running on ${held.lock.host}` : 'dead';
        }
      } catch (e) {
        state = 'invalid';
        step = (e as Error).message;
      }
    }
    counts.set(state.split(' ')[0], (counts.get(state.split(' ')[0]) ?? 0) + 1);
    lines.push(`  ${String(i).padStart(3)}  ${state.padEnd(10)} ${step.padEnd(13)} ${path.relative(root, plan.dir)}`);
  });
  console.log(`${plans.length} runs in ${file} (root ${root}): ${[...counts].map(([k, v]) => `${v} ${k}`).join(', ')}`);
  for (const l of lines) console.log(l);
  return 0;
}

async function cmdTable(args: Args): Promise<number> {
  const profile = profileLabel(args.take('--profile') ?? 'quick');
  const root = args.take('--root') ?? path.join(REPO_ROOT, 'results', 'runs');
  const out = args.take('--out') ?? profileOutputs(profile).results;
  noMoreArgs('table', args);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new Error(`--root ${root}: no such directory (expected the runs root)`);
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new Error(`--out ${out}: not a directory`);
  const runs = listRuns(root, { profile });
  if (runs.length === 0) {
    const there = fs.readdirSync(root).filter((d) => fs.statSync(path.join(root, d)).isDirectory());
    throw new Error(`no runs of profile "${profile}" under ${root} (there: ${there.join(', ') || 'nothing'}); nothing written`);
  }
  const table = buildTable1(runs, { profile });
  const { markdown } = writeTable1(table, out);
  console.log(fs.readFileSync(markdown, 'utf8'));
  console.log(`written ${markdown} and table1.csv`);
  const complete = splitByCompleteness(runs).complete;
  if (complete.length > 0) {
    const budget = complete[0].status?.totalSteps ?? 0;
    const figures: [string, VegaLiteSpec][] = [
      ['figure3-eval.svg', figure3Spec(evalCurves(complete), { title: `Evaluation return (${profile} profile; mean ± std over seeds)` })],
      [
        'figure3-train.svg',
        figure3Spec(trainingCurves(complete), {
          title: `Training episode return, smoothed over ${scaledWindow(budget)} steps (${profile} profile; mean ± std over seeds)`,
          yTitle: trainingReturnTitle(scaledWindow(budget)),
        }),
      ],
    ];
    for (const [name, spec] of figures) {
      fs.writeFileSync(path.join(out, name), await vegaLiteToSvg(spec));
      console.log(`written ${path.join(out, name)}`);
    }
  }
  return 0;
}

async function cmdAblation(args: Args): Promise<number> {
  const name = args.take('--name');
  if (!name) throw new Error(`ablation needs --name: one of ${Object.keys(ABLATIONS).join(', ')}`);
  const profile = args.take('--profile') ?? 'quick';
  const seeds = seedList(args.take('--seeds'));
  const root = args.take('--root');
  const jobs = jobsOption(args);
  const quiet = quietOption(args);
  if (args.rest.length) throw new Error(`ablation: unexpected arguments ${args.rest.join(' ')} (the arms fix the settings)`);
  const ablation = ablationNamed(name);
  const manifest = ablationManifest(name, profile, seeds);
  const results = await runIncomplete(
    manifest,
    { root, jobs, quiet },
    (complete, _todo, backend) =>
      `ablation ${name} (${ablation.figure}, ${ablation.env}) at ${profile}: ${ablation.arms.length} arms, ${manifest.length} runs ` +
      `(${complete} already complete); backend ${backend}`,
  );
  const finals = armFinals(armRuns(root ?? path.join(REPO_ROOT, 'results', 'runs'), profile, ablation, seeds ?? ablation.seeds[profileNamed(profile).name]));
  for (const f of finals) {
    console.log(`  ${f.label}: final return ${f.mean === null ? 'n/a' : `${f.mean.toFixed(1)} ± ${(f.std ?? 0).toFixed(1)}`} over ${f.seeds} seed(s), ${f.stepsPerSecond === null ? 'n/a' : f.stepsPerSecond.toFixed(1)} steps/s after warm-up`);
  }
  return results.some((r) => r.code !== 0) ? 1 : 0;
}

function cmdStatus(args: Args): number {
  const manifestFile = args.take('--manifest');
  if (manifestFile !== undefined) {
    noMoreArgs('status --manifest', args);
    return manifestStatus(manifestFile);
  }
  const profileArg = args.take('--profile');
  const profile = profileArg === undefined ? undefined : profileLabel(profileArg);
  const root = args.take('--root') ?? path.join(REPO_ROOT, 'results', 'runs');
  noMoreArgs('status', args);
  if (fs.existsSync(root) && !fs.statSync(root).isDirectory()) throw new Error(`--root ${root}: not a directory (expected the runs root)`);
  const runs = listRuns(root, profile ? { profile } : {});
  const { complete, incomplete } = splitByCompleteness(runs);
  console.log(`${runs.length} runs under ${root}${profile ? ` (profile ${profile})` : ''}: ${complete.length} complete`);
  for (const r of complete) console.log(`  complete  ${r.id}`);
  for (const { run, reason } of incomplete) console.log(`  ${run.state === 'running' ? runningOrDead(run.dir, reason) : reason}  ${run.id}`);
  return 0;
}

/** status.json says running: is a process on it (its lock's pid alive), or did it die? */
function runningOrDead(dir: string, reason: string): string {
  const held = lockState(path.join(dir, 'run.lock'));
  if (held.live) return `${reason}, process ${held.lock?.pid}`;
  if (held.lock && held.lock.host !== os.hostname()) return `${reason}, on host ${held.lock.host} (not checkable from here)`;
  return `dead ${reason.replace(/^running /, '')}: status.json says running, but no live process holds it (${held.why}); run it again to resume`;
}

function cmdHelp(args: Args): number {
  const what = args.rest[0];
  if (!what) {
    console.log(USAGE);
    console.log(`algorithms: ${algorithmIds().join(', ')}`);
    console.log(`profiles:\n${Object.values(PROFILES).map((p) => `  ${p.name}: ${p.description}`).join('\n')}`);
  } else if (what === 'protocol') {
    console.log(protocolSchema.help());
  } else {
    const entry = algorithm(what);
    console.log(entry.schema.help());
    const variants = Object.entries(entry.variants ?? {});
    if (variants.length) {
      console.log(`\nnamed variants (--variant NAME):`);
      for (const [name, v] of variants) console.log(`  ${name}: ${v.doc}\n      ${JSON.stringify(v.overrides)}`);
    }
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const args = new Args(rest);
  if (!command || command === '--help' || command === '-h') return cmdHelp(args);
  if (rest.includes('--help') || rest.includes('-h')) {
    const algo = new Args([...rest]).take('--algo');
    return cmdHelp(new Args(command === 'train' || command === 'sweep' ? [algo ?? 'qvpo'] : []));
  }
  switch (command) {
    case 'train':
      return cmdTrain(args);
    case 'sweep':
      return cmdSweep(args);
    case 'table':
      return cmdTable(args);
    case 'status':
      return cmdStatus(args);
    case 'run-index':
      return cmdRunIndex(args);
    case 'ablation':
      return cmdAblation(args);
    case 'eval':
      return cmdEval(args);
    case 'rollout':
      return cmdRollout(args);
    case 'help':
      return cmdHelp(args);
    default:
      throw new Error(`unknown command "${command}": expected train, sweep, run-index, table, ablation, status, eval, rollout or help`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      console.error(`qvpo-kit: ${e.message}`);
      process.exit(2);
    },
  );
}
