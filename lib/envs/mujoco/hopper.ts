/**
 * Hopper-v3 (gym `hopper_v3.py` semantics; Hopper-v4 is identical apart from the bindings).
 *
 * - Observation (11): qpos[1:6] (rootz, rooty, thigh, leg, foot) then clip(qvel[0:6], ±10).
 * - Reward: forward_reward_weight·Δx/dt + healthy_reward − ctrl_cost_weight·Σa², x = qpos[0].
 * - Healthy (all strict): every element of (qpos[2:], qvel) — qvel unclipped — in
 *   healthy_state_range (−100, 100); z = qpos[1] in (0.7, ∞); angle = qpos[2] in (−0.2, 0.2).
 *   The healthy reward is paid on every step while terminate_when_unhealthy, including the
 *   terminating one (v3/v4).
 * - Reset noise: U(±0.005) on all 6 qpos and all 6 qvel.
 */

import { MujocoEnvConfig } from './base';
import { MujocoModule } from './loader';
import { PlanarWalkerEnv } from './planar-walker';
import { observationSize } from './specs';

export class HopperEnv extends PlanarWalkerEnv<'Hopper'> {
  constructor(mj: MujocoModule, config: MujocoEnvConfig<'Hopper'>) {
    super(mj, config, observationSize('Hopper', config.version));
  }

  /** gym's `is_healthy` for the current state. */
  isHealthy(): boolean {
    const p = this.params;
    const q = this.qpos;
    const v = this.qvel;
    const sLo = p.healthyStateRange[0];
    const sHi = p.healthyStateRange[1];
    for (let i = 2; i < this.nq; i++) if (!(sLo < q[i] && q[i] < sHi)) return false;
    for (let i = 0; i < this.nv; i++) if (!(sLo < v[i] && v[i] < sHi)) return false;
    const z = q[1];
    const angle = q[2];
    return (
      p.healthyZRange[0] < z && z < p.healthyZRange[1] &&
      p.healthyAngleRange[0] < angle && angle < p.healthyAngleRange[1]
    );
  }
}
