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

import { MujocoEnvConfig } from './base';
import { MujocoModule } from './loader';
import { PlanarWalkerEnv } from './planar-walker';
import { observationSize } from './specs';

export class Walker2dEnv extends PlanarWalkerEnv<'Walker2d'> {
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
}
