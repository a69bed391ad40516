#!/usr/bin/env bash
# .ci/worksheets/run.sh: tests of the online worksheets against a built site.
#
#     .ci/worksheets/run.sh [OUTPUT_DIR]        (default: output/ of this checkout)
#
# 1. node --test scoring.test.cjs: the scoring rule (sum and mean, reverse
#    items, subscales, bands, alerts) on the cases the sample's printed
#    instructions give, checked against the built page (and PDF, if built).
# 2. node browser.mjs: fills, saves, exports, imports and scores the sample's
#    worksheets in Debian's headless Chromium (playwright-core and axe-core
#    from .ci/a11y/node_modules), serving OUTPUT_DIR on 127.0.0.1.
# Needs node >= 20 and /usr/bin/chromium (or CHROMIUM_PATH). Both steps run;
# exits non-zero when either fails.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$(cd "${1:-$ROOT/output}" 2>/dev/null && pwd) || { echo "worksheets: no output folder ${1:-$ROOT/output}; run cairn build first" >&2; exit 2; }
[ -f "$OUT/worksheets/how-am-i-doing/index.html" ] || { echo "worksheets: $OUT has no sample worksheets; run cairn build first" >&2; exit 2; }
if [ ! -d "$ROOT/.ci/a11y/node_modules/playwright-core" ] || [ ! -d "$ROOT/.ci/a11y/node_modules/axe-core" ]; then
  ( cd "$ROOT/.ci/a11y" && npm ci --no-audit --no-fund )
fi

status=0
echo "--- worksheet scoring: node --test"
CAIRN_OUTPUT="$OUT" node --test "$HERE/scoring.test.cjs" || status=1
echo "--- worksheets in the browser: node browser.mjs"
node "$HERE/browser.mjs" --dir "$OUT" || status=1
[ "$status" = 0 ] && echo "worksheet tests passed" || echo "worksheet tests FAILED" >&2
exit "$status"
