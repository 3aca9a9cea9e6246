/**
 * Time of one QVPO training iteration and of action selection, per task dimensions, compute
 * engine and backend.
 *
 *   npx tsx bench/qvpo-iteration.ts [--engine tfjs,ort] [--dims hopper,humanoid]
 *                                   [--preset paper|quick|smoke] [--iters 5] [--warmup 2]
 *                                   [--action-iters 50] [--rounds 1] [--backend wasm]
 *                                   [--sampler-workers N] [--min-rows 1024]
 *                                   [--<qvpo flag> value ...]   (e.g. --train-samples 16)
 *
 * Engines are timed in turn (interleaved) for `--rounds` rounds per task dims; each round's
 * figures are kept and the median round is printed. Prints ms and process CPU ms per iteration
 * split into phases (critic step incl. the Kt target chains; Nd sampling and scoring; actor
 * loss + Adam; target updates), per behaviour action (Kb candidates) and per evaluation action,
 * the ort ÷ tfjs ratios, and the ratios to the official PyTorch code's measured figures.
 * It also prints the CPU model and the load average before and after, since timings on shared
 * machines are only comparable under equal load.
 *
 * --sampler-workers N shares the tfjs engine's sampling batches of at least --min-rows rows with
 * N worker threads (lib/diffusion/sampler-pool.ts; default QVPO_SAMPLER_WORKERS, else 0).
 *
 * The official figures are measured constants, not run here (the official code cannot run on
 * this kit's machines: no PyPI); see OFFICIAL below for where each comes from.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { QvpoConfig, qvpoSchema } from '../lib/agents/qvpo/config';
import { StepCost, measureStepCost, specOfDims } from '../lib/agents/qvpo/step-cost';
import { describeBackend, initBackend } from '../lib/backend';
import { SamplerPool, samplerWorkersFromEnv } from '../lib/diffusion/sampler-pool';
import { ENGINE_NAMES, EngineName, describeEngine, setEngine } from '../lib/engine';
import { median } from '../lib/stats';
import { arg, loadAverage, settingFlags } from './cli';


/**
 * The official code at paper settings, process CPU ms, on a 2-vCPU AMD EPYC VM (AVX2+FMA,
 * Debian 12) with torch 1.13 + OpenBLAS at 1 torch thread and OPENBLAS_NUM_THREADS=1, its best
 * setting there (2 threads were 2.4× slower on those 2 shared vCPUs). Measured 2026-11-29,
 * recorded in the kit's reference toolchain notes and issue tracker: iteration 5.1–5.5 s CPU
 * (the low end is used), behaviour action 10–11 ms, evaluation action 19.5–22 ms. Humanoid
 * was not measured in that round.
 */
const OFFICIAL_CPU_MS: Record<string, { iteration: number; behaviour: number; eval: number; measured: string }> = {
  hopper: { iteration: 5100, behaviour: 10.5, eval: 20, measured: '2026-11-29, AMD EPYC 2 vCPU, torch 1.13 + OpenBLAS, 1 thread' },
};

