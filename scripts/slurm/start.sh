#!/usr/bin/env bash
# A one-node Slurm on localhost, for tests: installs Debian's packages when missing (needs root
# and apt), writes slurm.conf into SCRATCH, starts munged (unless one runs), slurmctld and
# slurmd, and waits until the node is idle. Clients need SLURM_CONF=SCRATCH/slurm.conf;
# scripts/slurm/stop.sh SCRATCH stops what this started.
set -euo pipefail
scratch=${1:?usage: start.sh SCRATCH_DIR}
scratch=$(realpath -m "$scratch")
[ "$(id -u)" = 0 ] || { echo "start.sh: needs root (slurmd runs jobs as root here), running as uid $(id -u)" >&2; exit 3; }
mkdir -p "$scratch"/state "$scratch"/spool "$scratch"/log "$scratch"/run

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || { echo "start.sh: Slurm is not installed and there is no apt-get to install it" >&2; exit 3; }
  echo "start.sh: installing slurmctld slurmd slurm-client munge (apt)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi

# munge: the package makes /etc/munge/munge.key; --force because the sandbox's log/dir owners are root.
if ! [ -S /run/munge/munge.socket.2 ] || ! munge -n >/dev/null 2>&1; then
  mkdir -p /run/munge
  [ -f /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; chmod 400 /etc/munge/munge.key; }
  munged --force
  echo started > "$scratch/run/munged.started"
fi

host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
cat > "$scratch/slurm.conf" <<CONF
ClusterName=qvpotest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# A requeued job waits cred_expire seconds before it may start again (default 120).
AuthInfo=cred_expire=5
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Schedule every 2 s (defaults 60 s / 30 s), so a requeued task restarts within seconds.
SchedulerParameters=sched_interval=2,bf_interval=2
MpiDefault=none
ReturnToService=2
JobRequeue=1
KillWait=60
StateSaveLocation=$scratch/state
SlurmdSpoolDir=$scratch/spool
SlurmctldPidFile=$scratch/run/slurmctld.pid
SlurmdPidFile=$scratch/run/slurmd.pid
SlurmctldLogFile=$scratch/log/slurmctld.log
SlurmdLogFile=$scratch/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$scratch/slurm.conf"

slurmctld -f "$SLURM_CONF" -i
slurmd -f "$SLURM_CONF"
for _ in $(seq 1 60); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "start.sh: one-node Slurm up (SLURM_CONF=$SLURM_CONF)" >&2
    exit 0
  fi
  sleep 0.5
done
echo "start.sh: the node did not come up; logs in $scratch/log" >&2
sinfo >&2 || true
exit 1
