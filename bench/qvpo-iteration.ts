/**
 * Time of one QVPO training iteration and of action selection, per task dimensions and backend.
 *
 *   npx tsx bench/qvpo-iteration.ts [--dims hopper,humanoid] [--preset paper|quick|smoke]
 *                                   [--iters 5] [--warmup 2] [--action-iters 50] [--backend wasm]
 *                                   [--sampler-workers N] [--min-rows 1024]
 *                                   [--<qvpo flag> value ...]   (e.g. --train-samples 16)
 *
 * --sampler-workers N shares sampling batches of at least --min-rows rows with N worker
 * threads (lib/diffusion/sampler-pool.ts; default QVPO_SAMPLER_WORKERS, else 0).
 *
 * Prints ms per iteration split into phases (critic step incl. the Kt target chains; Nd
 * sampling and scoring; actor loss + Adam; target updates), ms per behaviour action (Kb
 * candidates) and per evaluation action, and the ratio to the official PyTorch code's figures.
 *
 * The official figures are measured constants, not run here: spec §9 of the kit's reference
 * (2026-11-21, 2-core Xeon VM, torch 1.13 + OpenBLAS, 2 threads, quiet machine; command
 * `python3 bench/official_update_step.py --repo <qvpo> --env hopper humanoid --threads 2
 * --warmup 3 --iters 10 --action-iters 200 --breakdown`). The official code cannot run on this
 * kit's machines (no PyPI), so compare only under similar load.
 */
import * as tf from '@tensorflow/tfjs';
import { QvpoConfig, qvpoSchema } from '../lib/agents/qvpo/config';
import { measureStepCost } from '../lib/agents/qvpo/step-cost';
import { describeBackend, initBackend } from '../lib/backend';
import { SamplerPool, samplerWorkersFromEnv } from '../lib/diffusion/sampler-pool';

const DIMS: Record<string, { obs: number; act: number; bound: number }> = {
  hopper: { obs: 11, act: 3, bound: 1 },
  walker2d: { obs: 17, act: 6, bound: 1 },
  halfcheetah: { obs: 17, act: 6, bound: 1 },
  ant: { obs: 111, act: 8, bound: 1 },
  humanoid: { obs: 376, act: 17, bound: 0.4 },
};

/** Official code, paper settings: mean train iteration, behaviour action and eval action (ms). */
const OFFICIAL_MS: Record<string, { iteration: number; behaviour: number; eval: number }> = {
  hopper: { iteration: 4040, behaviour: 5.5, eval: 13.2 },
  humanoid: { iteration: 4700, behaviour: 7.1, eval: 16.3 },
};

const PRESETS: Record<string, Partial<QvpoConfig>> = {
  paper: {},
  quick: { hiddenWidth: 64, batchSize: 64, trainSamples: 8 },
  smoke: { hiddenWidth: 32, hiddenLayers: 2, batchSize: 16, trainSamples: 4, evalSamples: 4 },
};

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    console.log('see the header of bench/qvpo-iteration.ts\n\n' + qvpoSchema.help());
    return;
  }
  const backend = await initBackend(arg(argv, '--backend', process.env.QVPO_BACKEND ?? 'auto'));
  const dims = arg(argv, '--dims', 'hopper,humanoid').split(',');
  const preset = arg(argv, '--preset', 'paper');
  const iters = Number(arg(argv, '--iters', '5'));
  const warmup = Number(arg(argv, '--warmup', '2'));
  const actionIters = Number(arg(argv, '--action-iters', '50'));
  if (!PRESETS[preset]) throw new Error(`unknown --preset "${preset}": expected one of ${Object.keys(PRESETS).join(', ')}`);
  const samplerWorkers = argv.includes('--sampler-workers') ? Number(arg(argv, '--sampler-workers', '0')) : samplerWorkersFromEnv();
  const minRows = Number(arg(argv, '--min-rows', '1024'));
  if (!Number.isInteger(samplerWorkers) || samplerWorkers < 0) throw new Error(`--sampler-workers must be a whole number ≥ 0, got ${samplerWorkers}`);
  const known = new Set(['--dims', '--preset', '--iters', '--warmup', '--action-iters', '--backend', '--sampler-workers', '--min-rows']);
  const flags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (known.has(argv[i])) i++;
    else flags.push(argv[i]);
  }
  const { config } = qvpoSchema.parseArgs(flags, PRESETS[preset]);
  const changed = qvpoSchema.diff(config).map((d) => `${String(d.key)}=${JSON.stringify(d.value)}`);
  console.log(`backend: ${describeBackend(backend)}`);
  console.log(`settings: ${preset}${changed.length ? ' (' + changed.join(', ') + ')' : ' (official defaults)'}; ${iters} timed iterations after ${warmup} warm-up`);
  console.log(`sampling workers: ${samplerWorkers ? `${samplerWorkers} beside the main thread, for batches of ≥ ${minRows} rows` : 'none'}\n`);

  const rows: string[][] = [];
  for (const name of dims) {
    const d = DIMS[name];
    if (!d) throw new Error(`unknown --dims entry "${name}": expected some of ${Object.keys(DIMS).join(', ')}`);
    const low = Array(d.act).fill(-d.bound);
    const high = Array(d.act).fill(d.bound);
    // Declared this way so TypeScript keeps its type after the assignment inside `prepare`.
    let pool = null as SamplerPool | null;
    const cost = await measureStepCost({ obsDim: d.obs, actDim: d.act, actionLow: low, actionHigh: high }, config, {
      iterations: iters,
      warmup,
      actions: actionIters,
      prepare: async (agent) => {
        pool = samplerWorkers > 0 ? await SamplerPool.create(samplerWorkers, agent.policy.netSpec, backend.name, minRows) : null;
        agent.policy.useSampler(pool);
      },
    });
    const perIter = cost.updateMs;
    const behaviour = cost.behaviourActMs;
    const evalMs = cost.evalActMs;
    const phase = (k: string) => cost.phases[k] ?? 0;
    const official = OFFICIAL_MS[name];
    const ratio = (ours: number, theirs?: number) => (theirs && preset === 'paper' ? (ours / theirs).toFixed(2) : '–');
    rows.push([
      name,
      `${d.obs}/${d.act}`,
      perIter.toFixed(1),
      phase('sampling').toFixed(1),
      phase('critic').toFixed(1),
      phase('actor').toFixed(1),
      phase('targets').toFixed(1),
      behaviour.toFixed(2),
      evalMs.toFixed(2),
      ratio(perIter, official?.iteration),
      ratio(behaviour, official?.behaviour),
      ratio(evalMs, official?.eval),
    ]);
    await pool?.dispose();
    console.error(`  ${name} done; tensors alive ${tf.memory().numTensors}`);
  }
  const header = ['dims', 'obs/act', 'ms/iter', 'Nd sampling', 'critic', 'actor', 'targets', 'behaviour act', 'eval act', 'iter ÷ official', 'behaviour ÷ official', 'eval ÷ official'];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map(() => '---').join(' | ')} |`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  if (preset !== 'paper') console.log('\nratios to the official code are shown for the paper preset only');
}

main().catch((e) => {
  console.error(`qvpo-iteration: ${(e as Error).message}`);
  process.exit(1);
});