const PRESETS: Record<string, Partial<QvpoConfig>> = {
  paper: {},
  quick: { hiddenWidth: 64, batchSize: 64, trainSamples: 8 },
  smoke: { hiddenWidth: 32, hiddenLayers: 2, batchSize: 16, trainSamples: 4, evalSamples: 4 },
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    console.log('see the header of bench/qvpo-iteration.ts\n\n' + qvpoSchema.help());
    return;
  }
  const backend = await initBackend(arg(argv, '--backend', process.env.QVPO_BACKEND ?? 'auto'));
  const engines = arg(argv, '--engine', process.env.QVPO_ENGINE ?? 'tfjs,ort').split(',') as EngineName[];
  for (const e of engines) if (!(ENGINE_NAMES as readonly string[]).includes(e)) throw new Error(`unknown --engine entry "${e}": expected some of ${ENGINE_NAMES.join(', ')}`);
  const dims = arg(argv, '--dims', 'hopper,humanoid').split(',');
  const preset = arg(argv, '--preset', 'paper');
  const iters = Number(arg(argv, '--iters', '5'));
  const warmup = Number(arg(argv, '--warmup', '2'));
  const actionIters = Number(arg(argv, '--action-iters', '50'));
  const rounds = Number(arg(argv, '--rounds', '1'));
  if (!PRESETS[preset]) throw new Error(`unknown --preset "${preset}": expected one of ${Object.keys(PRESETS).join(', ')}`);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a whole number ≥ 1, got ${arg(argv, '--rounds', '')}`);
  const samplerWorkers = argv.includes('--sampler-workers') ? Number(arg(argv, '--sampler-workers', '0')) : samplerWorkersFromEnv();
  const minRows = Number(arg(argv, '--min-rows', '1024'));
  if (!Number.isInteger(samplerWorkers) || samplerWorkers < 0) throw new Error(`--sampler-workers must be a whole number ≥ 0, got ${samplerWorkers}`);
  const flags = settingFlags(argv, ['--dims', '--preset', '--iters', '--warmup', '--action-iters', '--backend', '--sampler-workers', '--min-rows', '--engine', '--rounds']);
  const { config } = qvpoSchema.parseArgs(flags, PRESETS[preset]);
  const changed = qvpoSchema.diff(config).map((d) => `${String(d.key)}=${JSON.stringify(d.value)}`);
  console.log(`cpu: ${os.cpus()[0]?.model?.trim() ?? 'unknown'} × ${os.cpus().length}; load average before: ${loadAverage()}`);
  console.log(`backend: ${describeBackend(backend)}`);
  console.log(`settings: ${preset}${changed.length ? ' (' + changed.join(', ') + ')' : ' (official defaults)'}; ${iters} timed iterations after ${warmup} warm-up, ${rounds} round(s), engines in turn`);
  console.log(`sampling workers (tfjs engine): ${samplerWorkers ? `${samplerWorkers} beside the main thread, for batches of ≥ ${minRows} rows` : 'none'}\n`);

  const rows: string[][] = [];
  for (const name of dims) {
    const spec = specOfDims(name);
    const costs = new Map<EngineName, StepCost[]>(engines.map((e) => [e, []]));
    for (let r = 0; r < rounds; r++) {
      for (const engineName of engines) {
        const info = setEngine(engineName);
        if (r === 0) console.error(`  ${name}: engine ${describeEngine(info)}`);
        // Declared this way so TypeScript keeps its type after the assignment inside `prepare`.
        let pool = null as SamplerPool | null;
        const cost = await measureStepCost(spec, config, {
          iterations: iters,
          warmup,
          actions: actionIters,
          prepare: async (agent) => {
            pool = samplerWorkers > 0 && engineName === 'tfjs' ? await SamplerPool.create(samplerWorkers, agent.policy.netSpec, backend.name, minRows) : null;
            agent.policy.useSampler(pool);
          },
        });
        await pool?.dispose();
        costs.get(engineName)?.push(cost);
        console.error(`  ${name} ${engineName} round ${r + 1}: ${cost.updateMs.toFixed(1)} ms/iter (${cost.updateCpuMs.toFixed(1)} CPU ms); tensors alive ${tf.memory().numTensors}`);
      }
    }
    const pick = (e: EngineName, f: (c: StepCost) => number) => median((costs.get(e) ?? []).map(f));
    const official = OFFICIAL_CPU_MS[name];
    const ratio = (ours: number, theirs?: number) => (theirs && preset === 'paper' ? (ours / theirs).toFixed(2) : '–');
    for (const e of engines) {
      const phase = (k: string, cpu: boolean) => pick(e, (c) => (cpu ? c.phasesCpu : c.phases)[k] ?? 0);
      const both = (k: string) => `${phase(k, false).toFixed(1)} / ${phase(k, true).toFixed(1)}`;
      const iterCpu = pick(e, (c) => c.updateCpuMs);
      const behCpu = pick(e, (c) => c.behaviourActCpuMs);
      const evalCpu = pick(e, (c) => c.evalActCpuMs);
      rows.push([
        name,
        e,
        `${pick(e, (c) => c.updateMs).toFixed(1)} / ${iterCpu.toFixed(1)}`,
        both('sampling'),
        both('critic'),
        both('actor'),
        `${pick(e, (c) => c.behaviourActMs).toFixed(2)} / ${behCpu.toFixed(2)}`,
        `${pick(e, (c) => c.evalActMs).toFixed(2)} / ${evalCpu.toFixed(2)}`,
        ratio(iterCpu, official?.iteration),
        ratio(behCpu, official?.behaviour),
        ratio(evalCpu, official?.eval),
      ]);
    }
    if (engines.includes('ort') && engines.includes('tfjs')) {
      const r = (f: (c: StepCost) => number) => (pick('ort', f) / pick('tfjs', f)).toFixed(2);
      rows.push([name, 'ort ÷ tfjs', `${r((c) => c.updateMs)} / ${r((c) => c.updateCpuMs)}`, `${r((c) => c.phases.sampling ?? 0)}`, `${r((c) => c.phases.critic ?? 0)}`, `${r((c) => c.phases.actor ?? 0)}`, `${r((c) => c.behaviourActMs)} / ${r((c) => c.behaviourActCpuMs)}`, `${r((c) => c.evalActMs)} / ${r((c) => c.evalActCpuMs)}`, '', '', '']);
    }
  }
  const header = ['dims', 'engine', 'ms/iter (wall / CPU)', 'Nd sampling', 'critic', 'actor', 'behaviour act', 'eval act', 'iter CPU ÷ official', 'behaviour CPU ÷ official', 'eval CPU ÷ official'];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map(() => '---').join(' | ')} |`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log(`\nload average after: ${loadAverage()}`);
  if (preset !== 'paper') console.log('ratios to the official code are shown for the paper preset only');
  else console.log(`official figures: ${Object.entries(OFFICIAL_CPU_MS).map(([k, v]) => `${k} ${v.iteration} ms/iter, ${v.behaviour} ms behaviour, ${v.eval} ms eval (CPU; ${v.measured})`).join('; ')}`);
}

main().catch((e) => {
  console.error(`qvpo-iteration: ${(e as Error).message}`);
  process.exit(1);
});
