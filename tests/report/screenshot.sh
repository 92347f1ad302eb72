#!/bin/bash
# tests/report/screenshot.sh PAGE.html OUT.png [W,H]: a screenshot of a herd-report
# page in headless chromium (no network, a fresh profile), as `make report-screenshot`
# takes docs/report.png. HERD_CHROMIUM names another browser binary.
set -euo pipefail
page=$(cd "$(dirname "${1:?usage: screenshot.sh PAGE.html OUT.png [W,H]}")" && pwd)/$(basename "$1")
out=${2:?usage: screenshot.sh PAGE.html OUT.png [W,H]}
size=${3:-1200,2400}
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"${HERD_CHROMIUM:-chromium}" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --hide-scrollbars --force-device-scale-factor=1 \
    --user-data-dir="$profile" --screenshot="$out" --window-size="$size" \
    "file://$page" 2>/dev/null
test -s "$out"
echo "wrote $out"
