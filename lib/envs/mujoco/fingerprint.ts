/**
 * A compiled model's "fingerprint": the quantities that define its physics (counts, options,
 * per-body mass and inertia, per-joint range/damping/armature, per-actuator gear and ctrlrange,
 * per-geom type/size/friction/contact parameters, positions at qpos0), in the same layout as
 * tests/fixtures/mujoco-model-fingerprints.json. Used to check the kit's model files against
 * gym's compiled models.
 */

import { MjData, MjModel, MujocoModule } from './loader';

export interface BodyFingerprint {
  name: string | null;
  parent: number;
  mass: number;
  inertia: number[];
  ipos: number[];
  xipos0: number[];
}

export interface JointFingerprint {
  name: string | null;
  type: string;
  body: number;
  qposadr: number;
  dofadr: number;
  limited: number;
  range: number[];
  stiffness: number;
  damping: number;
  armature: number;
}

export interface ActuatorFingerprint {
  name: string | null;
  joint: string | null;
  trnid: number;
  gear: number;
  ctrllimited: number;
  ctrlrange: number[];
}

export interface GeomFingerprint {
  name: string | null;
  body: number;
  type: string;
  size: number[];
  friction: number[];
  contype: number;
  conaffinity: number;
  condim: number;
  margin: number;
  solref: number[];
  solimp: number[];
  xpos0: number[];
}

export interface ModelFingerprint {
  nq: number;
  nv: number;
  nu: number;
  na: number;
  nbody: number;
  njnt: number;
  ngeom: number;
  ntendon: number;
  nkey: number;
  opt: { timestep: number; integrator: number; solver: number; iterations: number; cone: number; gravity: number[] };
  total_mass: number;
  qpos0: number[];
  bodies: BodyFingerprint[];
  joints: JointFingerprint[];
  actuators: ActuatorFingerprint[];
  geoms: GeomFingerprint[];
  tendons: { name: string | null }[];
}

const JOINT_TYPES = ['free', 'ball', 'slide', 'hinge'];
const GEOM_TYPES = ['plane', 'hfield', 'sphere', 'capsule', 'ellipsoid', 'cylinder', 'box', 'mesh', 'sdf'];

function readName(names: ArrayLike<number>, adr: number): string | null {
  let s = '';
  for (let i = adr; i < names.length && names[i] !== 0; i++) s += String.fromCharCode(names[i]);
  return s === '' ? null : s;
}

function slice(a: ArrayLike<number>, start: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Number(a[start + i]));
  return out;
}

/**
 * Fingerprint of a compiled model. Positions at qpos0 come from a scratch MjData (reset, then
 * mj_forward), freed before returning.
 */
export function modelFingerprint(mj: MujocoModule, model: MjModel): ModelFingerprint {
  const data: MjData = new mj.MjData(model);
  try {
    mj.mj_resetData(model, data);
    mj.mj_forward(model, data);
    const names = model.names;
    const opt = model.opt;
    const bodyMass = model.body_mass;
    const bodies: BodyFingerprint[] = [];
    const xipos = data.xipos;
    let total = 0;
    for (let b = 0; b < model.nbody; b++) {
      total += bodyMass[b];
      bodies.push({
        name: readName(names, model.name_bodyadr[b]),
        parent: model.body_parentid[b],
        mass: bodyMass[b],
        inertia: slice(model.body_inertia, 3 * b, 3),
        ipos: slice(model.body_ipos, 3 * b, 3),
        xipos0: slice(xipos, 3 * b, 3),
      });
    }
    const joints: JointFingerprint[] = [];
    for (let j = 0; j < model.njnt; j++) {
      const dof = model.jnt_dofadr[j];
      joints.push({
        name: readName(names, model.name_jntadr[j]),
        type: JOINT_TYPES[model.jnt_type[j]] ?? `type${model.jnt_type[j]}`,
        body: model.jnt_bodyid[j],
        qposadr: model.jnt_qposadr[j],
        dofadr: dof,
        limited: Number(model.jnt_limited[j]),
        range: slice(model.jnt_range, 2 * j, 2),
        stiffness: model.jnt_stiffness[j],
        damping: model.dof_damping[dof],
        armature: model.dof_armature[dof],
      });
    }
    const actuators: ActuatorFingerprint[] = [];
    for (let a = 0; a < model.nu; a++) {
      const trnid = model.actuator_trnid[2 * a];
      actuators.push({
        name: readName(names, model.name_actuatoradr[a]),
        joint: trnid >= 0 && trnid < model.njnt ? readName(names, model.name_jntadr[trnid]) : null,
        trnid,
        gear: model.actuator_gear[6 * a],
        ctrllimited: Number(model.actuator_ctrllimited[a]),
        ctrlrange: slice(model.actuator_ctrlrange, 2 * a, 2),
      });
    }
    const geoms: GeomFingerprint[] = [];
    const geomXpos = data.geom_xpos;
    for (let g = 0; g < model.ngeom; g++) {
      geoms.push({
        name: readName(names, model.name_geomadr[g]),
        body: model.geom_bodyid[g],
        type: GEOM_TYPES[model.geom_type[g]] ?? `type${model.geom_type[g]}`,
        size: slice(model.geom_size, 3 * g, 3),
        friction: slice(model.geom_friction, 3 * g, 3),
        contype: model.geom_contype[g],
        conaffinity: model.geom_conaffinity[g],
        condim: model.geom_condim[g],
        margin: model.geom_margin[g],
        solref: slice(model.geom_solref, 2 * g, 2),
        solimp: slice(model.geom_solimp, 5 * g, 3),
        xpos0: slice(geomXpos, 3 * g, 3),
      });
    }
    const tendons: { name: string | null }[] = [];
    for (let t = 0; t < model.ntendon; t++) tendons.push({ name: readName(names, model.name_tendonadr[t]) });
    return {
      nq: model.nq,
      nv: model.nv,
      nu: model.nu,
      na: model.na,
      nbody: model.nbody,
      njnt: model.njnt,
      ngeom: model.ngeom,
      ntendon: model.ntendon,
      nkey: model.nkey,
      opt: {
        timestep: opt.timestep,
        integrator: opt.integrator,
        solver: opt.solver,
        iterations: opt.iterations,
        cone: opt.cone,
        gravity: slice(opt.gravity, 0, 3),
      },
      total_mass: total,
      qpos0: slice(model.qpos0, 0, model.nq),
      bodies,
      joints,
      actuators,
      geoms,
      tendons,
    };
  } finally {
    data.delete();
  }
}
