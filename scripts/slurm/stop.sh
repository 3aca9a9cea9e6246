#!/usr/bin/env bash
# Stops what scripts/slurm/start.sh SCRATCH started (by the pids it recorded, nothing else).
set -uo pipefail
scratch=${1:?usage: stop.sh SCRATCH_DIR}
# The test cluster's own jobs first (SLURM_CONF points at it, not at any other cluster).
[ -f "$scratch/slurm.conf" ] && SLURM_CONF="$scratch/slurm.conf" scancel --user=root 2>/dev/null && sleep 1
for name in slurmd slurmctld; do
  pidfile="$scratch/run/$name.pid"
  [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
done
if [ -f "$scratch/run/munged.started" ] && [ -f /run/munge/munged.pid ]; then
  kill "$(cat /run/munge/munged.pid)" 2>/dev/null
fi
exit 0
