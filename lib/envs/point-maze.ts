/**
 * Point-mass mazes with several equally good behaviours: the kit's multi-goal task for DDiffPG
 * (docs: ddiffpg-spec.md §9, summary.md §4.2).
 *
 * The paper's AntMaze tasks put a MuJoCo Ant in a maze whose goals (or routes) are equally
 * rewarding; this is the same problem with the Ant replaced by a point:
 *
 *   position ← position + clip(action, −1, 1) · stepSize, then walls stop the move.
 *
 * Why kinematic and not MuJoCo: mode discovery (DTW clustering of (x, y) paths, spec §3) and the
 * question "does the policy keep several routes?" depend on the geometry of the routes, not on
 * contact dynamics or learning to walk. A kinematic point is fast (no physics step), exact and
 * deterministic (left/right mirrored action sequences give bit-for-bit mirrored positions), and
 * it leaves the whole compute budget to the learner.
 *
 * Semantics, following the spec's AntMaze convention (§9):
 * - sparse reward 10 on reaching any goal (centre within `goalRadius`), which terminates the
 *   episode; 0 otherwise. The goal is not in the observation.
 * - observation (x, y); the action is a 2-D displacement in [−1, 1]² (out-of-range values are
 *   clipped, as a policy's own actions would be), scaled by `stepSize`.
 * - a time limit reports `truncated`, never `terminated`.
 * - `info`: x, y, `goal` (index of the goal reached this step, −1 if none), `is_success`.
 * - reset puts the point at the layout's start plus uniform noise ±`startNoise` per axis (the
 *   D4RL mazes add a little init noise too), drawn from the env's seeded generator.
 *
 * Moves are resolved one axis at a time (x, then y): each axis move stops at the face of the
 * first wall it would enter, so the point slides along walls and can never be inside one. Both
 * built-in layouts are mirror-symmetric about x = 0 and this rule keeps that symmetry exact, so
 * the goals (routes) are equally good by construction; the tests check it on scripted paths.
 *
 * Layouts (coordinates in a [−1, 1]² room, step 0.1, 100-step episodes):
 * - `two-goals` (id PointMaze-MultiGoal-v0): start at the bottom centre, a divider wall down
 *   from the top, goals in the two upper corners — "two goals in mirrored positions"
 *   (antmaze-v2/v3 style).
 * - `two-routes` (id PointMaze-TwoRoutes-v0): one goal at the top, a central block, start at the
 *   bottom: the same goal reached left or right round the block (antmaze-v1 style).
 * Both are sized so that uniform random actions reach a goal in roughly 1.5% (two-goals, about
 * 0.8% per goal) and 0.6% (two-routes) of 100-step episodes: rare, as a sparse task should be,
 * yet found within a warm-up of a few thousand episodes.
 *
 * `mazeLayout(name)` returns the walls/goals/start as plain rectangles and circles and
 * `mazeSvg(layout, paths)` draws them (with optional trajectories) for notebooks.
 */
import { BoxSpace, Env, EnvInfo, ResetOptions, ResetResult, StepResult, boxSpace, checkAction } from './types';
import { Rng } from '../util/rng';

/** Axis-aligned rectangle [x0, x1] × [y0, y1]. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Circle {
  x: number;
  y: number;
  r: number;
}

export interface MazeLayout {
  name: string;
  /** The room; the point is clamped to it. */
  bounds: Rect;
  /** Obstacles inside the room. */
  walls: readonly Rect[];
  /** Goal discs; reaching any one ends the episode. */
  goals: readonly Circle[];
  start: { x: number; y: number };
  /** Displacement for an action component of 1. */
  stepSize: number;
  maxEpisodeSteps: number;
}

/** Reward for reaching a goal: the spec's sparse AntMaze reward (§9). */
export const GOAL_REWARD = 10;

const ROOM: Rect = { x0: -1, y0: -1, x1: 1, y1: 1 };

