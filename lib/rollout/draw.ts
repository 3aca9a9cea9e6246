/**
 * Drawing pieces shared by the replay page and the filmstrip: geom colours, geom poses in the
 * world at a frame, and the reward trace as inline SVG.
 */
import { RolloutGeom, RolloutRecording } from './record';

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const BODY_PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#86bcb6'];
const FLOOR = '#d5dbe2';

/**
 * CSS colour of a geom. The kit's model files leave out rendering elements, so every geom has
 * MuJoCo's default grey; those get a colour per body (the floor a light grey) so the limbs can
 * be told apart. A geom with its own rgba keeps it.
 */
export function geomColour(geom: RolloutGeom): string {
  const [r, g, b] = geom.rgba;
  const isDefaultGrey = r === 0.5 && g === 0.5 && b === 0.5;
  if (!isDefaultGrey) return `rgb(${Math.round(255 * r)}, ${Math.round(255 * g)}, ${Math.round(255 * b)})`;
  if (geom.type === 'plane') return FLOOR;
  return BODY_PALETTE[(geom.body - 1 + BODY_PALETTE.length) % BODY_PALETTE.length];
}

export type Vec3 = [number, number, number];
/** Row-major 3×3 rotation matrix. */
export type Mat3 = number[];

export function quatToMat([w, x, y, z]: readonly number[]): Mat3 {
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  ];
}

export function mulMat(a: Mat3, b: Mat3): Mat3 {
  const out = new Array<number>(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
  return out;
}

export function mulVec(m: Mat3, v: readonly number[]): Vec3 {
  return [m[0] * v[0] + m[1] * v[1] + m[2] * v[2], m[3] * v[0] + m[4] * v[1] + m[5] * v[2], m[6] * v[0] + m[7] * v[1] + m[8] * v[2]];
}

/** Position of body `b` at frame `f`. */
export function bodyPos(rec: RolloutRecording, f: number, b: number): Vec3 {
  const i = 3 * (f * rec.bodies.length + b);
  return [rec.xpos[i], rec.xpos[i + 1], rec.xpos[i + 2]];
}

/** Every geom's world position and rotation at frame `f`. */
export function worldGeoms(rec: RolloutRecording, f: number): { geom: RolloutGeom; pos: Vec3; rot: Mat3 }[] {
  const nbody = rec.bodies.length;
  return rec.geoms.map((geom) => {
    const q = 4 * (f * nbody + geom.body);
    const bodyRot = quatToMat(rec.xquat.slice(q, q + 4));
    const offset = mulVec(bodyRot, geom.pos);
    const origin = bodyPos(rec, f, geom.body);
    return { geom, pos: [origin[0] + offset[0], origin[1] + offset[1], origin[2] + offset[2]], rot: mulMat(bodyRot, quatToMat(geom.quat)) };
  });
}

/** Lines of the reward trace: the reward and its terms as signed contributions (costs negated), so they add up to it. */
export function traceSeries(rec: RolloutRecording): { name: string; colour: string; values: number[] }[] {
  const series = [{ name: 'reward', colour: '#222222', values: rec.rewards }];
  const styles: Record<string, { name: string; colour: string; sign: number }> = {
    forward_reward: { name: 'forward_reward', colour: '#4e79a7', sign: 1 },
    healthy_reward: { name: 'healthy_reward', colour: '#59a14f', sign: 1 },
    ctrl_cost: { name: '−ctrl_cost', colour: '#e15759', sign: -1 },
    contact_cost: { name: '−contact_cost', colour: '#b07aa1', sign: -1 },
  };
  for (const [term, values] of Object.entries(rec.terms)) {
    const style = styles[term];
    // A term that is zero throughout (Hopper has no contact cost) would only add clutter.
    if (!style || values.every((v) => v === 0)) continue;
    series.push({ name: style.name, colour: style.colour, values: values.map((v) => style.sign * v) });
  }
  return series;
}

export interface TraceOptions {
  width?: number;
  height?: number;
  /** Adds a vertical line with this id at frame 0, for a player to move. */
  cursorId?: string;
  /** Frames marked with dashed lines (the filmstrip's panels). */
  markers?: number[];
  /** Placement when nested in another SVG. */
  x?: number;
  y?: number;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(2));

/**
 * The reward trace as an <svg> element: one line per series, frame on x. The plot's left and
 * right edges are in data-plot-left / data-plot-right, for a cursor that follows the frame.
 */
export function rewardTraceSvg(rec: RolloutRecording, options: TraceOptions = {}): string {
  const width = options.width ?? 760;
  const height = options.height ?? 170;
  const margin = { left: 46, right: 150, top: 10, bottom: 28 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const series = traceSeries(rec);
  let lo = Math.min(0, ...series.flatMap((s) => s.values));
  let hi = Math.max(0, ...series.flatMap((s) => s.values));
  if (hi - lo < 1e-9) hi = lo + 1;
  const pad = 0.05 * (hi - lo);
  lo -= pad;
  hi += pad;
  const last = Math.max(rec.frames - 1, 1);
  const xOf = (f: number) => margin.left + (plotW * f) / last;
  const yOf = (v: number) => margin.top + (plotH * (hi - v)) / (hi - lo);
  const out: string[] = [];
  const place = options.x !== undefined || options.y !== undefined ? ` x="${options.x ?? 0}" y="${options.y ?? 0}"` : '';
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg"${place} width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `class="reward-trace" data-plot-left="${xOf(0)}" data-plot-right="${xOf(last)}" data-frames="${rec.frames}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="#fafbfc" stroke="#c8ced6"/>`);
  out.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${yOf(0)}" y2="${yOf(0)}" stroke="#9aa3ad" stroke-dasharray="2,2"/>`);
  // Zero, the largest and the smallest value, each labelled where it does not crowd another.
  const labelled: number[] = [];
  for (const v of [0, hi - pad, lo + pad]) {
    if (labelled.some((u) => Math.abs(yOf(u) - yOf(v)) < 12)) continue;
    labelled.push(v);
    out.push(`<text x="${margin.left - 4}" y="${yOf(v) + 4}" text-anchor="end" fill="#555">${fmt(v)}</text>`);
  }
  for (const f of [0, Math.floor(last / 2), last]) {
    out.push(`<text x="${xOf(f)}" y="${height - 10}" text-anchor="middle" fill="#555">${f + 1}</text>`);
  }
  out.push(`<text x="${margin.left + plotW / 2}" y="${height - 0.5}" text-anchor="middle" fill="#555">step</text>`);
  for (const f of options.markers ?? []) {
    out.push(`<line x1="${xOf(f)}" x2="${xOf(f)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#7a8591" stroke-dasharray="3,3"/>`);
  }
  series.forEach((s, k) => {
    const points = s.values.map((v, f) => `${xOf(f).toFixed(1)},${yOf(v).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${s.colour}" stroke-width="${k === 0 ? 1.8 : 1.1}" points="${points}"/>`);
    const ly = margin.top + 12 + 15 * k;
    out.push(`<line x1="${width - margin.right + 10}" x2="${width - margin.right + 28}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.colour}" stroke-width="2"/>`);
    out.push(`<text x="${width - margin.right + 33}" y="${ly}" fill="#333">${escapeXml(s.name)}</text>`);
  });
  if (options.cursorId) {
    out.push(`<line id="${escapeXml(options.cursorId)}" x1="${xOf(0)}" x2="${xOf(0)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#d62728" stroke-width="1.5"/>`);
  }
  out.push('</svg>');
  return out.join('\n');
}
