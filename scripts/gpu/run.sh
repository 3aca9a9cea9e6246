#!/usr/bin/env bash
# Runs the kit's GPU check from a bundle made by scripts/gpu/bundle.sh, on a Linux x86-64 machine
# that needs neither Node.js nor internet (a lent GPU machine, or any box to try it on):
#   1. unpacks the bundle into a work folder and the carried Debian libraries (the Vulkan
#      loader, libglvnd) into a private root there, so nothing system-wide changes;
#   2. points the Vulkan loader at the NVIDIA driver's ICD when the machine has one;
#   3. runs check.js: WebGPU adapter, golden check and paper-settings bench per engine.
# Writes gpu-check.json, gpu-check.txt, gpu-check.log and (where present) nvidia-smi.txt to $OUT.
#
#   OUT=DIR scripts/gpu/run.sh [BUNDLE_DIR]     (default bundle: .device-carry/qvpo-gpu; OUT: ./gpu-out)
#   QVPO_GPU_ITERS, QVPO_GPU_WARMUP, QVPO_GPU_ACTIONS, QVPO_GPU_DIMS, QVPO_GPU_ENGINES: bench settings
# Exit code: check.js's (0: every engine that started passed the golden check).
set -uo pipefail
BUNDLE=$(cd "${1:-.device-carry/qvpo-gpu}" && pwd) || { echo "run.sh: no bundle at ${1:-.device-carry/qvpo-gpu} (make one with scripts/gpu/bundle.sh)" >&2; exit 2; }
OUT=${OUT:-$PWD/gpu-out}
WORK=${QVPO_GPU_WORK:-$(mktemp -d)}
mkdir -p "$OUT" "$WORK/root"
t0=$(date +%s)

xz -dc "$BUNDLE/qvpo-gpu.tar.xz" | tar -C "$WORK" -xf - || { echo "run.sh: could not unpack $BUNDLE/qvpo-gpu.tar.xz" >&2; exit 2; }
for deb in "$BUNDLE"/debs/*.deb; do
  [ -e "$deb" ] && dpkg -x "$deb" "$WORK/root"
done
export LD_LIBRARY_PATH="$WORK/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$icd" ]; then
    export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"
    break
  fi
done
echo "run.sh: bundle $(tr '\n' ' ' <"$WORK/qvpo-gpu/MANIFEST.txt")" | tee "$OUT/gpu-check.log"
echo "run.sh: Vulkan ICD ${VK_DRIVER_FILES:-none found}; unpacked in $(($(date +%s) - t0)) s" | tee -a "$OUT/gpu-check.log"
if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi >"$OUT/nvidia-smi.txt" 2>&1; fi

"$WORK/qvpo-gpu/node" "$WORK/qvpo-gpu/check.js" --out "$OUT" --fixtures "$WORK/qvpo-gpu/fixtures" \
  --iters "${QVPO_GPU_ITERS:-20}" --warmup "${QVPO_GPU_WARMUP:-3}" --action-iters "${QVPO_GPU_ACTIONS:-50}" \
  --dims "${QVPO_GPU_DIMS:-hopper,humanoid}" ${QVPO_GPU_ENGINES:+--engines "$QVPO_GPU_ENGINES"} 2>&1 | tee -a "$OUT/gpu-check.log"
status=${PIPESTATUS[0]}
echo "run.sh: done in $(($(date +%s) - t0)) s, exit $status" | tee -a "$OUT/gpu-check.log"
[ -z "${QVPO_GPU_WORK:-}" ] && rm -rf "$WORK"
exit "$status"
