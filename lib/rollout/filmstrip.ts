/**
 * A static filmstrip of a recorded rollout, for places that run no scripts (exported reports,
 * READMEs, image viewers): a few side views of the body (seen from −y, x to the right, z up),
 * each centred on the torso, and the reward trace below with the panels' frames marked.
 * Geoms are drawn from their projected world poses: capsules and cylinders as thick lines,
 * spheres as circles, ellipsoids as their projected ellipses, boxes as the hull of their
 * corners, the plane as the ground line. Nearer geoms (smaller y) are drawn last.
 */
import { Mat3, Vec3, escapeXml, geomColour, rewardTraceSvg, worldGeoms } from './draw';
import { RolloutRecording } from './record';

export interface FilmstripOptions {
  /** Number of side views (default 8, at most the number of frames). */
  panels?: number;
}

type Point = [number, number];

/** v.toFixed(digits) without a minus sign on values that round to zero. */
const fixed = (v: number, digits: number) => (Math.abs(v) < 0.5 * 10 ** -digits ? 0 : v).toFixed(digits);

/** Convex hull of 2-D points (Andrew's monotone chain), counter-clockwise. */
function hull(points: Point[]): Point[] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list: Point[]) => {
    const h: Point[] = [];
    for (const q of list) {
      while (h.length >= 2 && cross(h[h.length - 2], h[h.length - 1], q) <= 0) h.pop();
      h.push(q);
    }
    h.pop();
    return h;
  };
  return [...half(p), ...half([...p].reverse())];
}

/** Columns `k` of a rotation (the geom's local axis k in world coordinates). */
const axis = (rot: Mat3, k: number): Vec3 => [rot[k], rot[3 + k], rot[6 + k]];

/** The highest point and the furthest x from the torso of every geom but the plane, over some frames. */
function extent(rec: RolloutRecording, frames: number[]): { top: number; halfWidth: number } {
  let top = 0.3;
  let halfWidth = 0.3;
  for (const f of frames) {
    const cx = rec.xpos[3 * (f * rec.bodies.length + rec.torso)];
    for (const { geom, pos } of worldGeoms(rec, f)) {
      if (geom.type === 'plane') continue;
      const reach = Math.max(...geom.size);
      top = Math.max(top, pos[2] + reach);
      halfWidth = Math.max(halfWidth, Math.abs(pos[0] - cx) + reach);
    }
  }
  return { top, halfWidth };
}