export const MAZE_LAYOUTS = {
  'two-goals': {
    name: 'two-goals',
    bounds: ROOM,
    walls: [{ x0: -0.05, y0: -0.2, x1: 0.05, y1: 1 }],
    goals: [
      { x: -0.6, y: 0.6, r: 0.15 },
      { x: 0.6, y: 0.6, r: 0.15 },
    ],
    start: { x: 0, y: -0.7 },
    stepSize: 0.1,
    maxEpisodeSteps: 100,
  },
  'two-routes': {
    name: 'two-routes',
    bounds: ROOM,
    walls: [{ x0: -0.3, y0: -0.3, x1: 0.3, y1: 0.3 }],
    goals: [{ x: 0, y: 0.55, r: 0.15 }],
    start: { x: 0, y: -0.55 },
    stepSize: 0.1,
    maxEpisodeSteps: 100,
  },
} as const satisfies Record<string, MazeLayout>;

export type MazeLayoutName = keyof typeof MAZE_LAYOUTS;

export const POINT_MAZE_IDS: Readonly<Record<MazeLayoutName, string>> = {
  'two-goals': 'PointMaze-MultiGoal-v0',
  'two-routes': 'PointMaze-TwoRoutes-v0',
};

/** Default reset noise: uniform ±0.02 per axis (a fifth of a step). */
export const DEFAULT_START_NOISE = 0.02;

/** A deep copy of a built-in layout, for drawing or for building a variant. */
export function mazeLayout(name: MazeLayoutName = 'two-goals'): MazeLayout {
  const l = MAZE_LAYOUTS[name];
  if (l === undefined) throw new Error(`mazeLayout: unknown layout '${String(name)}'; known: ${Object.keys(MAZE_LAYOUTS).join(', ')}`);
  return {
    ...l,
    bounds: { ...l.bounds },
    walls: l.walls.map((w) => ({ ...w })),
    goals: l.goals.map((g) => ({ ...g })),
    start: { ...l.start },
  };
}

export interface PointMazeOptions {
  /** Time limit; null for none. Default: the layout's. */
  maxEpisodeSteps?: number | null;
  /** Half-width of the uniform reset noise per axis. Default 0.02. */
  startNoise?: number;
}

function checkLayout(l: MazeLayout): void {
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const rectOk = (r: Rect) => r && finite(r.x0) && finite(r.x1) && finite(r.y0) && finite(r.y1) && r.x0 < r.x1 && r.y0 < r.y1;
  if (!rectOk(l.bounds)) throw new Error(`point maze '${l.name}': bounds must be a rectangle with x0 < x1, y0 < y1`);
  l.walls.forEach((w, i) => {
    if (!rectOk(w)) throw new Error(`point maze '${l.name}': walls[${i}] must be a rectangle with x0 < x1, y0 < y1, got ${JSON.stringify(w)}`);
  });
  if (l.goals.length === 0) throw new Error(`point maze '${l.name}': needs at least one goal`);
  l.goals.forEach((g, i) => {
    if (!(finite(g.x) && finite(g.y) && finite(g.r) && g.r > 0)) throw new Error(`point maze '${l.name}': goals[${i}] must be {x, y, r > 0}, got ${JSON.stringify(g)}`);
  });
  if (!(finite(l.stepSize) && l.stepSize > 0)) throw new Error(`point maze '${l.name}': stepSize must be > 0, got ${l.stepSize}`);
  if (!(Number.isInteger(l.maxEpisodeSteps) && l.maxEpisodeSteps > 0)) throw new Error(`point maze '${l.name}': maxEpisodeSteps must be a positive integer`);
  const { x, y } = l.start;
  if (!(finite(x) && finite(y)) || x < l.bounds.x0 || x > l.bounds.x1 || y < l.bounds.y0 || y > l.bounds.y1 || l.walls.some((w) => insideOpen(w, x, y))) {
    throw new Error(`point maze '${l.name}': start (${x}, ${y}) must be in the room and outside every wall`);
  }
}

/** Strictly inside (the faces themselves are free space: the point may slide along them). */
function insideOpen(w: Rect, x: number, y: number): boolean {
  return x > w.x0 && x < w.x1 && y > w.y0 && y < w.y1;
}

