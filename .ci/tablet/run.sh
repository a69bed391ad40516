#!/usr/bin/env bash
# .ci/tablet/run.sh: the run sheet and the participant's phone (issue 13) in
# Debian's headless Chromium, on a built site.
#
#     .ci/tablet/run.sh [OUTPUT_DIR]        (default: output/ of this checkout)
#
# node browser.mjs serves OUTPUT_DIR on 127.0.0.1 and checks, at 375x812,
# 768x1024 and 1024x768: nothing scrolls sideways in facilitator pages, the
# phone header (at most 160 px) and its menu button, the first agenda row on
# the first screen, layout shift on worksheet pages, the view links, the
# worksheets indexes and the run sheet's kept ticks. playwright-core comes
# from .ci/a11y's lock file (npm ci); no browser is downloaded.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$(cd "${1:-$ROOT/output}" 2>/dev/null && pwd) || { echo "tablet: no output folder ${1:-$ROOT/output}; run cairn build first" >&2; exit 2; }
[ -d "$OUT/facilitator/sessions" ] || { echo "tablet: $OUT has no facilitator session pages; run cairn build first" >&2; exit 2; }
if [ ! -d "$ROOT/.ci/a11y/node_modules/playwright-core" ]; then
  ( cd "$ROOT/.ci/a11y" && npm ci --no-audit --no-fund )
fi
node "$HERE/browser.mjs" --dir "$OUT"
