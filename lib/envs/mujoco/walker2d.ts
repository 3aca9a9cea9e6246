/**
 * Walker2d-v3 (gym `walker2d_v3.py` semantics; Walker2d-v4 is identical apart from the bindings).
 *
 * - Observation (17): qpos[1:9] then clip(qvel[0:9], ±10).
 * - Reward: forward_reward_weight·Δx/dt + healthy_reward − ctrl_cost_weight·Σa², x = qpos[0].
 * - Healthy (both strict): z = qpos[1] in (0.8, 2.0) and angle = qpos[2] in (−1, 1); no
 *   state-range test. The healthy reward is also paid on the terminating step (v3/v4).
 * - Reset noise: U(±0.005) on all 9 qpos and all 9 qvel.
 * - Model: right foot friction 0.9, left foot 1.9 (gym v2–v4).
 */

import { EnvInfo } from '../types';
import { Rng } from '../../util/rng';
import { MujocoEnv, MujocoEnvConfig, clip, sumOfSquares } from './base';
import { MujocoModule } from './loader';
import { observationSize } from './specs';

export class Walker2dEnv extends MujocoEnv<'Walker2d'> {
  private xBefore = 0;

  constructor(mj: MujocoModule, config: MujocoEnvConfig<'Walker2d'>) {
    super(mj, config, observationSize('Walker2d', config.version));
  }

  /** gym's `is_healthy` for the current state. */
  isHealthy(): boolean {
    const p = this.params;
    const z = this.qpos[1];
    const angle = this.qpos[2];
    return (
      p.healthyZRange[0] < z && z < p.healthyZRange[1] &&
      p.healthyAngleRange[0] < angle && angle < p.healthyAngleRange[1]
    );
  }

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
    for (let i = 1; i < 9; i++) obs[i - 1] = q[i];
    for (let i = 0; i < 9; i++) obs[8 + i] = clip(v[i], -10, 10);
  }

  protected applyResetNoise(rng: Rng): void {
    this.drawResetNoise(rng, this.params.resetNoiseScale, 'uniform');
  }

  protected resetInfo(): EnvInfo {
    return { x_position: this.qpos[0], torso_height: this.qpos[1] };
  }
}
