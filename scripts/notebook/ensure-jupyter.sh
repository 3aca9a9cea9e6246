#!/usr/bin/env bash
# Make sure a working `jupyter nbconvert` (with nbclient and jupyter_client) is available for
# executing the notebooks headlessly, plus the DejaVu fonts used for PNG charts.
#
#   scripts/notebook/ensure-jupyter.sh               check; install with apt if missing (root or
#                                                    passwordless sudo)
#   scripts/notebook/ensure-jupyter.sh --check       check only, never install
#   scripts/notebook/ensure-jupyter.sh --print-path  print only the jupyter executable on stdout
#
# Which jupyter: $JUPYTER if set, else the first `jupyter` on PATH that actually works, else
# Debian's /usr/bin/jupyter. A pyenv shim (or a venv without nbconvert) that comes first on PATH is
# skipped because it fails the checks below.
set -u -o pipefail

APT_PACKAGES=(jupyter-nbconvert python3-nbclient jupyter-client jupyter-core fonts-dejavu-core)
FONT_FILE=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

check_only=0
print_path=0
for arg in "$@"; do
  case "$arg" in
    --check) check_only=1 ;;
    --print-path) print_path=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "ensure-jupyter: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

say() { if [ "$print_path" = 1 ]; then echo "$*" >&2; else echo "$*"; fi; }

# Does this jupyter run nbconvert, nbclient (jupyter execute) and jupyter_client (kernelspec)?
# On failure FAILED_WHY says which command failed and how (reported if nothing works).
FAILED_WHY=""
works() {
  local j="$1" sub err
  [ -n "$j" ] && [ -x "$j" ] || return 1
  for sub in "nbconvert --version" "execute --version" "kernelspec list --json"; do
    # shellcheck disable=SC2086
    if ! err="$("$j" $sub 2>&1 >/dev/null)"; then
      if [ "$sub" != "nbconvert --version" ] || [ -z "$FAILED_WHY" ]; then
        FAILED_WHY="$j $sub failed: $(printf '%s' "$err" | tail -n 1)"
      fi
      return 1
    fi
  done
  return 0
}

# Sets FOUND to the first working jupyter (not run in a subshell, so FAILED_WHY survives).
FOUND=""
find_jupyter() {
  local candidates=()
  if [ -n "${JUPYTER:-}" ]; then candidates+=("$(command -v "$JUPYTER" 2>/dev/null || echo "$JUPYTER")"); fi
  local IFS=:
  for dir in $PATH; do
    [ -n "$dir" ] && [ -x "$dir/jupyter" ] && candidates+=("$dir/jupyter")
  done
  unset IFS
  candidates+=(/usr/bin/jupyter /usr/local/bin/jupyter)
  local c
  for c in "${candidates[@]}"; do
    if works "$c"; then FOUND="$c"; return 0; fi
  done
  return 1
}

fonts_ok() { [ -f "$FONT_FILE" ] || fc-list 2>/dev/null | grep -qi 'DejaVu Sans'; }

report_ok() {
  local j="$1"
  if [ "$print_path" = 1 ]; then
    echo "$j"
  else
    echo "jupyter OK: $j (nbconvert $("$j" nbconvert --version 2>/dev/null), nbclient $("$j" execute --version 2>/dev/null | tail -n1))"
    if ! fonts_ok; then
      echo "warning: DejaVu fonts not found ($FONT_FILE); chart text in PNGs may be missing." \
        "Install: apt-get install -y --no-install-recommends fonts-dejavu-core"
    fi
  fi
}

if find_jupyter; then
  if fonts_ok || [ "$check_only" = 1 ]; then
    report_ok "$FOUND"
    exit 0
  fi
fi

missing_msg() {
  if [ -n "$FAILED_WHY" ]; then echo "ensure-jupyter: $FAILED_WHY" >&2; fi
  cat >&2 <<EOF
ensure-jupyter: no working 'jupyter nbconvert' with nbclient + jupyter_client (or no DejaVu fonts).
Install them with (Debian/Ubuntu, as root):
  apt-get update && apt-get install -y --no-install-recommends ${APT_PACKAGES[*]}
or, in a Python virtual environment:
  pip install nbconvert nbclient jupyter_client      (and then JUPYTER=<venv>/bin/jupyter)
EOF
}

if [ "$check_only" = 1 ]; then
  missing_msg
  exit 1
fi

# Can we use apt?
SUDO=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    say "ensure-jupyter: not root and no passwordless sudo: cannot install with apt."
    missing_msg
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  say "ensure-jupyter: apt-get not available on this machine."
  missing_msg
  exit 1
fi

say "ensure-jupyter: installing ${APT_PACKAGES[*]} with apt-get ..."
export DEBIAN_FRONTEND=noninteractive
if ! "${SUDO[@]}" apt-get update >&2; then
  say "ensure-jupyter: apt-get update failed."
  missing_msg
  exit 1
fi
if ! "${SUDO[@]}" apt-get install -y --no-install-recommends "${APT_PACKAGES[@]}" >&2; then
  say "ensure-jupyter: apt-get install failed."
  missing_msg
  exit 1
fi

FAILED_WHY=""
if find_jupyter; then
  report_ok "$FOUND"
  exit 0
fi
say "ensure-jupyter: installed the packages, but jupyter still does not work."
missing_msg
exit 1
