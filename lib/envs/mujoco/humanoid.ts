/**
 * Humanoid-v3 (gym `humanoid_v3.py` semantics) and Humanoid-v4.
 *
 * - Observation (376): qpos[2:24] (22), qvel (23), cinert (14×10), cvel (14×6),
 *   qfrc_actuator (23), cfrc_ext (14×6, unclipped). cfrc_ext is 0 under mujoco-py 2.x and here
 *   by default for v3; v4 computes it (mj_rnePostConstraint once per env step).
 * - Reward: 1.25·Δx_com/dt + 5 − 0.1·Σctrl² − clip(5e-7·Σcfrc_ext², −∞, 10) (v3);
 *   v4 has no contact cost. x_com is the mass-weighted mean of data.xipos as left by the last
 *   sub-step (no extra mj_forward); the control cost reads data.ctrl (= the raw action).
 * - Healthy: 1.0 < qpos[2] < 2.0 (strict). The healthy reward is also paid on the terminating
 *   step (v3/v4).
 * - Reset noise: U(±0.01) on all 24 qpos and all 23 qvel.
 */

import { EnvInfo } from '../types';
import { Rng } from '../../util/rng';
import { MujocoEnv, MujocoEnvConfig, sumOfSquares } from './base';
import { MujocoModule } from './loader';
import { observationSize } from './specs';

export class HumanoidEnv extends MujocoEnv<'Humanoid'> {
  private readonly bodyMass: Float64Array;
  private readonly totalMass: number;
  /** Whether the contact cost enters the reward (v3 yes, v4 no). */
  private readonly contactCostInReward: boolean;
  private comX = 0;
  private comY = 0;
  private xBefore = 0;
  private yBefore = 0;

  constructor(mj: MujocoModule, config: MujocoEnvConfig<'Humanoid'>) {
    super(mj, config, observationSize('Humanoid', config.version));
    this.bodyMass = this.modelArray('body_mass');
    let m = 0;
    for (let b = 0; b < this.nbody; b++) m += this.bodyMass[b];
    this.totalMass = m;
    this.contactCostInReward = config.version === 'v3';
  }

  /** gym's `is_healthy` for the current state. */
  isHealthy(): boolean {
    const z = this.qpos[2];
    return this.params.healthyZRange[0] < z && z < this.params.healthyZRange[1];
  }

  /** The v3 contact cost from the current cfrc_ext (0 for v4). */
  contactCost(): number {
    if (!this.contactCostInReward) return 0;
    const p = this.params;
    const cost = p.contactCostWeight * sumOfSquares(this.cfrcExt);
    return Math.min(Math.max(cost, p.contactCostRange[0]), p.contactCostRange[1]);
  }

  /** Sets comX/comY to the mass-weighted mean of xipos (world body has mass 0). */
  private massCenter(): void {
    const xi = this.xipos;
    const m = this.bodyMass;
    let sx = 0;
    let sy = 0;
    for (let b = 0; b < this.nbody; b++) {
      sx += m[b] * xi[3 * b];
      sy += m[b] * xi[3 * b + 1];
    }
    this.comX = sx / this.totalMass;
    this.comY = sy / this.totalMass;
  }

  protected beginStep(): void {
    this.massCenter();
    this.xBefore = this.comX;
    this.yBefore = this.comY;
  }

  protected evaluate(_action: ArrayLike<number>): EnvInfo {
    const p = this.params;
    this.massCenter();
    const x = this.comX;
    const y = this.comY;
    const xVelocity = (x - this.xBefore) / this.dt;
    const yVelocity = (y - this.yBefore) / this.dt;
    const forwardReward = p.forwardRewardWeight * xVelocity;
    const ctrlCost = p.ctrlCostWeight * sumOfSquares(this.ctrl);
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
    for (let i = 2; i < 24; i++) obs[i - 2] = q[i];
    obs.set(this.qvel, 22);
    obs.set(this.cinert, 45);
    obs.set(this.cvel, 185);
    obs.set(this.qfrcActuator, 269);
    obs.set(this.cfrcExt, 292);
  }

  protected applyResetNoise(rng: Rng): void {
    this.drawResetNoise(rng, this.params.resetNoiseScale, 'uniform');
  }

  protected resetInfo(): EnvInfo {
    this.massCenter();
    return { x_position: this.comX, y_position: this.comY, torso_height: this.qpos[2] };
  }
}
