/**
 * qvpo-kit command line (`npx qvpo-kit help`).
 *
 * Every command is one entry of COMMANDS: its synopsis, its flags and its body. The parser reads
 * only the flags an entry declares and `qvpo-kit <command> --help` prints them, so the help cannot
 * miss a flag; the settings of train and sweep are generated from the config schemas
 * (lib/config/schema.ts). A new command is a new entry.
 *
 * Start-up: modules that load TensorFlow.js, ONNX Runtime, MuJoCo or vega are required inside the
 * command that needs them (the `load` object below), so help, status and table start in a
 * fraction of a second (bench/cli-startup.sh). A new command's body should be loaded the same way.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { algorithm, algorithmIds, variantOverrides } from '../lib/agents/registry';
import { QVPO_ENV_IDS, listEnvIds } from '../lib/envs/registry';
import { profileOutputs } from '../lib/results/layout';
import { DATASET_DEFAULTS, DATASET_KINDS, readDatasetManifest } from '../lib/datasets/format';
import { listOfflineRuns, listRuns, readStatusJson, splitByCompleteness } from '../lib/results/runs';
import { planOfflineRun, planRun } from '../lib/runner/plan';
import { PROFILES, profileNamed, protocolSchema } from '../lib/runner/profiles';
import { ManifestEntry, defaultJobs, planManifest, runPool, sweepManifest } from '../lib/runner/sweep';
import { parseWholeNumber } from '../lib/util/parse';
import { REPO_ROOT } from '../lib/util/paths';

/** The heavy modules, each required on first use. */
const load = {
  backend: () => require('../lib/backend') as typeof import('../lib/backend'),
  engine: () => require('../lib/engine') as typeof import('../lib/engine'),
  train: () => require('../lib/runner/train') as typeof import('../lib/runner/train'),
  executors: () => require('../lib/runner/executors') as typeof import('../lib/runner/executors'),
  ablations: () => require('../lib/runner/ablations') as typeof import('../lib/runner/ablations'),
  ablationResults: () => require('../lib/results/ablation') as typeof import('../lib/results/ablation'),
  table1: () => require('../lib/results/table1') as typeof import('../lib/results/table1'),
  curves: () => require('../lib/results/curves') as typeof import('../lib/results/curves'),
  charts: () => require('../lib/report/charts') as typeof import('../lib/report/charts'),
  policy: () => require('./policy-commands') as typeof import('./policy-commands'),
  dataset: () => require('./dataset-command') as typeof import('./dataset-command'),
  offline: () => require('../lib/runner/offline') as typeof import('../lib/runner/offline'),
};

/** Exit codes of train and run-index (lib/runner/train.ts EXIT_CODES; tests check they agree). */
export const EXIT_CODE_TEXT = '0 complete, 2 error, 3 diverged, 130 stopped (SIGINT), 143 preempted (SIGTERM)';

/** One flag of a command: `value` names its argument; a flag without one is a switch. */
export interface Flag {
  name: string;
  value?: string;
  doc: string;
}

export interface Command {
  /** What follows `qvpo-kit` in the usage line. */
  synopsis: string;
  /** One line for `qvpo-kit help`. */
  summary: string;
  /** More about the command, printed by its --help. */
  about?: string;
  flags: Flag[];
  /** Whether the algorithm and protocol settings are flags too (train, sweep). */
  settings?: boolean;
  run(args: Args): Promise<number> | number;
}

/**
 * A command's argv, parsed against its declared flags: `--name value`, `--name=value` and
 * switches. Anything else is left in `rest` (settings, or an error for the command to report).
 * Reading a flag the command does not declare is a bug, and throws.
 */
export class Args {
  private values = new Map<string, string | true>();
  readonly rest: string[] = [];

