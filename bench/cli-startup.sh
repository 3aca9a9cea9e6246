#!/usr/bin/env bash
# Start-up time of the qvpo-kit CLI: wall and CPU seconds (user + sys) of commands that do little
# work, so what they show is the cost of loading the code. Prints the load average before and
# after: on a shared machine, compare only figures taken under similar load.
#
#   bench/cli-startup.sh [RUNS]        (default 7 runs per command; the median is printed)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "cli-startup.sh: RUNS must be a positive whole number, got \"$RUNS\"" >&2; exit 2; }

# An empty runs root, so `status` and `table` measure start-up, not reading results (`table`
# stops there with "no runs", after loading everything it needs).
EMPTY=$(mktemp -d)
trap 'rm -rf "$EMPTY"' EXIT
mkdir -p "$EMPTY/smoke"

commands=(
  "node -e 0"
  "npx qvpo-kit --help"
  "node bin/qvpo-kit.js --help"
  "node bin/qvpo-kit.js train --help"
  "node bin/qvpo-kit.js status --root $EMPTY"
  "node bin/qvpo-kit.js table --profile smoke --root $EMPTY"
)

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $RUNS runs each, median"
printf '%-60s %8s %8s\n' command wall_s cpu_s
TIMEFORMAT='%R %U %S'
for cmd in "${commands[@]}"; do
  $cmd >/dev/null 2>&1 || true # first run fills tsx's compile cache; not counted
  walls=() cpus=()
  for _ in $(seq "$RUNS"); do
    # bash's `time` reports the child's wall, user and sys seconds on stderr.
    t=$( { time $cmd >/dev/null 2>&1 || true; } 2>&1 )
    read -r real user sys <<<"$t"
    walls+=("$real")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')")
  done
  printf '%-60s %8s %8s\n' "${cmd/$EMPTY/EMPTY}" "$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${cpus[@]}" | median)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