/** Validates the options a registry call passes (unknown names and bad values throw). */
export function resolvePointMazeOptions(id: string, layout: MazeLayout, options: Readonly<Record<string, unknown>> = {}): Required<PointMazeOptions> {
  const known = ['maxEpisodeSteps', 'startNoise'];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${id}: unknown option '${key}'; known options: ${known.join(', ')}`);
  }
  const steps = options.maxEpisodeSteps === undefined ? layout.maxEpisodeSteps : options.maxEpisodeSteps;
  if (steps !== null && !(typeof steps === 'number' && Number.isInteger(steps) && steps > 0)) {
    throw new Error(`${id}: option 'maxEpisodeSteps' expected a positive integer or null (no limit), got ${JSON.stringify(steps)}`);
  }
  const noise = options.startNoise === undefined ? DEFAULT_START_NOISE : options.startNoise;
  if (!(typeof noise === 'number' && Number.isFinite(noise) && noise >= 0)) {
    throw new Error(`${id}: option 'startNoise' expected a finite number >= 0, got ${JSON.stringify(noise)}`);
  }
  return { maxEpisodeSteps: steps as number | null, startNoise: noise };
}

type Phase = 'needs-reset' | 'running' | 'ended' | 'closed';

export class PointMazeEnv implements Env {
  readonly id: string;
  readonly layout: MazeLayout;
  readonly observationSpace: BoxSpace;
  readonly actionSpace = boxSpace([-1, -1], [1, 1]);
  readonly maxEpisodeSteps: number | null;
  readonly startNoise: number;
  private x = 0;
  private y = 0;
  private rng: Rng | null = null;
  private phase: Phase = 'needs-reset';
  private elapsed = 0;
  private endedBy = '';

  constructor(layout: MazeLayout = mazeLayout('two-goals'), options: PointMazeOptions = {}, id = POINT_MAZE_IDS[layout.name as MazeLayoutName] ?? `PointMaze-${layout.name}`) {
    checkLayout(layout);
    this.id = id;
    const resolved = resolvePointMazeOptions(id, layout, options as Record<string, unknown>);
    this.layout = layout;
    this.maxEpisodeSteps = resolved.maxEpisodeSteps;
    this.startNoise = resolved.startNoise;
    const b = layout.bounds;
    this.observationSpace = boxSpace([b.x0, b.y0], [b.x1, b.y1]);
  }

  reset(options: ResetOptions = {}): ResetResult {
    if (this.phase === 'closed') throw new Error(`${this.id}: reset() called after close()`);
    const seed = options?.seed;
    if (seed !== undefined) {
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
        throw new Error(`${this.id}: reset seed must be an integer in [0, 2^32), got ${String(seed)}`);
      }
      this.rng = new Rng(seed);
    } else if (this.rng === null) {
      // Like gymnasium: never seeded → a seed from outside the kit's streams.
      this.rng = new Rng(Math.floor(Math.random() * 0x100000000));
    }
    const n = this.startNoise;
    const b = this.layout.bounds;
    // Two draws even when the noise is 0, so the stream advances the same way.
    const nx = this.rng.uniformIn(-n, n);
    const ny = this.rng.uniformIn(-n, n);
    this.x = Math.min(b.x1, Math.max(b.x0, this.layout.start.x + nx));
    this.y = Math.min(b.y1, Math.max(b.y0, this.layout.start.y + ny));
    this.elapsed = 0;
    this.phase = 'running';
    this.endedBy = '';
    return { obs: Float64Array.of(this.x, this.y), info: { x: this.x, y: this.y, goal: -1, is_success: false } };
  }

  step(action: ArrayLike<number>): StepResult {
    if (this.phase !== 'running') this.throwNotRunning();
    checkAction(this.id, this.actionSpace, action);
    const s = this.layout.stepSize;
    const dx = Math.min(1, Math.max(-1, action[0])) * s;
    const dy = Math.min(1, Math.max(-1, action[1])) * s;
    this.x = this.moveX(this.x, this.y, dx);
    this.y = this.moveY(this.x, this.y, dy);
    const goal = this.goalAt(this.x, this.y);
    this.elapsed++;
    const terminated = goal >= 0;
    const truncated = this.maxEpisodeSteps !== null && this.elapsed >= this.maxEpisodeSteps;
    if (terminated || truncated) {
      this.phase = 'ended';
      this.endedBy = terminated && truncated ? 'terminated and truncated' : terminated ? 'terminated' : 'truncated';
    }
    const info: EnvInfo = { x: this.x, y: this.y, goal, is_success: terminated };
    return { obs: Float64Array.of(this.x, this.y), reward: terminated ? GOAL_REWARD : 0, terminated, truncated, info };
  }

  close(): void {
    this.phase = 'closed';
  }

  /** Env steps taken since the last reset. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  get isClosed(): boolean {
    return this.phase === 'closed';
  }

  /** The current position (a copy). */
  get position(): { x: number; y: number } {
    return { x: this.x, y: this.y };
  }

  /** Index of the first goal whose disc contains (x, y), or −1. */
  goalAt(x: number, y: number): number {
    const goals = this.layout.goals;
    for (let i = 0; i < goals.length; i++) {
      const ddx = x - goals[i].x;
      const ddy = y - goals[i].y;
      if (ddx * ddx + ddy * ddy <= goals[i].r * goals[i].r) return i;
    }
    return -1;
  }

  /** x after moving by dx at height y: stops at the face of the first wall in the way. */
  private moveX(x: number, y: number, dx: number): number {
    let nx = x + dx;
    for (const w of this.layout.walls) {
      if (!(y > w.y0 && y < w.y1)) continue; // the move runs above/below this wall or along a face
      if (dx > 0 && x <= w.x0 && nx > w.x0) nx = w.x0;
      else if (dx < 0 && x >= w.x1 && nx < w.x1) nx = w.x1;
    }
    return Math.min(this.layout.bounds.x1, Math.max(this.layout.bounds.x0, nx));
  }

  private moveY(x: number, y: number, dy: number): number {
    let ny = y + dy;
    for (const w of this.layout.walls) {
      if (!(x > w.x0 && x < w.x1)) continue;
      if (dy > 0 && y <= w.y0 && ny > w.y0) ny = w.y0;
      else if (dy < 0 && y >= w.y1 && ny < w.y1) ny = w.y1;
    }
    return Math.min(this.layout.bounds.y1, Math.max(this.layout.bounds.y0, ny));
  }

  private throwNotRunning(): never {
    switch (this.phase) {
      case 'closed':
        throw new Error(`${this.id}: step() called after close()`);
      case 'needs-reset':
        throw new Error(`${this.id}: step() called before reset()`);
      default:
        throw new Error(`${this.id}: the episode is over (${this.endedBy} at step ${this.elapsed}); call reset() before stepping again`);
    }
  }
}

/** Draws a layout (room, walls, goals, start) and optional (x, y) paths as an SVG string. */
export function mazeSvg(layout: MazeLayout, paths: readonly (readonly { x: number; y: number }[])[] = [], options: { size?: number; colors?: readonly string[] } = {}): string {
  const size = options.size ?? 320;
  const colors = options.colors ?? ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
  const b = layout.bounds;
  const scale = size / Math.max(b.x1 - b.x0, b.y1 - b.y0);
  const px = (x: number) => ((x - b.x0) * scale).toFixed(2);
  const py = (y: number) => ((b.y1 - y) * scale).toFixed(2); // SVG's y axis points down
  const w = ((b.x1 - b.x0) * scale).toFixed(2);
  const h = ((b.y1 - b.y0) * scale).toFixed(2);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`];
  parts.push(`<rect x="0" y="0" width="${w}" height="${h}" fill="#fafafa" stroke="#333" stroke-width="2"/>`);
  for (const r of layout.walls) {
    parts.push(`<rect x="${px(r.x0)}" y="${py(r.y1)}" width="${((r.x1 - r.x0) * scale).toFixed(2)}" height="${((r.y1 - r.y0) * scale).toFixed(2)}" fill="#555"/>`);
  }
  layout.goals.forEach((g, i) => {
    parts.push(`<circle cx="${px(g.x)}" cy="${py(g.y)}" r="${(g.r * scale).toFixed(2)}" fill="#ffd54f" stroke="#b28900"><title>goal ${i}</title></circle>`);
  });
  paths.forEach((path, i) => {
    if (path.length === 0) return;
    const pts = path.map((p) => `${px(p.x)},${py(p.y)}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="${colors[i % colors.length]}" stroke-width="1.5" stroke-opacity="0.8"/>`);
  });
  parts.push(`<circle cx="${px(layout.start.x)}" cy="${py(layout.start.y)}" r="4" fill="#000"><title>start</title></circle>`);
  parts.push('</svg>');
  return parts.join('');
}
