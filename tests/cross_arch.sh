#!/usr/bin/env bash
# Cross-architecture check: the x86_64 and aarch64 builds of herd-expand must print
# byte-identical trials (values, names, hashes) for the same sweeps. The log-scale
# values come from herd's own log10/pow, so they must not depend on the CPU.
#
# Usage: tests/cross_arch.sh X86_64_BIN_DIR AARCH64_BIN_DIR [CONFIG...]
#
# Builds nothing (`make test-cross-arch` builds both and calls this). A binary of the
# other architecture runs under qemu user emulation: $QEMU_AARCH64 (default
# qemu-aarch64) on an x86_64 host, $QEMU_X86_64 (default qemu-x86_64) on an aarch64
# host. CONFIGs default to tests/data/cross_arch/*.yaml. Exits 1 on any difference,
# and on any run that fails.
set -euo pipefail
export LC_ALL=C

if [ $# -lt 2 ]; then
  echo "usage: tests/cross_arch.sh X86_64_BIN_DIR AARCH64_BIN_DIR [CONFIG...]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
x86_dir=$1 arm_dir=$2
shift 2
if [ $# -gt 0 ]; then configs=("$@"); else configs=("$here"/data/cross_arch/*.yaml); fi

host=$(uname -m)
runner() { # ARCH -> the command prefix that runs an ARCH binary here
  case $1 in
    "$host") ;;
    x86_64) echo "${QEMU_X86_64:-qemu-x86_64}" ;;
    aarch64) echo "${QEMU_AARCH64:-qemu-aarch64}" ;;
  esac
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# run ARCH DIR OUT ARGS...: run DIR/herd-expand ARGS as ARCH, stdout to OUT. Non-zero
# exit is reported with the tool's stderr.
run() {
  local arch=$1 dir=$2 out=$3 emu rc=0
  shift 3
  emu=$(runner "$arch")
  if [ -n "$emu" ] && ! command -v "$emu" >/dev/null 2>&1; then
    echo "FAIL: $emu not found (Debian: apt-get install qemu-user)" >&2
    exit 1
  fi
  ${emu:+"$emu"} "$dir/herd-expand" "$@" >"$out" 2>"$out.err" || rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAIL: $arch herd-expand $* exited $rc:" >&2
    sed 's/^/    /' "$out.err" >&2
    return 1
  fi
}

# Both directories must hold the binary they claim to, so the comparison really is
# across architectures.
for pair in "x86_64:$x86_dir" "aarch64:$arm_dir"; do
  arch=${pair%%:*} dir=${pair#*:}
  if [ ! -x "$dir/herd-expand" ]; then
    echo "FAIL: $dir/herd-expand does not exist (build it first: make build-$arch)" >&2
    exit 1
  fi
  run "$arch" "$dir" "$work/version" --version || exit 1
  want="($arch-unknown-linux-musl)"
  if ! grep -qF "$want" "$work/version"; then
    echo "FAIL: $dir/herd-expand --version says '$(cat "$work/version")', not $want" >&2
    exit 1
  fi
  echo "$arch: $(cat "$work/version")"
done

for cfg in "${configs[@]}"; do
  cfg=$(cd "$(dirname "$cfg")" && pwd)/$(basename "$cfg")
  for mode in --json --table; do
    a=$work/x86_64.out b=$work/aarch64.out
    if ! run x86_64 "$x86_dir" "$a" "$mode" "$cfg" || ! run aarch64 "$arm_dir" "$b" "$mode" "$cfg"; then
      fail=1
      continue
    fi
    if [ ! -s "$a" ]; then
      echo "FAIL: herd-expand $mode $cfg printed nothing" >&2
      fail=1
    elif cmp -s "$a" "$b"; then
      echo "same: herd-expand $mode $(basename "$cfg") ($(wc -l <"$a") lines, $(wc -c <"$a") bytes)"
    else
      echo "FAIL: herd-expand $mode $cfg differs between x86_64 and aarch64:" >&2
      diff -U0 --label x86_64 --label aarch64 "$a" "$b" | head -n 20 >&2 || true
      fail=1
    fi
  done
done

if [ $fail -ne 0 ]; then
  echo "cross-arch: FAILED" >&2
  exit 1
fi
echo "cross-arch: x86_64 and aarch64 agree on ${#configs[@]} sweeps"
