/**
 * Sweeps on clusters: the sweep manifest written to a file, and the one command every cluster
 * task runs — `qvpo-kit run-index --manifest M --index I` — with I from the scheduler: a Slurm
 * job array (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX). Runs keep
 * their usual directories, so `status` and `table` read them as they do local ones.
 *
 * Pre-emption: Slurm signals the batch script `signalLead` seconds before the time limit (or
 * `scancel --batch --signal=TERM`); the script passes SIGTERM on, the run checkpoints at its
 * next episode end and exits 143 (`preempted`), and the script requeues the task, which resumes.
 * Kubernetes sends SIGTERM on eviction; the Job's pod restarts on failure and resumes the same.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../util/paths';
import { parseWholeNumber } from '../util/parse';
import { RunPlan } from './plan';
import { ManifestEntry, planManifest } from './sweep';
import { EXIT_CODES } from './train';

export const MANIFEST_KIND = 'qvpo-kit-sweep-manifest';

export interface ManifestFile {
  kind: typeof MANIFEST_KIND;
  version: 1;
  name: string;
  /** Runs root, relative to the manifest's folder (so a cluster can mount both elsewhere). */
  root: string;
  entries: ManifestEntry[];
}

/** Writes the manifest (planning every entry first, so a bad one fails before anything is written). */
export function writeManifestFile(file: string, name: string, entries: readonly ManifestEntry[], root: string): ManifestFile {
  planManifest(entries, root);
  const manifest: ManifestFile = { kind: MANIFEST_KIND, version: 1, name, root: path.relative(path.dirname(path.resolve(file)), path.resolve(root)) || '.', entries: [...entries] };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(manifest, null, 1) + '\n');
  return manifest;
}

/** Reads a manifest file; errors name the file and what is wrong. Returns its entries' plans too. */
export function readManifestFile(file: string): { manifest: ManifestFile; root: string; plans: RunPlan[] } {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`--manifest ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(e as Error).message})`}`);
  }
  const m = data as Partial<ManifestFile>;
  if (!m || m.kind !== MANIFEST_KIND || m.version !== 1 || typeof m.root !== 'string' || !Array.isArray(m.entries) || m.entries.length === 0) {
    throw new Error(`--manifest ${file}: not a qvpo-kit sweep manifest (expected kind "${MANIFEST_KIND}", version 1, a root and at least one entry)`);
  }
  const root = path.resolve(path.dirname(path.resolve(file)), m.root);
  let plans: RunPlan[];
  try {
    plans = planManifest(m.entries, root);
  } catch (e) {
    throw new Error(`--manifest ${file}: ${(e as Error).message}`);
  }
  return { manifest: m as ManifestFile, root, plans };
}

/** The task index: --index, else SLURM_ARRAY_TASK_ID, else JOB_COMPLETION_INDEX; checked against the manifest. */
export function taskIndex(arg: string | undefined, count: number, env: NodeJS.ProcessEnv = process.env): number {
  const sources: [string, string | undefined][] = [
    ['--index', arg],
    ['SLURM_ARRAY_TASK_ID', env.SLURM_ARRAY_TASK_ID],
    ['JOB_COMPLETION_INDEX', env.JOB_COMPLETION_INDEX],
  ];
  const found = sources.find(([, v]) => v !== undefined && v !== '');
  if (!found) throw new Error('run-index needs --index, or SLURM_ARRAY_TASK_ID (Slurm job array) or JOB_COMPLETION_INDEX (Kubernetes Indexed Job)');
  return parseWholeNumber(found[1] as string, `${found[0]} (the manifest has ${count} runs)`, 0, count - 1);
}

export interface SlurmOptions {
  /** Job name (also the name of the log files' folder). */
  name: string;
  manifestFile: string;
  count: number;
  logDir: string;
  partition?: string;
  /** Time limit per task, as sbatch takes it (e.g. 2-00:00:00). */
  time?: string;
  gpus?: number;
  cpusPerTask: number;
  /** Seconds before the time limit at which the task is told to checkpoint and requeue. */
  signalLead: number;
  /** Tasks running at once (the array's %N); all when absent. */
  maxRunning?: number;
  quiet?: boolean;
  node?: string;
  cli?: string;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The sbatch script of a sweep: one array task per manifest entry, requeued when pre-empted. */
export function slurmScript(o: SlurmOptions): string {
  const node = o.node ?? process.execPath;
  const cli = o.cli ?? path.join(REPO_ROOT, 'bin', 'qvpo-kit.js');
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=${o.name}`,
    `#SBATCH --array=0-${o.count - 1}${o.maxRunning ? `%${o.maxRunning}` : ''}`,
    '#SBATCH --requeue',
    '#SBATCH --open-mode=append',
    `#SBATCH --output=${path.join(o.logDir, '%A_%a.out')}`,
    `#SBATCH --cpus-per-task=${o.cpusPerTask}`,
    `#SBATCH --signal=B:TERM@${o.signalLead}`,
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
    ...(o.gpus ? [`#SBATCH --gpus-per-task=${o.gpus}`] : []),
    '# Written by `qvpo-kit sweep --executor slurm`. Each task trains one run of the manifest;',
    '# SIGTERM (time limit near, pre-emption, scancel --batch --signal=TERM) makes it checkpoint',
    `# and exit ${EXIT_CODES.preempted}, and then the task requeues itself and resumes from the checkpoint.`,
    `cd ${shellQuote(REPO_ROOT)}`,
    `${shellQuote(node)} ${shellQuote(cli)} run-index --manifest ${shellQuote(path.resolve(o.manifestFile))} --index "$SLURM_ARRAY_TASK_ID"${o.quiet ? ' --quiet' : ''} &`,
    'child=$!',
    "trap 'kill -TERM $child 2>/dev/null' TERM",
    "trap 'kill -INT $child 2>/dev/null' INT",
    '# wait returns when a trapped signal arrives: wait until the run itself has exited.',
    'wait $child; code=$?',
    'while kill -0 $child 2>/dev/null; do wait $child; code=$?; done',
    `if [ $code -eq ${EXIT_CODES.preempted} ]; then`,
    '  echo "qvpo-kit: run preempted; requeueing ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"',
    '  scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}" || true',
    'fi',
    'exit $code',
  ];
  return lines.join('\n') + '\n';
}

