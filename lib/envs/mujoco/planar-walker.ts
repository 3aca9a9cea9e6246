/**
 * Hopper and Walker2d share everything but the health test (gym's `hopper_v3.py` and
 * `walker2d_v3.py`):
 *
 * - Observation: qpos[1:] (all but the root x) then clip(qvel, ±10).
 * - Reward: forward_reward_weight·Δx/dt + healthy_reward − ctrl_cost_weight·Σa², x = qpos[0];
 *   the healthy reward is paid on every step while terminate_when_unhealthy, including the
 *   terminating one (v3/v4).
 * - Reset noise: U(±reset_noise_scale) on every qpos and qvel entry.
 */

import { EnvInfo } from '../types';
import { Rng } from '../../util/rng';
import { MujocoEnv, clip, sumOfSquares } from './base';

export abstract class PlanarWalkerEnv<T extends 'Hopper' | 'Walker2d'> extends MujocoEnv<T> {
  private xBefore = 0;

  /** gym's `is_healthy` for the current state. */
  abstract isHealthy(): boolean;

  protected beginStep(): void {
    this.xBefore = this.qpos[0];
  }

  protected evaluate(action: ArrayLike<number>): EnvInfo {
    const p = this.params;
    const x = this.qpos[0];
    const xVelocity = (x - this.xBefore) / this.dt;
    const forwardReward = p.forwardRewardWeight * xVelocity;
    const ctrlCost = p.ctrlCostWeight * sumOfSquares(action);
    const healthy = this.isHealthy();
    const healthyReward = healthy || p.terminateWhenUnhealthy ? p.healthyReward : 0;
    this.stepReward = forwardReward + healthyReward - ctrlCost;
    this.stepTerminated = p.terminateWhenUnhealthy && !healthy;
    return {
      x_position: x,
      x_velocity: xVelocity,
      forward_reward: forwardReward,
      healthy_reward: healthyReward,
      ctrl_cost: ctrlCost,
      contact_cost: 0,
      torso_height: this.qpos[1],
      is_healthy: healthy,
    };
  }

  protected writeObservation(obs: Float64Array): void {
    const q = this.qpos;
    const v = this.qvel;
    const nq = this.nq;
    for (let i = 1; i < nq; i++) obs[i - 1] = q[i];
    for (let i = 0; i < this.nv; i++) obs[nq - 1 + i] = clip(v[i], -10, 10);
  }

  protected applyResetNoise(rng: Rng): void {
    this.drawResetNoise(rng, this.params.resetNoiseScale, 'uniform');
  }

  protected resetInfo(): EnvInfo {
    return { x_position: this.qpos[0], torso_height: this.qpos[1] };
  }
}
