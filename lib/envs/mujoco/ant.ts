/**
 * Ant-v3 (gym `ant_v3.py` semantics) and Ant-v4.
 *
 * - Observation, v3 (111): qpos[2:15] (13), qvel (14), clip(cfrc_ext, contact_force_range)
 *   flattened over the 14 bodies (84). Under mujoco-py 2.x — and here by default — cfrc_ext is
 *   never computed, so the last 84 entries are 0. Ant-v4 without `useContactForces`: 27 entries.
 * - Reward: Δx_torso/dt + healthy_reward − ctrl_cost_weight·Σa² − contact_cost_weight·Σclip(cfrc_ext)².
 *   x_torso = data.xpos of the torso read straight after the sub-steps (the value of RK4's last
 *   stage, as mujoco-py returned it), not recomputed with mj_forward.
 * - Healthy: all of qpos and qvel finite and healthy_z_range[0] ≤ qpos[2] ≤ healthy_z_range[1]
 *   (closed). The healthy reward is paid on every step while terminate_when_unhealthy (v3/v4).
 * - Reset noise: qpos += U(±0.1) on all 15 coordinates (quaternion included, not renormalised);
 *   qvel = 0.1·N(0, 1).
 * - Action order = actuator order: hip_4, ankle_4, hip_1, ankle_1, hip_2, ankle_2, hip_3, ankle_3.
 */

import { EnvInfo } from '../types';
import { Rng } from '../../util/rng';
import { MujocoEnv, MujocoEnvConfig, clip, sumOfSquares } from './base';
import { MujocoModule } from './loader';
import { observationSize } from './specs';

export class AntEnv extends MujocoEnv<'Ant'> {
  private readonly torso: number;
  private xBefore = 0;
  private yBefore = 0;

  constructor(mj: MujocoModule, config: MujocoEnvConfig<'Ant'>) {
    super(mj, config, observationSize('Ant', config.version, config.params));
    this.torso = this.bodyId('torso');
  }

  /** gym's `is_healthy` for the current state. */
  isHealthy(): boolean {
    const q = this.qpos;
    const v = this.qvel;
    for (let i = 0; i < this.nq; i++) if (!Number.isFinite(q[i])) return false;
    for (let i = 0; i < this.nv; i++) if (!Number.isFinite(v[i])) return false;
    const z = q[2];
    return this.params.healthyZRange[0] <= z && z <= this.params.healthyZRange[1];
  }

  /** contact_cost_weight · Σ clip(cfrc_ext, range)² (0 when contact forces are not used). */
  contactCost(): number {
    const p = this.params;
    if (!p.useContactForces) return 0;
    const f = this.cfrcExt;
    const lo = p.contactForceRange[0];
    const hi = p.contactForceRange[1];
    let s = 0;
    for (let i = 0; i < f.length; i++) {
      const c = clip(f[i], lo, hi);
      s += c * c;
    }
    return p.contactCostWeight * s;
  }

  protected beginStep(): void {
    this.xBefore = this.xpos[3 * this.torso];
    this.yBefore = this.xpos[3 * this.torso + 1];
  }

  protected evaluate(action: ArrayLike<number>): EnvInfo {
    const p = this.params;
    const x = this.xpos[3 * this.torso];
    const y = this.xpos[3 * this.torso + 1];
    const xVelocity = (x - this.xBefore) / this.dt;
    const yVelocity = (y - this.yBefore) / this.dt;
    const forwardReward = xVelocity;
    const ctrlCost = p.ctrlCostWeight * sumOfSquares(action);
    const contactCost = this.contactCost();
    const healthy = this.isHealthy();
    const healthyReward = healthy || p.terminateWhenUnhealthy ? p.healthyReward : 0;
    this.stepReward = forwardReward + healthyReward - (ctrlCost + contactCost);
    this.stepTerminated = p.terminateWhenUnhealthy && !healthy;
    return {
      x_position: x,
      y_position: y,
      distance_from_origin: Math.sqrt(x * x + y * y),
      x_velocity: xVelocity,
      y_velocity: yVelocity,
      forward_reward: forwardReward,
      healthy_reward: healthyReward,
      ctrl_cost: ctrlCost,
      contact_cost: contactCost,
      torso_height: this.qpos[2],
      is_healthy: healthy,
    };
  }

  protected writeObservation(obs: Float64Array): void {
    const q = this.qpos;
    const v = this.qvel;
    for (let i = 2; i < 15; i++) obs[i - 2] = q[i];
    for (let i = 0; i < 14; i++) obs[13 + i] = v[i];
    if (this.params.useContactForces) {
      const f = this.cfrcExt;
      const lo = this.params.contactForceRange[0];
      const hi = this.params.contactForceRange[1];
      for (let i = 0; i < 84; i++) obs[27 + i] = clip(f[i], lo, hi);
    }
  }

  protected applyResetNoise(rng: Rng): void {
    this.drawResetNoise(rng, this.params.resetNoiseScale, 'normal');
  }

  protected resetInfo(): EnvInfo {
    const x = this.xpos[3 * this.torso];
    const y = this.xpos[3 * this.torso + 1];
    return { x_position: x, y_position: y, torso_height: this.qpos[2] };
  }
}