export interface K8sOptions {
  name: string;
  count: number;
  /** Manifest path inside the container. */
  manifestPath: string;
  image: string;
  /** PersistentVolumeClaim holding the manifest and the runs, mounted at `mountPath`. */
  pvc: string;
  mountPath: string;
  parallelism?: number;
  cpus: number;
  gpus?: number;
  /** Seconds between SIGTERM and SIGKILL: enough for the next episode end and a checkpoint. */
  gracePeriod: number;
}

/**
 * A Kubernetes Indexed Job (batch/v1, backoffLimitPerIndex needs Kubernetes ≥ 1.29): pod k runs
 * manifest entry k (JOB_COMPLETION_INDEX); an evicted pod is replaced and resumes the run.
 */
export function k8sIndexedJob(o: K8sOptions): string {
  const name = o.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 52) || 'qvpo-sweep';
  const limits = [`cpu: "${o.cpus}"`, ...(o.gpus ? [`nvidia.com/gpu: ${o.gpus}`] : [])];
  return [
    '# Written by `qvpo-kit sweep --executor slurm|k8s`: one pod per run of the manifest. The image holds the kit',
    '# (working directory = its root); the volume holds the manifest and the runs, as on the machine that wrote it.',
    `# Pods get SIGTERM when evicted; the run checkpoints and exits ${EXIT_CODES.preempted}, and the replacement pod resumes it.`,
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  completionMode: Indexed',
    `  completions: ${o.count}`,
    `  parallelism: ${o.parallelism ?? o.count}`,
    '  # A pod evicted or pre-empted does not count as a failure; a diverged run (exit 3) is not retried.',
    '  backoffLimitPerIndex: 3',
    '  podFailurePolicy:',
    '    rules:',
    `      - { action: FailIndex, onExitCodes: { containerName: run, operator: In, values: [${EXIT_CODES.diverged}] } }`,
    '      - { action: Ignore, onPodConditions: [{ type: DisruptionTarget }] }',
    '  template:',
    '    spec:',
    '      restartPolicy: Never',
    `      terminationGracePeriodSeconds: ${o.gracePeriod}`,
    '      containers:',
    '        - name: run',
    `          image: ${o.image}`,
    `          command: ["node", "bin/qvpo-kit.js", "run-index", "--manifest", ${JSON.stringify(o.manifestPath)}, "--quiet"]`,
    '          resources:',
    `            requests: { ${limits[0]} }`,
    `            limits: { ${limits.join(', ')} }`,
    '          volumeMounts:',
    `            - { name: results, mountPath: ${JSON.stringify(o.mountPath)} }`,
    '      volumes:',
    `        - { name: results, persistentVolumeClaim: { claimName: ${JSON.stringify(o.pvc)} } }`,
  ].join('\n') + '\n';
}
