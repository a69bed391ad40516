#!/usr/bin/env bash
# .ci/search/run.sh: finding things (issues 13 and 15) on built sites.
#
#     .ci/search/run.sh [OUTPUT_DIR] [CAIRN_BIN]   (defaults: output/ and target/release/cairn)
#
# Builds the Chinese fixture (tests/fixtures/search/zh) with CAIRN_BIN into a
# temporary folder, then:
# 1. node --test match.test.cjs: the search matching (folding, stems and
#    prefixes, Chinese and Japanese with and without Intl.Segmenter), and
#    the real indexes of OUTPUT_DIR and the Chinese site.
# 2. node browser.mjs: the header search box, the ranking, glossary terms,
#    Chinese search, the exercise filters and the folded prompt sets, in
#    Debian's headless Chromium, from disk (file://). Screenshots of the
#    header go to $SEARCH_SHOTS when it is set.
# Needs node >= 20 and /usr/bin/chromium (or CHROMIUM_PATH). Both steps run;
# exits non-zero when either fails.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$(cd "${1:-$ROOT/output}" 2>/dev/null && pwd) || { echo "search: no output folder ${1:-$ROOT/output}; run cairn build first" >&2; exit 2; }
CAIRN=${2:-$ROOT/target/release/cairn}
[ -f "$OUT/search/search-index.js" ] || { echo "search: $OUT has no search index; run cairn build first" >&2; exit 2; }
[ -x "$CAIRN" ] || { echo "search: no cairn binary at $CAIRN" >&2; exit 2; }
if [ ! -d "$ROOT/.ci/a11y/node_modules/playwright-core" ]; then
  ( cd "$ROOT/.ci/a11y" && npm ci --no-audit --no-fund )
fi
ZH=$(mktemp -d "${TMPDIR:-/tmp}/cairn-search-zh.XXXXXX")
trap 'rm -rf "$ZH"' EXIT
"$CAIRN" build --quiet --no-pdf --root "$ROOT/tests/fixtures/search/zh" --output "$ZH/site"

status=0
echo "--- search matching: node --test"
CAIRN_OUTPUT="$OUT" CAIRN_SEARCH_ZH="$ZH/site" node --test "$HERE/match.test.cjs" || status=1
echo "--- finding things in the browser: node browser.mjs"
shots=()
[ -n "${SEARCH_SHOTS:-}" ] && shots=(--shots "$SEARCH_SHOTS")
node "$HERE/browser.mjs" --dir "$OUT" --zh "$ZH/site" "${shots[@]}" || status=1
[ "$status" = 0 ] && echo "search tests passed" || echo "search tests FAILED" >&2
exit "$status"