export function filmstripSvg(rec: RolloutRecording, options: FilmstripOptions = {}): string {
  if (rec.frames < 1) throw new Error('filmstripSvg: the recording has no frames');
  const wanted = options.panels ?? 8;
  if (!Number.isSafeInteger(wanted) || wanted < 1 || wanted > 24) throw new Error(`filmstripSvg: panels must be a whole number from 1 to 24, got ${JSON.stringify(options.panels)}`);
  const count = Math.min(wanted, rec.frames);
  const frames = Array.from({ length: count }, (_, j) => (count === 1 ? 0 : Math.round((j * (rec.frames - 1)) / (count - 1))));
  const { top, halfWidth } = extent(rec, frames);
  const below = 0.15 * top;
  const panelH = 210;
  const scale = panelH / (top * 1.08 + below);
  const panelW = Math.round(Math.min(Math.max(2 * halfWidth * 1.1 * scale, 140), 260));
  const gap = 8;
  const left = 10;
  const titleH = 28;
  const labelH = 34;
  const width = Math.max(left * 2 + count * panelW + (count - 1) * gap, 760);
  const traceY = titleH + panelH + labelH + 6;
  const traceH = 170;
  const height = traceY + traceH + 6;

  const title =
    `${rec.run.algo} ${rec.run.env} seed ${rec.run.seed} (${rec.run.label}${rec.run.variant ? `, ${rec.run.variant}` : ''}): ` +
    `return ${rec.return.toFixed(1)} over ${rec.frames} steps${rec.terminated ? ', terminated' : rec.cut ? ', cut short' : ''}; ` +
    `policy of step ${rec.run.policyStep}, reset seed ${rec.episode.resetSeed}`;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11" class="rollout-filmstrip">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${left}" y="18" font-size="13" fill="#222">${escapeXml(title)}</text>`);

  frames.forEach((f, j) => {
    const x0 = left + j * (panelW + gap);
    const groundY = titleH + top * 1.08 * scale;
    const cx = rec.xpos[3 * (f * rec.bodies.length + rec.torso)];
    const sx = (x: number) => x0 + panelW / 2 + (x - cx) * scale;
    const sy = (z: number) => groundY - z * scale;
    out.push(`<g class="panel" data-frame="${f}">`);
    out.push(`<clipPath id="panel-${j}"><rect x="${x0}" y="${titleH}" width="${panelW}" height="${panelH}"/></clipPath>`);
    out.push(`<g clip-path="url(#panel-${j})">`);
    out.push(`<rect x="${x0}" y="${titleH}" width="${panelW}" height="${panelH}" fill="#eef2f6"/>`);
    // Farther geoms (larger y, seen from −y) first.
    const geoms = worldGeoms(rec, f).sort((a, b) => b.pos[1] - a.pos[1]);
    for (const { geom, pos, rot } of geoms) {
      const colour = geomColour(geom);
      const [a, b, c] = geom.size;
      if (geom.type === 'plane') {
        out.push(`<rect x="${x0}" y="${sy(pos[2]).toFixed(1)}" width="${panelW}" height="${panelH}" fill="${colour}"/>`);
        // Ticks every metre on the ground, so forward motion shows between panels.
        for (let m = Math.ceil(cx - panelW / scale); m <= cx + panelW / scale; m++) {
          out.push(`<line x1="${sx(m).toFixed(1)}" x2="${sx(m).toFixed(1)}" y1="${sy(pos[2]).toFixed(1)}" y2="${(sy(pos[2]) + 6).toFixed(1)}" stroke="#8a949e"/>`);
        }
      } else if (geom.type === 'sphere') {
        out.push(`<circle cx="${sx(pos[0]).toFixed(1)}" cy="${sy(pos[2]).toFixed(1)}" r="${(a * scale).toFixed(1)}" fill="${colour}" stroke="#333" stroke-width="0.6"/>`);
      } else if (geom.type === 'capsule' || geom.type === 'cylinder') {
        const z = axis(rot, 2);
        const p1 = [pos[0] + b * z[0], pos[2] + b * z[2]];
        const p2 = [pos[0] - b * z[0], pos[2] - b * z[2]];
        const cap = geom.type === 'capsule' ? 'round' : 'butt';
        out.push(
          `<line x1="${sx(p1[0]).toFixed(1)}" y1="${sy(p1[1]).toFixed(1)}" x2="${sx(p2[0]).toFixed(1)}" y2="${sy(p2[1]).toFixed(1)}" ` +
            `stroke="${colour}" stroke-width="${(2 * a * scale).toFixed(1)}" stroke-linecap="${cap}" stroke-opacity="0.95"/>`,
        );
      } else if (geom.type === 'ellipsoid') {
        // The projection of {R·diag(a,b,c)·u : |u| ≤ 1} onto x–z is the ellipse with shape M·Mᵀ, M = rows x and z of R·diag.
        const m = [0, 6].map((row) => [rot[row] * a, rot[row + 1] * b, rot[row + 2] * c]);
        const sxx = m[0].reduce((s, v) => s + v * v, 0);
        const szz = m[1].reduce((s, v) => s + v * v, 0);
        const sxz = m[0].reduce((s, v, i) => s + v * m[1][i], 0);
        const mid = (sxx + szz) / 2;
        const d = Math.sqrt(((sxx - szz) / 2) ** 2 + sxz * sxz);
        const angle = (0.5 * Math.atan2(2 * sxz, sxx - szz) * 180) / Math.PI;
        out.push(
          `<ellipse cx="${sx(pos[0]).toFixed(1)}" cy="${sy(pos[2]).toFixed(1)}" rx="${(Math.sqrt(mid + d) * scale).toFixed(1)}" ry="${(Math.sqrt(Math.max(mid - d, 0)) * scale).toFixed(1)}" ` +
            `transform="rotate(${(-angle).toFixed(1)} ${sx(pos[0]).toFixed(1)} ${sy(pos[2]).toFixed(1)})" fill="${colour}" stroke="#333" stroke-width="0.6"/>`,
        );
      } else {
        const corners: [number, number][] = [];
        for (const i of [-1, 1]) {
          for (const k of [-1, 1]) {
            for (const l of [-1, 1]) {
              const local = [i * a, k * b, l * c];
              const x = pos[0] + rot[0] * local[0] + rot[1] * local[1] + rot[2] * local[2];
              const z = pos[2] + rot[6] * local[0] + rot[7] * local[1] + rot[8] * local[2];
              corners.push([sx(x), sy(z)]);
            }
          }
        }
        const points = hull(corners).map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
        out.push(`<polygon points="${points}" fill="${colour}" stroke="#333" stroke-width="0.6"/>`);
      }
    }
    out.push('</g>');
    out.push(`<rect x="${x0}" y="${titleH}" width="${panelW}" height="${panelH}" fill="none" stroke="#b8c0c9"/>`);
    const t = (f + 1) * rec.dt;
    out.push(`<text x="${x0 + panelW / 2}" y="${titleH + panelH + 14}" text-anchor="middle" fill="#333">step ${f + 1} · ${t.toFixed(2)} s</text>`);
    out.push(`<text x="${x0 + panelW / 2}" y="${titleH + panelH + 28}" text-anchor="middle" fill="#555">r ${fixed(rec.rewards[f], 2)} · x ${fixed(cx, 2)} m</text>`);
    out.push('</g>');
  });
  out.push(rewardTraceSvg(rec, { width: Math.min(width - 2 * left, 1000), height: traceH, markers: frames, x: left, y: traceY }));
  out.push('</svg>');
  return out.join('\n') + '\n';
}
