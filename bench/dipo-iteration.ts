/**
 * Time of one DIPO training iteration and of its actions, per compute engine, on a task's
 * dimensions: the critic step (with its T-step target chain), the action ascent (20 Adam steps
 * on min(Q1, Q2) in the stored actions), the actor's diffusion step and the target updates,
 * then a behaviour and an evaluation action (one T-step chain each).
 *
 *   npx tsx bench/dipo-iteration.ts [--engine tfjs,ort] [--dims hopper] [--preset quick|paper]
 *                                   [--iters 40] [--warmup 5] [--action-iters 100] [--rounds 3]
 *                                   [--<dipo flag> value ...]   (e.g. --action-gradient-steps 40)
 *
 * Engines are timed in turn (interleaved), `--rounds` rounds; the median round is printed, in
 * wall / process CPU ms, with the CPU model and the load average before and after (timings
 * on shared machines compare only under equal load). `quick` is the kit's quick and medium
 * profiles' network (width 64, batch 64) with DIPO's Hopper-v3 settings; `paper` the original
 * code's defaults (width 256, batch 256).
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { DipoAgent } from '../lib/agents/dipo/agent';
import { DipoConfig, dipoSchema } from '../lib/agents/dipo/config';
import { StepCost, measureStepCost, specOfDims } from '../lib/agents/qvpo/step-cost';
import { describeBackend, initBackend } from '../lib/backend';
import { ENGINE_NAMES, EngineName, describeEngine, setEngine } from '../lib/engine';
import { median } from '../lib/stats';
import { arg, loadAverage, settingFlags, wholeNumber } from './cli';

// DIPO's Hopper-v3 row (lib/agents/dipo/tasks.ts) on both presets
const HOPPER: Partial<DipoConfig> = { gradClipNorm: 1, actionGradNormPerDim: 0.3 };
const PRESETS: Record<string, Partial<DipoConfig>> = {
  paper: HOPPER,
  quick: { ...HOPPER, hiddenWidth: 64, batchSize: 64 },
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    console.log('see the header of bench/dipo-iteration.ts\n\n' + dipoSchema.help());
    return;
  }
  const backend = await initBackend(arg(argv, '--backend', process.env.QVPO_BACKEND ?? 'auto'));
  const engines = arg(argv, '--engine', 'tfjs,ort').split(',') as EngineName[];
  for (const e of engines) if (!(ENGINE_NAMES as readonly string[]).includes(e)) throw new Error(`unknown --engine entry "${e}": expected some of ${ENGINE_NAMES.join(', ')}`);
  const dims = arg(argv, '--dims', 'hopper').split(',');
  const preset = arg(argv, '--preset', 'quick');
  if (!PRESETS[preset]) throw new Error(`unknown --preset "${preset}": expected one of ${Object.keys(PRESETS).join(', ')}`);
  const counts = {
    iters: wholeNumber(argv, '--iters', 40, 1),
    warmup: wholeNumber(argv, '--warmup', 5, 0),
    actions: wholeNumber(argv, '--action-iters', 100, 1),
    rounds: wholeNumber(argv, '--rounds', 3, 1),
  };
  const flags = settingFlags(argv, ['--dims', '--preset', '--iters', '--warmup', '--action-iters', '--backend', '--engine', '--rounds']);
  const { config } = dipoSchema.parseArgs(flags, PRESETS[preset]);
  const changed = dipoSchema.diff(config).map((d) => `${String(d.key)}=${JSON.stringify(d.value)}`);
  console.log(`cpu: ${os.cpus()[0]?.model?.trim() ?? 'unknown'} × ${os.cpus().length}; load average before: ${loadAverage()}`);
  console.log(`backend: ${describeBackend(backend)}`);
  console.log(`settings: ${preset} (${changed.join(', ') || 'DIPO defaults'}); ${counts.iters} timed iterations after ${counts.warmup} warm-up, ${counts.rounds} round(s), engines in turn\n`);

  const rows: string[][] = [];
  for (const name of dims) {
    const spec = specOfDims(name);
    const costs = new Map<EngineName, StepCost[]>(engines.map((e) => [e, []]));
    for (let r = 0; r < counts.rounds; r++) {
      for (const engineName of engines) {
        const info = setEngine(engineName);
        if (r === 0) console.error(`  ${name}: engine ${describeEngine(info)}`);
        const cost = await measureStepCost(spec, config, {
          iterations: counts.iters,
          warmup: counts.warmup,
          actions: counts.actions,
          makeAgent: (s, seed) => new DipoAgent(s, config, seed),
        });
        costs.get(engineName)?.push(cost);
        console.error(`  ${name} ${engineName} round ${r + 1}: ${cost.updateMs.toFixed(1)} ms/iter (${cost.updateCpuMs.toFixed(1)} CPU ms); tensors alive ${tf.memory().numTensors}`);
      }
    }
    const pick = (e: EngineName, f: (c: StepCost) => number) => median((costs.get(e) ?? []).map(f));
    for (const e of engines) {
      const both = (k: string) => `${pick(e, (c) => c.phases[k] ?? 0).toFixed(1)} / ${pick(e, (c) => c.phasesCpu[k] ?? 0).toFixed(1)}`;
      rows.push([
        name,
        e,
        `${pick(e, (c) => c.updateMs).toFixed(1)} / ${pick(e, (c) => c.updateCpuMs).toFixed(1)}`,
        both('critic'),
        both('sampling'),
        both('actor'),
        both('targets'),
        `${pick(e, (c) => c.behaviourActMs).toFixed(2)} / ${pick(e, (c) => c.behaviourActCpuMs).toFixed(2)}`,
        `${pick(e, (c) => c.evalActMs).toFixed(2)} / ${pick(e, (c) => c.evalActCpuMs).toFixed(2)}`,
        pick(e, (c) => c.envStepsPerSecond).toFixed(1),
      ]);
    }
    if (engines.includes('ort') && engines.includes('tfjs')) {
      const r = (f: (c: StepCost) => number) => (pick('ort', f) / pick('tfjs', f)).toFixed(2);
      const phase = (k: string) => r((c) => c.phases[k] ?? 0);
      rows.push([name, 'ort ÷ tfjs', `${r((c) => c.updateMs)} / ${r((c) => c.updateCpuMs)}`, phase('critic'), phase('sampling'), phase('actor'), phase('targets'), r((c) => c.behaviourActMs), r((c) => c.evalActMs), r((c) => c.envStepsPerSecond)]);
    }
  }
  const header = ['dims', 'engine', 'ms/iter (wall / CPU)', 'critic (+ target chain)', 'action ascent', 'actor', 'targets', 'behaviour act', 'eval act', 'env steps/s (update + action)'];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map(() => '---').join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(`\nload average after: ${loadAverage()}`);
}

main().catch((e) => {
  console.error(`dipo-iteration: ${(e as Error).message}`);
  process.exit(1);
});
