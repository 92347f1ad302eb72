#!/bin/bash
# `make demo`: the quadratic example run on this machine end to end with the binaries
# just built: submitted on the local backend, waited for with a progress line, and
# the best trials shown, and their report page written (report.html). It runs in target/demo/quadratic, a fresh copy each time,
# and fails if any trial did not complete.
set -euo pipefail
bin=$(cd "${1:?usage: demo.sh BIN_DIR}" && pwd)
saved_path=$PATH
export PATH="$bin:$PATH"
here=$(cd "$(dirname "$0")" && pwd)
demo=${HERD_DEMO_DIR:-$here/../target/demo/quadratic}
rm -rf "$demo"
mkdir -p "$(dirname "$demo")"
cp -r "$here/quadratic" "$demo"
demo=$(cd "$demo" && pwd)

echo "== herd run --local $demo"
herd run --local --table "$demo"
echo
echo "== herd status --wait"
herd status --wait --table "$demo" | tail -n 2
bad=$(herd status --json -s failed,cancelled "$demo")
if [ -n "$bad" ]; then
  echo "demo: some trials did not complete:" >&2
  echo "$bad" >&2
  exit 1
fi
echo
echo "== herd res --sort val_loss --top 5"
herd res --table --sort val_loss --top 5 "$demo"
echo
echo "== herd report --sort val_loss"
herd report --sort val_loss "$demo"
test -s "$demo/report.html"

# The closing hint: commands that work as printed in a new shell, where herd is not
# on PATH yet. They are run here the same way (a shell without $bin on PATH) before
# they are printed, so a broken hint fails the demo.
look="export PATH=\"$bin:\$PATH\"   # or: make install PREFIX=\$HOME/.local
cd $demo && herd status && herd tail 26 && herd res --last"
if ! env PATH="$saved_path" bash -c "$look" >/dev/null 2>&1; then
  echo "demo: the closing hint does not work as printed:" >&2
  echo "$look" >&2
  exit 1
fi
echo
echo "Look around (in a new shell, where herd is not on PATH yet):"
sed 's/^/  /' <<< "$look"
