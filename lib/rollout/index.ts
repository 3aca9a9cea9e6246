/**
 * Watching a trained policy: record one evaluation episode of a finished run and turn it into
 * an interactive replay page and a static filmstrip.
 *
 *   const rec = await recordRollout('results/runs/quick/qvpo/Hopper-v3/seed-0');
 *   fs.writeFileSync('hopper.html', rolloutHtml(rec));     // three.js replay, self-contained
 *   fs.writeFileSync('hopper.svg', filmstripSvg(rec));     // side views + reward trace
 *
 * In a notebook: `displayBundle(await notebookRollout(runDir))` (lib/report/display.ts) shows
 * the replay in an iframe, with the filmstrip under it for viewers that run no scripts.
 */
import { MimeBundle } from '../report/display';
import { escapeXml } from './draw';
import { filmstripSvg, FilmstripOptions } from './filmstrip';
import { PageOptions, rolloutHtml } from './page';
import { RecordOptions, recordRollout } from './record';

export { recordRollout, REWARD_TERMS } from './record';
export type { RecordOptions, RolloutRecording, RolloutGeom, GeomType } from './record';
export { rolloutHtml, threeScript } from './page';
export { filmstripSvg } from './filmstrip';

export interface NotebookRolloutOptions extends RecordOptions, PageOptions, FilmstripOptions {
  /** Height of the replay's frame in the notebook, in CSS pixels (default 760). */
  height?: number;
}

/**
 * A display bundle for a notebook cell: the replay page inside an iframe (its own document,
 * so its script and styles stay apart from the notebook's; it works in JupyterLab and in
 * exported HTML), then the filmstrip as an image.
 */
export async function notebookRollout(runDir: string, options: NotebookRolloutOptions = {}): Promise<MimeBundle> {
  const recording = await recordRollout(runDir, options);
  const page = rolloutHtml(recording, options);
  const filmstrip = filmstripSvg(recording, options);
  const height = options.height ?? 760;
  const html =
    `<iframe class="qvpo-rollout" title="rollout replay" sandbox="allow-scripts" style="width: 100%; max-width: 1000px; height: ${height}px; border: 1px solid #c8ced6;" ` +
    `srcdoc="${escapeXml(page)}"></iframe>\n` +
    `<div><img alt="rollout filmstrip" style="max-width: 100%;" src="data:image/svg+xml;base64,${Buffer.from(filmstrip).toString('base64')}"></div>`;
  const text = `${recording.run.algo} ${recording.run.env} seed ${recording.run.seed}: rollout of ${recording.frames} steps, return ${recording.return.toFixed(2)}`;
  return { 'text/html': html, 'text/plain': text };
}