  constructor(
    private command: string,
    private flags: readonly Flag[],
    argv: readonly string[],
  ) {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
      const name = eq > 0 ? arg.slice(0, eq) : arg;
      const flag = flags.find((f) => f.name === name);
      // A switch given a value (`--quiet=1`) is not the switch: it stays in rest, to be refused.
      if (!flag || (!flag.value && eq > 0)) {
        this.rest.push(arg);
        continue;
      }
      if (this.values.has(name)) throw new Error(`${name} given twice`);
      if (!flag.value) {
        this.values.set(name, true);
      } else if (eq > 0) {
        this.values.set(name, arg.slice(eq + 1));
      } else {
        const v = argv[i + 1];
        if (v === undefined) throw new Error(`${name} needs a value (${flag.value})`);
        // `--env --root x` is a missing value, not an env named "--root".
        if (v.startsWith('--')) throw new Error(`${name} needs a value, got the flag ${v} (write ${name}=VALUE for a value starting with --)`);
        this.values.set(name, v);
        i++;
      }
    }
  }

  /** The value of `--name VALUE`, or undefined when not given. */
  take(name: string): string | undefined {
    this.declared(name, true);
    const v = this.values.get(name);
    return typeof v === 'string' ? v : undefined;
  }

  /** Whether the switch `--name` was given. */
  flag(name: string): boolean {
    this.declared(name, false);
    return this.values.has(name);
  }

  /** Whether `--name` was given at all. */
  has(name: string): boolean {
    return this.values.has(name);
  }

  private declared(name: string, withValue: boolean): void {
    const f = this.flags.find((x) => x.name === name);
    if (!f || Boolean(f.value) !== withValue) {
      throw new Error(`internal: ${this.command} reads ${name}${withValue ? ' VALUE' : ''}, which its flags do not declare`);
    }
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

function optionalNumber(raw: string | undefined, what: string, min: number, max: number): number | undefined {
  return raw === undefined ? undefined : parseWholeNumber(raw, what, min, max);
}

function noMoreArgs(command: string, args: Args): void {
  if (args.rest.length) throw new Error(`${command}: unexpected argument(s) ${args.rest.join(' ')} (see \`qvpo-kit ${command.split(' ')[0]} --help\`)`);
}

const quietOption = (args: Args) => args.flag('--quiet') || process.env.QVPO_QUIET === '1';

function jobsOption(args: Args): number {
  const jobsArg = args.take('--jobs');
  return jobsArg === undefined ? defaultJobs() : parseWholeNumber(jobsArg, '--jobs', 1, 1024);
}

/** Children of a sweep get its pid, and stop (with a checkpoint) once it is gone. */
function parentOption(): { parentPid?: number } {
  const raw = process.env.QVPO_PARENT_PID;
  if (raw === undefined || raw === '') return {};
  return { parentPid: parseWholeNumber(raw, 'QVPO_PARENT_PID', 1, 2 ** 31 - 1) };
}

const runsRoot = (args: Args) => args.take('--root') ?? path.join(REPO_ROOT, 'results', 'runs');

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

// ---------------------------------------------------------------------------------------------
// Flags shared by several commands.

const PROFILE_NAMES = Object.keys(PROFILES).join('|');
const F = {
  profile: { name: '--profile', value: 'NAME', doc: `profile: ${PROFILE_NAMES} [quick]` },
  variant: {
    name: '--variant',
    value: 'NAME',
    doc: 'runs go to results/runs/<profile>-<NAME>/; needed to change settings; a variant the algorithm defines applies its settings',
  },
  root: { name: '--root', value: 'DIR', doc: 'the runs root [results/runs]' },
  run: { name: '--run', value: 'DIR', doc: "a complete run's directory, e.g. results/runs/quick/qvpo/Hopper-v3/seed-0 (required)" },
  quiet: { name: '--quiet', doc: 'no progress lines (also QVPO_QUIET=1), for CI logs' },
  jobs: { name: '--jobs', value: 'N', doc: 'runs at a time, one process each [one per core]' },
  seeds: { name: '--seeds', value: 'LIST', doc: "comma-separated seeds [the profile's]" },
} satisfies Record<string, Flag>;

const CLUSTER_FLAGS: Flag[] = [
  { name: '--partition', value: 'P', doc: 'slurm: the partition' },
  { name: '--time', value: 'T', doc: 'slurm: time limit per run, e.g. 2-00:00:00 or 90 (minutes)' },
  { name: '--gpus', value: 'N', doc: 'GPUs per run' },
  { name: '--cpus-per-task', value: 'N', doc: 'CPU cores per run [1]' },
  { name: '--signal-lead', value: 'S', doc: 'seconds of warning (SIGTERM) before the time limit, to checkpoint [300]' },
  { name: '--max-running', value: 'N', doc: 'runs at a time on the cluster [no limit]' },
  { name: '--no-submit', doc: 'slurm: write the files, do not call sbatch' },
  { name: '--sweep-dir', value: 'DIR', doc: 'where the manifest, scripts and logs go [sweeps/ beside the runs root]' },
  { name: '--k8s-image', value: 'I', doc: 'kubernetes: the image holding the kit [qvpo-kit:latest]' },
  { name: '--k8s-pvc', value: 'C', doc: 'kubernetes: the volume claim holding sweeps/ and runs/ [qvpo-results]' },
  { name: '--k8s-mount', value: 'DIR', doc: 'kubernetes: where that volume is mounted [/data]' },
];

// ---------------------------------------------------------------------------------------------
// Commands.

async function cmdTrain(args: Args): Promise<number> {
  const algo = args.take('--algo') ?? 'qvpo';
  const dataset = args.take('--dataset');
  // An offline run's task is its dataset's unless --env names it (then they must agree).
  const env = args.take('--env') ?? (dataset !== undefined ? readDatasetManifest(dataset).env : undefined);
  const seed = parseWholeNumber(args.take('--seed') ?? '0', '--seed', 0, MAX_SEED);
  const profile = args.take('--profile') ?? 'quick';
  const variant = args.take('--variant');
  const root = args.take('--root');
  const fresh = args.flag('--fresh');
  const quiet = quietOption(args);
  if (!env) throw new Error('train needs --env (e.g. --env Hopper-v3)');
  const { overrides, protocolOverrides } = settingOverrides(algo, profile, env, args.rest, variant);
  const request = { algo, env, seed, profile, overrides, protocolOverrides, ...(variant ? { variant } : {}), ...(root ? { root } : {}) };
  const { EXIT_CODES, trainRun } = load.train();
  const options = { fresh, quiet, handleSignals: true, ...parentOption() };
  if (dataset !== undefined) return EXIT_CODES[await load.offline().trainOffline(planOfflineRun({ ...request, dataset }), options)];
  return EXIT_CODES[await trainRun(planRun(request), options)];
}

/** What a run's exit code means (EXIT_CODES), for sweep reports. */
function outcomeOfExit(code: number): string {
  const { EXIT_CODES } = load.train();
  if (code === EXIT_CODES.diverged) return 'diverged';
  if (code === EXIT_CODES.stopped || code === EXIT_CODES.preempted) {
    return `${code === EXIT_CODES.stopped ? 'stopped' : 'preempted'} (the same sweep resumes it)`;
  }
  return 'failed';
}

/**
 * Plans every entry (a bad setting fails before anything runs), prints `headline`, then runs the
 * entries whose runs are not complete yet in the worker pool.
 */
async function runIncomplete(
  manifest: ManifestEntry[],
  options: { root?: string; jobs: number; quiet: boolean },
  headline: (alreadyComplete: number, todo: number, backend: string) => string,
) {
  const { isRunComplete } = load.train();
  const { describeBackend, initBackend } = load.backend();
  const { describeEngine, initEngine } = load.engine();
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
  const clusterGiven = CLUSTER_FLAGS.filter((f) => args.has(f.name)).map((f) => f.name);
  if (executor === 'local' && clusterGiven.length) throw new Error(`${clusterGiven.join(', ')}: only with --executor slurm or k8s`);
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

/** The cluster flags of sweep, checked before anything is written. */
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

/**
 * Writes the sweep's manifest, the sbatch script and the Kubernetes Job next to each other in
 * --sweep-dir (default: `sweeps/` beside the runs root), then submits the array (slurm).
 */
function clusterSweep(
  executor: 'slurm' | 'k8s',
  manifest: ManifestEntry[],
  { slurm, noSubmit, image, pvc, mount, sweepDir: sweepDirArg }: ReturnType<typeof clusterOptions>,
  o: { profile: string; variant?: string; algos: string[]; root?: string; quiet: boolean },
): number {
  const { k8sIndexedJob, slurmScript, writeManifestFile } = load.executors();
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

async function cmdRunIndex(args: Args): Promise<number> {
  const file = args.take('--manifest');
  if (!file) throw new Error('run-index needs --manifest (written by `qvpo-kit sweep --executor slurm|k8s`)');
  const indexArg = args.take('--index');
  const quiet = quietOption(args);
  noMoreArgs('run-index', args);
  const { readManifestFile, taskIndex } = load.executors();
  const { EXIT_CODES, trainRun } = load.train();
  const { plans } = readManifestFile(file);
  const index = taskIndex(indexArg, plans.length);
  return EXIT_CODES[await trainRun(plans[index], { quiet, handleSignals: true })];
}

/** One line per manifest entry: index, state (queued when it has not started), step, run. */
function manifestStatus(file: string): number {
  const { plans, root } = load.executors().readManifestFile(file);
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
          const held = load.train().lockState(path.join(plan.dir, 'run.lock'));
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
  const root = runsRoot(args);
  const out = args.take('--out') ?? profileOutputs(profile).results;
  noMoreArgs('table', args);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new Error(`--root ${root}: no such directory (expected the runs root)`);
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new Error(`--out ${out}: not a directory`);
  const runs = listRuns(root, { profile });
  if (runs.length === 0) {
    const there = fs.readdirSync(root).filter((d) => fs.statSync(path.join(root, d)).isDirectory());
    throw new Error(`no runs of profile "${profile}" under ${root} (there: ${there.join(', ') || 'nothing'}); nothing written`);
  }
  const { buildTable1, writeTable1 } = load.table1();
  // The profile's own tasks in the paper's order (medium: Hopper-v3 alone), then any other task that has runs.
  const { PAPER_ENVS } = require('../lib/results/paper-table1') as typeof import('../lib/results/paper-table1');
  const profileEnvs: readonly string[] = PROFILES[profile.split('-')[0] as keyof typeof PROFILES].envs;
  const envs = [...PAPER_ENVS.filter((e) => profileEnvs.includes(e)), ...profileEnvs, ...runs.map((r) => r.env)];
  const table = buildTable1(runs, { profile, envs });
  const { markdown } = writeTable1(table, out);
  console.log(fs.readFileSync(markdown, 'utf8'));
  console.log(`written ${markdown} and table1.csv`);
  const complete = splitByCompleteness(runs).complete;
  if (complete.length > 0) {
    const { evalCurves, figure3Spec, scaledWindow, trainingCurves } = load.curves();
    const { trainingReturnTitle, vegaLiteToSvg } = load.charts();
    const budget = complete[0].status?.totalSteps ?? 0;
    const figures: [string, import('../lib/report/charts').VegaLiteSpec][] = [
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
  const { ABLATIONS, ablationManifest, ablationNamed } = load.ablations();
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
  const { armFinals, armRuns } = load.ablationResults();
  const finals = armFinals(armRuns(root ?? path.join(REPO_ROOT, 'results', 'runs'), profile, ablation, seeds ?? ablation.seeds[profileNamed(profile).name]));
  for (const f of finals) {
    console.log(`  ${f.label}: final return ${f.mean === null ? 'n/a' : `${f.mean.toFixed(1)} ± ${(f.std ?? 0).toFixed(1)}`} over ${f.seeds} seed(s), ${f.stepsPerSecond === null ? 'n/a' : f.stepsPerSecond.toFixed(1)} steps/s after warm-up`);
  }
  return results.some((r) => r.code !== 0) ? 1 : 0;
}

function cmdStatus(args: Args): number {
  const manifestFile = args.take('--manifest');
  if (manifestFile !== undefined) {
    if (args.has('--profile') || args.has('--root')) throw new Error('status --manifest takes neither --profile nor --root (the manifest names its runs)');
    noMoreArgs('status --manifest', args);
    return manifestStatus(manifestFile);
  }
  const profileArg = args.take('--profile');
  const profile = profileArg === undefined ? undefined : profileLabel(profileArg);
  const root = runsRoot(args);
  noMoreArgs('status', args);
  if (fs.existsSync(root) && !fs.statSync(root).isDirectory()) throw new Error(`--root ${root}: not a directory (expected the runs root)`);
  const runs = listRuns(root, profile ? { profile } : {});
  const { complete, incomplete } = splitByCompleteness(runs);
  console.log(`${runs.length} runs under ${root}${profile ? ` (profile ${profile})` : ''}: ${complete.length} complete`);
  for (const r of complete) console.log(`  complete  ${r.id}`);
  for (const { run, reason } of incomplete) console.log(`  ${run.state === 'running' ? runningOrDead(run.dir, reason) : reason}  ${run.id}`);
  const offline = listOfflineRuns(root, profile ? { profile } : {});
  if (offline.length > 0) {
    const split = splitByCompleteness(offline);
    console.log(`${offline.length} offline runs (trained from datasets; never in Table 1): ${split.complete.length} complete`);
    for (const r of split.complete) console.log(`  complete  ${r.id}`);
    for (const { run, reason } of split.incomplete) console.log(`  ${run.state === 'running' ? runningOrDead(run.dir, reason) : reason}  ${run.id}`);
  }
  return 0;
}

/** status.json says running: is a process on it (its lock's pid alive), or did it die? */
function runningOrDead(dir: string, reason: string): string {
  const held = load.train().lockState(path.join(dir, 'run.lock'));
  if (held.live) return `${reason}, process ${held.lock?.pid}`;
  if (held.lock && held.lock.host !== os.hostname()) return `${reason}, on host ${held.lock.host} (not checkable from here)`;
  return `dead ${reason.replace(/^running /, '')}: status.json says running, but no live process holds it (${held.why}); run it again to resume`;
}

function cmdHelp(args: Args): number {
  const [what, ...more] = args.rest;
  if (more.length) throw new Error(`help: one topic at a time, got ${args.rest.join(' ')}`);
  if (!what) console.log(overview());
  else if (COMMANDS[what]) console.log(commandHelp(what, []));
  else if (what === 'protocol') console.log(protocolSchema.help());
  else if (algorithmIds().includes(what.toLowerCase())) console.log(algorithmHelp(what));
  else {
    throw new Error(
      `help: unknown topic "${what}": expected a command (${Object.keys(COMMANDS).join(', ')}), an algorithm (${algorithmIds().join(', ')}) or protocol`,
    );
  }
  return 0;
}

export const COMMANDS: Record<string, Command> = {
  train: {
    synopsis: 'train --env ID [--algo ID] [--seed N] [--profile NAME] [--variant NAME] [--dataset DIR] [--<setting> VALUE ...]',
    summary: 'one run: an algorithm on a task with one seed, at a profile; resumes a run that was stopped or killed',
    about:
      `Exit codes: ${EXIT_CODE_TEXT}; stopped and preempted runs resume with the same command. ` +
      'With --dataset, an offline run: an off-policy algorithm trains from the dataset only for --total-steps gradient ' +
      'steps, evaluated in the env every --eval-interval of them; it lives in results/runs/<profile>/<algo>/<env>/offline-<dataset>/seed-<n>/ ' +
      'and never counts in Table 1.',
    flags: [
      { name: '--algo', value: 'ID', doc: `algorithm: ${algorithmIds().join(', ')} [qvpo]` },
      { name: '--env', value: 'ID', doc: `task (required, except with --dataset: its task): ${listEnvIds().join(', ')}` },
      { name: '--dataset', value: 'DIR', doc: 'train offline from this dataset (`qvpo-kit dataset`), e.g. datasets/Hopper-v3/medium' },
      { name: '--seed', value: 'N', doc: 'seed, 0 to 2147483647 [0]' },
      F.profile,
      F.variant,
      { name: '--fresh', doc: 'delete the run and start again (refused while another process holds it)' },
      F.quiet,
      F.root,
    ],
    settings: true,
    run: cmdTrain,
  },
  sweep: {
    synopsis: 'sweep [--profile NAME] [--algos LIST] [--envs LIST] [--seeds LIST] [--jobs N] [--executor local|slurm|k8s] [--<setting> VALUE ...]',
    summary: "the runs of a profile (algorithms × tasks × seeds), here or on Slurm / Kubernetes; skips complete runs, resumes the others",
    about:
      '--executor local (default) runs a pool of --jobs processes here. slurm writes the manifest, an sbatch job array ' +
      'and a Kubernetes Indexed Job, and submits the array; k8s writes the manifest and the Job. Settings apply to every ' +
      'run and are checked against the first algorithm of --algos.',
    flags: [
      F.profile,
      { name: '--algos', value: 'LIST', doc: `comma-separated algorithms (${algorithmIds().join(', ')}) [qvpo]` },
      { name: '--envs', value: 'LIST', doc: "comma-separated tasks [the profile's]" },
      F.seeds,
      F.jobs,
      F.variant,
      F.quiet,
      F.root,
      { name: '--executor', value: 'local|slurm|k8s', doc: 'where the runs execute [local]' },
      ...CLUSTER_FLAGS,
    ],
    settings: true,
    run: cmdSweep,
  },
  'run-index': {
    synopsis: 'run-index --manifest M [--index I] [--quiet]',
    summary: 'one run of a sweep manifest: what each Slurm or Kubernetes task runs',
    about: `Exit codes: ${EXIT_CODE_TEXT}.`,
    flags: [
      { name: '--manifest', value: 'M', doc: 'the manifest written by `qvpo-kit sweep --executor slurm|k8s` (required)' },
      { name: '--index', value: 'I', doc: 'which run [SLURM_ARRAY_TASK_ID, else JOB_COMPLETION_INDEX]' },
      F.quiet,
    ],
    run: cmdRunIndex,
  },
  table: {
    synopsis: 'table [--profile NAME] [--root DIR] [--out DIR]',
    summary: 'Table 1 (markdown and CSV) and Figure 3 (SVG) from the complete runs of a profile',
    flags: [
      { ...F.profile, doc: `profile, optionally with -<variant>: ${PROFILE_NAMES} [quick]` },
      F.root,
      { name: '--out', value: 'DIR', doc: 'where table1.md, table1.csv and figure3-*.svg go [results/<profile>: each profile has its own]' },
    ],
    run: cmdTable,
  },
  ablation: {
    synopsis: 'ablation --name entropy|action-selection [--profile NAME] [--seeds LIST] [--jobs N] [--quiet] [--root DIR]',
    summary: 'the arms of Figure 4 (entropy) or Figure 5 (action selection), then each arm\'s final return',
    flags: [
      { name: '--name', value: 'NAME', doc: 'entropy (Figure 4, Ant-v3) or action-selection (Figure 5, Hopper-v3) (required)' },
      F.profile,
      F.seeds,
      F.jobs,
      F.quiet,
      F.root,
    ],
    run: cmdAblation,
  },
  status: {
    synopsis: 'status [--profile NAME] [--root DIR] | status --manifest M',
    summary: 'the state of each run: complete, running, dead, stopped, preempted, diverged, failed (queued in a manifest)',
    flags: [
      { ...F.profile, doc: `only this profile, optionally with -<variant>: ${PROFILE_NAMES} [all]` },
      F.root,
      { name: '--manifest', value: 'M', doc: "the runs of a sweep manifest instead of a runs root's" },
    ],
    run: cmdStatus,
  },
  eval: {
    synopsis: 'eval --run DIR [--episodes N] [--seed S]',
    summary: "a complete run's policy.bin: the return of each episode, mean ± std",
    about: "Without --seed, the run's final evaluation replayed (its reset seeds and the policy's generator as it began).",
    flags: [
      F.run,
      { name: '--episodes', value: 'N', doc: "episodes to run [the run's evaluation episodes]" },
      { name: '--seed', value: 'S', doc: 'fresh episodes from this seed instead of the final evaluation' },
    ],
    run: (args) => load.policy().cmdEval(args),
  },
  rollout: {
    synopsis: 'rollout --run DIR --out FILE.html [--filmstrip FILE.svg] [--seed S] [--max-steps N]',
    summary: "one evaluation episode of a complete run's policy as a 3-D replay page and a filmstrip",
    flags: [
      F.run,
      { name: '--out', value: 'FILE.html', doc: 'the replay page to write (required)' },
      { name: '--filmstrip', value: 'FILE.svg', doc: 'the filmstrip to write [FILE.svg beside --out]' },
      { name: '--seed', value: 'S', doc: "a fresh episode from this seed [the first episode of the run's final evaluation]" },
      { name: '--max-steps', value: 'N', doc: 'stop the episode after N steps [its end or time limit]' },
    ],
    run: (args) => load.policy().cmdRollout(args),
  },
  dataset: {
    synopsis: `dataset --env ID --kind ${DATASET_KINDS.join('|')} [--steps N] [--seed S] [--policy-run DIR] [--sac-steps N] [--profile NAME] [--out DIR]`,
    summary: 'an offline RL dataset (D4RL-like: random, medium, medium-replay, expert) of a task, in datasets/<env>/<kind>/',
    about:
      'random: the uniform-random policy. medium / expert: the evaluation policy of --policy-run, or of a SAC run trained ' +
      'first (in <out>/source-run/), rolled out, with optional Gaussian --action-noise. medium-replay: every transition ' +
      "that SAC run's training stored, in order. Terminations and time limits are kept apart (terminals, timeouts). " +
      'For the matching pair: --kind medium-replay first, then --kind medium --policy-run datasets/<env>/medium-replay/source-run.',
    flags: [
      { name: '--env', value: 'ID', doc: `task (required): ${listEnvIds().join(', ')}` },
      { name: '--kind', value: 'KIND', doc: `${DATASET_KINDS.join(', ')} (required)` },
      { name: '--steps', value: 'N', doc: `env steps (transitions) of random, medium, expert [${DATASET_DEFAULTS.steps}]` },
      { name: '--seed', value: 'S', doc: 'seed of the episodes, the random actions and a trained SAC run [0]' },
      { name: '--policy-run', value: 'DIR', doc: "medium, expert: a complete run whose policy.bin acts [a SAC run trained first]" },
      {
        name: '--sac-steps',
        value: 'N',
        doc: `steps of the SAC run trained for medium, medium-replay, expert [${Object.entries(DATASET_DEFAULTS.sacSteps).map(([k, v]) => `${k} ${v}`).join(', ')}]`,
      },
      { name: '--profile', value: 'NAME', doc: `whose SAC settings that run uses: ${PROFILE_NAMES} [${DATASET_DEFAULTS.profile}]` },
      { name: '--action-noise', value: 'X', doc: 'medium, expert: Gaussian action noise, std as a fraction of half the action range, 0 to 1 [0]' },
      { name: '--max-episode-steps', value: 'N', doc: `time limit of the episodes [${DATASET_DEFAULTS.maxEpisodeSteps}]` },
      { name: '--random-dataset', value: 'DIR', doc: 'the random dataset whose mean return is the random reference [datasets/<env>/random beside --out, if there]' },
      { name: '--out', value: 'DIR', doc: 'the dataset folder [datasets/<env>/<kind>]' },
      { name: '--force', doc: 'replace a dataset already in --out' },
      { name: '--quiet', doc: 'no progress lines (also QVPO_QUIET=1)' },
    ],
    run: (args) => load.dataset().cmdDataset(args),
  },
  help: {
    synopsis: 'help [COMMAND | ALGO | protocol]',
    summary: "this overview; a command's flags, an algorithm's settings, or the run protocol's",
    flags: [],
    run: cmdHelp,
  },
};

const HELP_FLAG: Flag = { name: '--help', doc: 'this text (also -h)' };

function flagLines(flags: readonly Flag[]): string[] {
  const left = (f: Flag) => (f.value ? `${f.name} ${f.value}` : f.name);
  const width = Math.min(28, Math.max(...flags.map((f) => left(f).length)));
  return flags.map((f) => (left(f).length > width ? `  ${left(f)}\n  ${''.padEnd(width)}  ${f.doc}` : `  ${left(f).padEnd(width)}  ${f.doc}`));
}

/** An algorithm's settings and named variants (`qvpo-kit help ALGO`). */
function algorithmHelp(algo: string, options?: Parameters<ReturnType<typeof algorithm>['schema']['help']>[0]): string {
  const entry = algorithm(algo);
  const lines = [entry.schema.help(options)];
  const variants = Object.entries(entry.variants ?? {});
  if (variants.length) {
    lines.push('', 'named variants (--variant NAME):');
    for (const [name, v] of variants) lines.push(`  ${name}: ${v.doc}`, `      ${JSON.stringify(v.overrides)}`);
  }
  return lines.join('\n');
}

/**
 * A command's --help: usage, its flags, and for train and sweep every algorithm and protocol
 * setting with the value it has at the profile and task the other flags name.
 */
export function commandHelp(name: string, argv: readonly string[]): string {
  const cmd = COMMANDS[name];
  const lines = [`usage: qvpo-kit ${cmd.synopsis}`, '', cmd.summary[0].toUpperCase() + cmd.summary.slice(1) + '.'];
  if (cmd.about) lines.push(cmd.about);
  lines.push('', 'flags:', ...flagLines([...cmd.flags, HELP_FLAG]));
  if (cmd.settings) {
    const args = new Args(name, cmd.flags, argv.filter((a) => a !== '--help' && a !== '-h'));
    const algo = name === 'train' ? args.take('--algo') ?? 'qvpo' : list(args.take('--algos'))?.[0] ?? 'qvpo';
    const profile = args.take('--profile') ?? 'quick';
    const env = (name === 'train' ? args.take('--env') : list(args.take('--envs'))?.[0]) ?? profileNamed(profile).envs[0];
    const base = planRun({ algo, env, seed: 0, profile });
    const at = `at profile ${profile} on ${env}`;
    lines.push(
      '',
      "Settings: every field of the algorithm's config and of the run protocol is a flag. Runs with changed settings",
      "need --variant, and land in results/runs/<profile>-<variant>/, never among the profile's own runs. A yes/no",
      'setting takes --x, --x true|false or --no-x. In brackets: the value a run gets from the profile and task the',
      'other flags name (--algo, --profile, --env change them), and the default where that differs.',
      '',
      algorithmHelp(algo, { values: base.config, title: `${base.algo} settings ${at}:` }),
      '',
      protocolSchema.help({ values: base.protocol, title: `protocol settings ${at}:` }),
    );
  }
  return lines.join('\n');
}

/** `qvpo-kit help`: every command in one line, the algorithms and the profiles. */
function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: qvpo-kit COMMAND [flags]      (`qvpo-kit COMMAND --help` lists every flag of a command)',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    `algorithms: ${algorithmIds().join(', ')} (\`qvpo-kit help ALGO\` lists an algorithm's settings)`,
    `tasks: ${QVPO_ENV_IDS.join(', ')}`,
    'profiles:',
    ...Object.values(PROFILES).map((p) => `  ${p.name}: ${p.description}`),
    '',
    `Exit codes of train and run-index: ${EXIT_CODE_TEXT}.`,
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') return cmdHelp(new Args('help', [], []));
  const cmd = COMMANDS[command];
  if (!cmd) throw new Error(`unknown command "${command}": expected one of ${Object.keys(COMMANDS).join(', ')}`);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(commandHelp(command, rest));
    return 0;
  }
  return cmd.run(new Args(command, cmd.flags, rest));
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
