#!/usr/bin/env bash
# Packs what a bare Linux x86-64 GPU machine (no Node.js, no internet) needs to run the kit's
# GPU check (scripts/gpu/check.ts: the golden correctness check and the paper-settings QVPO
# bench on every engine that starts there), into a git-ignored folder:
#
#   qvpo-gpu.tar.xz   this machine's node binary; check.js (the kit compiled into one file by
#                     esbuild); the golden fixture; the smallest node_modules that loads
#                     TensorFlow.js (WASM and WebGPU backends), ONNX Runtime (CPU, WebGPU and
#                     CUDA providers' host side) and Dawn (npm `webgpu`), linux-x64 files only
#   debs/             the Vulkan loader and GL vendor-neutral libraries from Debian, which
#                     scripts/gpu/run.sh unpacks into a private folder there
#
#   scripts/gpu/bundle.sh [DEST]        (default: .device-carry/qvpo-gpu)
#
# Needs the npm registry (webgpu and @tensorflow/tfjs-backend-webgpu are fetched here, not
# project dependencies: webgpu is 132 MB for all platforms) and Debian's archive (apt-get
# download). Fails if the bundle is larger than QVPO_BUNDLE_LIMIT_MIB (default 48: a device
# call carries 64 MiB with the working tree).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEST=${1:-$ROOT/.device-carry/qvpo-gpu}
LIMIT_MIB=${QVPO_BUNDLE_LIMIT_MIB:-48}
WEBGPU_VERSION=0.6.2
TFJS_WEBGPU_VERSION=4.22.0
DEBS=(libvulkan1 libglvnd0 libegl1 libgl1 libglx0)

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
STAGE=$WORK/qvpo-gpu
mkdir -p "$STAGE/fixtures" "$WORK/extra" "$WORK/debs"
cd "$ROOT"
[ -x node_modules/esbuild/bin/esbuild ] || { echo "bundle.sh: node_modules/esbuild missing: run npm ci first" >&2; exit 2; }

echo "[1/6] the GPU-only packages: webgpu@$WEBGPU_VERSION, @tensorflow/tfjs-backend-webgpu@$TFJS_WEBGPU_VERSION"
echo '{"name":"qvpo-gpu-extra","version":"1.0.0","private":true}' >"$WORK/extra/package.json"
(cd "$WORK/extra" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
  "webgpu@$WEBGPU_VERSION" "@tensorflow/tfjs-backend-webgpu@$TFJS_WEBGPU_VERSION" >/dev/null)

echo "[2/6] check.js: scripts/gpu/check.ts and the kit's code it uses, compiled by esbuild"
node_modules/esbuild/bin/esbuild scripts/gpu/check.ts --bundle --platform=node --target=node20 --format=cjs \
  --packages=external --outfile="$STAGE/check.js" --log-level=warning

echo "[3/6] node_modules (linux-x64 files that are loaded, plus binaries)"
node scripts/gpu/copy-packages.js "$STAGE" "$ROOT/node_modules:$WORK/extra/node_modules" --esm webgpu \
  @tensorflow/tfjs @tensorflow/tfjs-backend-wasm @tensorflow/tfjs-backend-webgpu onnxruntime-node onnxruntime-common protobufjs

echo "[4/6] node $(node --version) and the golden fixture"
cp "$(readlink -f "$(command -v node)")" "$STAGE/node"
cp tests/fixtures/golden/qvpo-iteration.json "$STAGE/fixtures/"
{
  echo "made: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "node: $(node --version)"
  echo "packages: webgpu@$WEBGPU_VERSION @tensorflow/tfjs-backend-webgpu@$TFJS_WEBGPU_VERSION onnxruntime-node@$(node -p "require('onnxruntime-node/package.json').version") @tensorflow/tfjs@$(node -p "require('@tensorflow/tfjs/package.json').version")"
} >"$STAGE/MANIFEST.txt"

echo "[5/6] Debian packages: ${DEBS[*]}"
apt_opts=(-oAPT::Sandbox::User=root -oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$WORK/apt-lists" "-oDir::Cache=$WORK/apt-cache")
mkdir -p "$WORK/apt-lists/partial" "$WORK/apt-cache/archives/partial"
apt-get "${apt_opts[@]}" -qq update
(cd "$WORK/debs" && apt-get "${apt_opts[@]}" -qq download "${DEBS[@]}")

echo "[6/6] compressing"
rm -rf "$DEST"
mkdir -p "$DEST/debs"
tar -C "$WORK" -cf - qvpo-gpu | xz -T0 -6 >"$DEST/qvpo-gpu.tar.xz"
cp "$WORK"/debs/*.deb "$DEST/debs/"
cp "$STAGE/MANIFEST.txt" "$DEST/"
size=$(du -sb "$DEST" | cut -f1)
mib=$(awk -v b="$size" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "bundle: $DEST, $mib MiB ($(du -sh "$STAGE" | cut -f1) unpacked)"
if awk -v b="$size" -v l="$LIMIT_MIB" 'BEGIN { exit !(b > l * 1048576) }'; then
  echo "bundle.sh: $mib MiB is over the limit of $LIMIT_MIB MiB" >&2
  exit 1
fi
