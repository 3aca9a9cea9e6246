/**
 * Where each profile's outputs go, so that no profile can overwrite another's:
 *
 *   results/runs/<label>/<algo>/<env>/seed-<n>/    runs (a label is a profile, optionally -<variant>)
 *   results/<label>/table1.md, table1.csv, figure3-eval.svg, figure3-train.svg
 *   reports/<profile>/<notebook>.html, reports/<profile>/index.html
 *
 * scripts/notebook/run-notebooks.js and mk/notebooks.mk follow the same layout for reports.
 * The smoke profile's outputs are CI checks: .gitignore keeps them out of the repository.
 */
import * as path from 'node:path';
import { REPO_ROOT } from '../util/paths';
import { PROFILE_NAMES } from '../notebook/params';

/** What `qvpo-kit table` writes into a label's results folder. */
export const TABLE1_FILES = ['table1.md', 'table1.csv', 'figure3-eval.svg', 'figure3-train.svg'] as const;

export interface ProfileOutputs {
  runs: string;
  results: string;
  reports: string;
}

/** The folders of one profile label (`quick`, `smoke`, `quick-nd16`) in a checkout at `repoRoot`. */
export function profileOutputs(label: string, repoRoot: string = REPO_ROOT): ProfileOutputs {
  const m = /^([a-z]+)(-[A-Za-z0-9._+-]+)?$/.exec(label);
  if (!m || !(PROFILE_NAMES as readonly string[]).includes(m[1]) || label.includes('..')) {
    throw new Error(`profile label "${label}": expected a profile (${PROFILE_NAMES.join(', ')}), optionally followed by -<variant> of letters, digits, . _ + -`);
  }
  return {
    runs: path.join(repoRoot, 'results', 'runs', label),
    results: path.join(repoRoot, 'results', label),
    reports: path.join(repoRoot, 'reports', label),
  };
}
