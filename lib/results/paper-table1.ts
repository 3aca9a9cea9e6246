/**
 * The QVPO paper's Table 1 as data: final evaluation return, mean (std) over 5 runs after 1M
 * environment steps, for 5 MuJoCo v3 tasks and 7 algorithms. Transcribed from
 * shared/reference/paper-table1.json (which notes that its values were taken from the printed
 * table and not re-checked against the PDF). N/A (the algorithm did not work) is `null`.
 */

export const PAPER_TABLE1_SOURCE =
  "Ding et al., NeurIPS 2024, 'Diffusion-based Reinforcement Learning via Q-weighted Variational Policy Optimization' (arXiv 2405.16173), Table 1";

export const PAPER_TABLE1_CAPTION =
  'Comparison of QVPO and 6 other online RL algorithms in evaluation results. (N/A indicates the algorithm does not work)';

export const PAPER_TABLE1_METRIC =
  'episodic return (evaluation), mean and std over 5 runs, after 1M environment steps; printed as mean(std)';

/** Runs per (task, algorithm) in the paper. */
export const PAPER_RUNS = 5;
/** Environment steps per run in the paper. */
export const PAPER_STEPS = 1_000_000;

export const PAPER_ENVS = ['Hopper-v3', 'Walker2d-v3', 'Ant-v3', 'HalfCheetah-v3', 'Humanoid-v3'] as const;
export type PaperEnv = (typeof PAPER_ENVS)[number];

export const PAPER_ALGORITHMS = ['PPO', 'SPO', 'TD3', 'SAC', 'DIPO', 'QSM', 'QVPO'] as const;
export type PaperAlgorithm = (typeof PAPER_ALGORITHMS)[number];

export interface PaperEntry {
  readonly env: PaperEnv;
  readonly algorithm: PaperAlgorithm;
  /** Mean final evaluation return over the paper's 5 runs; null = N/A. */
  readonly mean: number | null;
  /** Std over the paper's 5 runs; null = N/A. */
  readonly std: number | null;
}

// Rows: tasks in PAPER_ENVS order; columns: PAPER_ALGORITHMS order; each cell [mean, std].
const VALUES: Readonly<Record<PaperEnv, readonly (readonly [number, number] | null)[]>> = {
  //               PPO             SPO              TD3             SAC              DIPO            QSM              QVPO
  'Hopper-v3': [[3154.3, 426.2], [2212.8, 988.4], [3267.5, 8.5], [2996.6, 111.9], [3295.4, 7.0], [2154.7, 998.2], [3728.5, 13.8]],
  'Walker2d-v3': [[3751.5, 609.1], [3321.8, 1328.9], [3513.9, 40.7], [4888.1, 80.0], [4681.7, 25.7], [3613.4, 1443.5], [5191.8, 60.2]],
  'Ant-v3': [[2781.9, 74.1], [2100.2, 302.4], [4583.8, 69.5], [5030.9, 1000.3], [5665.9, 54.7], null, [6425.1, 67.6]],
  'HalfCheetah-v3': [[4773.5, 53.4], [4008.2, 246.8], [10388.6, 80.4], [10616.9, 72.8], [9590.5, 67.5], [3888.2, 632.6], [11385.6, 164.5]],
  'Humanoid-v3': [[713.7, 85.9], [797.4, 262.1], [5353.5, 53.7], [5159.7, 475.3], [4945.5, 898.6], [4793.1, 229.5], [5306.6, 14.5]],
};

/** All 35 entries, task-major in the paper's order. */
export const PAPER_TABLE1: readonly PaperEntry[] = Object.freeze(
  PAPER_ENVS.flatMap((env) =>
    PAPER_ALGORITHMS.map((algorithm, k): PaperEntry => {
      const cell = VALUES[env][k];
      return Object.freeze({ env, algorithm, mean: cell ? cell[0] : null, std: cell ? cell[1] : null });
    }),
  ),
);

/**
 * Columns the kit adds to Table 1 beyond the paper's seven, with where each algorithm comes
 * from. They have no paper value: their paper cell reads BEYOND_THE_PAPER.
 */
export const BEYOND_PAPER_ALGORITHMS: Readonly<Record<string, string>> = {
  DPMD: 'Ma et al., ICML 2025 (Efficient Online Reinforcement Learning for Diffusion Policy)',
  SDAC: 'Ma et al., ICML 2025 (Efficient Online Reinforcement Learning for Diffusion Policy)',
  'Diffusion-QL': 'Wang, Hunt, Zhou, ICLR 2023 (Diffusion Policies as an Expressive Policy Class for Offline RL), run online on its own replay data',
};

export const BEYOND_THE_PAPER = '— (beyond the paper)';

/** The kit's spelling of a beyond-the-paper algorithm ('dpmd' → 'DPMD'); undefined for any other. */
export function beyondPaperName(algo: string): string | undefined {
  const lower = algo.toLowerCase();
  return Object.keys(BEYOND_PAPER_ALGORITHMS).find((a) => a.toLowerCase() === lower);
}

/** The paper's spelling of an algorithm name, matched case-insensitively ('qvpo' → 'QVPO'); undefined if not in the table. */
export function paperAlgorithmName(algo: string): PaperAlgorithm | undefined {
  const lower = algo.toLowerCase();
  return PAPER_ALGORITHMS.find((a) => a.toLowerCase() === lower);
}

/** The paper's spelling of a task id, matched case-insensitively; undefined if not in the table. */
export function paperEnvName(env: string): PaperEnv | undefined {
  const lower = env.toLowerCase();
  return PAPER_ENVS.find((e) => e.toLowerCase() === lower);
}

/**
 * The paper's entry for (env, algorithm); names match case-insensitively. An N/A entry has
 * mean = std = null (e.g. Ant-v3 / QSM). Returns undefined when the pair is not in the table
 * (another task id such as Hopper-v4, or an algorithm the paper did not run).
 */
export function paperResult(env: string, algo: string): PaperEntry | undefined {
  const e = paperEnvName(env);
  const a = paperAlgorithmName(algo);
  if (e === undefined || a === undefined) return undefined;
  return PAPER_TABLE1.find((x) => x.env === e && x.algorithm === a);
}
