#!/usr/bin/env bash
# .ci/print/run.sh CAIRN PYTHON: the print-layout check. Builds the sample
# program (this checkout's content/) and a generated stress program
# (stress.py) on A4 and on US Letter, in every edition, and checks every PDF
# with check.py: overlapping glyphs, glyphs off the page, stranded
# headings, a split support box and one-sheet pages without their title.
set -euo pipefail
CAIRN=$1
PY=$2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-print.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
status=0
for paper in a4 us-letter; do
  sample="$WORK/sample-$paper"
  mkdir -p "$sample"
  cp -r "$ROOT/content" "$sample/"
  [ -d "$ROOT/themes" ] && cp -r "$ROOT/themes" "$sample/"
  sed -E "s/^paper = \"[a-z0-9-]+\"/paper = \"$paper\"/" "$ROOT/cairn.toml" > "$sample/cairn.toml"
  stress="$WORK/stress-$paper"
  "$PY" "$HERE/stress.py" "$CAIRN" "$stress" "$paper"
  for project in "$sample" "$stress"; do
    echo "--- $(basename "$project"): cairn build"
    ( cd "$project" && "$CAIRN" build ) >"$project.log" 2>&1 || { cat "$project.log"; exit 1; }
    mapfile -t pdfs < <(cd "$project/output" && find pdf -name '*.pdf' | sort)
    [ "${#pdfs[@]}" -gt 0 ] || { echo "no PDFs in $project/output"; exit 1; }
    ( cd "$project/output" && "$PY" "$HERE/check.py" "${pdfs[@]}" ) || status=1
  done
done
exit $status
