/**
 * HalfCheetah-v3 (gym `half_cheetah_v3.py` semantics; HalfCheetah-v4 is identical apart from the
 * bindings).
 *
 * - Observation (17): qpos[1:9] then qvel[0:9] (no clipping).
 * - Reward: forward_reward_weight·Δx/dt − ctrl_cost_weight·Σa², x = qpos[0]. No healthy reward,
 *   never terminates (only the time limit ends an episode).
 * - Reset noise: qpos += U(±0.1); qvel = 0.1·N(0, 1) (Gaussian).
 */

import { EnvInfo } from '../types';
import { Rng } from '../../util/rng';
import { MujocoEnv, MujocoEnvConfig, sumOfSquares } from './base';
import { MujocoModule } from './loader';
import { observationSize } from './specs';

export class HalfCheetahEnv extends MujocoEnv<'HalfCheetah'> {
  private xBefore = 0;
  /** World height of the torso frame when rootz = 0 (the torso body sits at z = 0.7). */
  private readonly torsoZ0: number;

  constructor(mj: MujocoModule, config: MujocoEnvConfig<'HalfCheetah'>) {
    super(mj, config, observationSize('HalfCheetah', config.version));
    this.torsoZ0 = this.modelArray('body_pos')[3 * this.bodyId('torso') + 2];
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
    this.stepReward = forwardReward - ctrlCost;
    this.stepTerminated = false;
    return {
      x_position: x,
      x_velocity: xVelocity,
      forward_reward: forwardReward,
      healthy_reward: 0,
      ctrl_cost: ctrlCost,
      contact_cost: 0,
      torso_height: this.torsoZ0 + this.qpos[1],
    };
  }

  protected writeObservation(obs: Float64Array): void {
    const q = this.qpos;
    const v = this.qvel;
    for (let i = 1; i < 9; i++) obs[i - 1] = q[i];
    for (let i = 0; i < 9; i++) obs[8 + i] = v[i];
  }

  protected applyResetNoise(rng: Rng): void {
    this.drawResetNoise(rng, this.params.resetNoiseScale, 'normal');
  }

  protected resetInfo(): EnvInfo {
    return { x_position: this.qpos[0], torso_height: this.torsoZ0 + this.qpos[1] };
  }
}
