/**
 * Progress lines of work that notebooks run (training): into the cell's output, and, when the
 * notebook runs under `make notebooks` (run-notebooks.js sets QVPO_NOTEBOOK_LOG=1), also onto
 * the kernel's own stderr, which run-notebooks.js echoes to the terminal — a cell's output is
 * only seen once the notebook is done.
 */
import * as fs from 'node:fs';

/** Seconds between a notebook's training progress lines. */
export const NOTEBOOK_PROGRESS_SECONDS = 30;

export function notebookLog(line: string, env: { readonly [name: string]: string | undefined } = process.env): void {
  console.log(line);
  // fd 2 directly: tslab redirects process.stderr.write to the running cell.
  if (env.QVPO_NOTEBOOK_LOG === '1') fs.writeSync(2, `[qvpo-notebook] ${line}\n`);
}

/** trainRun options for training inside a notebook: a progress line every 30 s, echoed as above. */
export function notebookTrainOptions(): { quiet: false; progressEvery: number; log: (line: string) => void } {
  return { quiet: false, progressEvery: NOTEBOOK_PROGRESS_SECONDS, log: (line) => notebookLog(line) };
}
