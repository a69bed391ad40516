#!/usr/bin/env bash
# Writes the seed corpus of each fuzz target into fuzz/seeds/TARGET/ from the
# sample program (content/) and the test fixtures (tests/fixtures/). Run it
# from anywhere; it replaces the seeds it writes and keeps nothing else.
# The seeds of typst_source carry the marker QZXMARK in author text.
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz/seeds
rm -rf "$out"
mkdir -p "$out"/{front_matter,markdown,worksheet,typst_source}

# put TARGET FILE: stores stdin under its hash (the same input is kept once).
put() {
    local tmp
    tmp=$(mktemp)
    cat >"$tmp"
    mv "$tmp" "$out/$1/$(sha1sum <"$tmp" | cut -c1-16)"
}

# The first byte of a front_matter input picks the kind of file.
kind_of() {
    case "$1" in
        */content/program.md | content/program.md) echo 0 ;;
        */themes/*.md) echo 1 ;;
        */sessions/*.md) echo 2 ;;
        */exercises/*.md) echo 3 ;;
        */guides/*.md) echo 4 ;;
        */pages/*.md) echo 5 ;;
        */prompts/*.toml) echo 6 ;;
        */glossary.toml) echo 7 ;;
        *) echo - ;;
    esac
}

files=$(find content tests/fixtures -type f \( -name '*.md' -o -name '*.toml' \) \
    -path '*content/*' | sort)
while IFS= read -r f; do
    k=$(kind_of "$f")
    if [ "$k" != - ]; then
        { printf "\\x0$k"; cat "$f"; } | put front_matter
    fi
    case "$f" in
        *.md)
            # The body after the front matter; the first byte 0 keeps raw
            # HTML off.
            { printf '\x00'; awk 'n >= 2 { print } /^\+\+\+/ { n++ }' "$f"; } | put markdown
            ;;
        */worksheets/*.toml) put worksheet <"$f" ;;
    esac
done <<<"$files"

# typst_source: a session, an exercise, a worksheet and the prompts, split
# at lines `%%%`, with the marker in titles, labels, texts and the body.
mark() {
    sed -e 's/^\(title\|label\|text\|summary\|help\|notes\|content_note\|alternative\) = "\([^"]\)/\1 = "QZXMARK \2/' \
        -e 's/^\([A-Z][a-z]*\) /\1 QZXMARK /' \
        -e 's|(@/[^)]*)|(@/sessions/01-a.md)|g' -e 's|../assets/[a-z-]*.svg|../assets/lake.svg|g' "$@"
}
program() {
    local dir=$1 session=${2:-$1/sessions/01-a.md} exercise=${3:-$1/exercises/breathe.md} worksheet=${4:-$1/worksheets/plan.toml}
    mark "$session"
    printf '%%%%%%\n'
    mark "$exercise"
    printf '%%%%%%\n'
    mark "$worksheet"
    printf '%%%%%%\n'
    mark "$dir/prompts/prompts.toml"
}
base=tests/fixtures/base/content
program "$base" | put typst_source
program tests/fixtures/site/hostile/content | put typst_source
program tests/fixtures/site/nested/content | put typst_source
# The sample's bodies and worksheets under the base's front matter, without
# directives (their ids are not in the base program).
for f in content/sessions/*.md content/exercises/*.md; do
    tmp=$(mktemp)
    if [[ $f == */sessions/* ]]; then from=$base/sessions/01-a.md; else from=$base/exercises/breathe.md; fi
    {
        awk '{ print } /^\+\+\+/ && ++n == 2 { exit }' "$from"
        awk 'n >= 2 { print } /^\+\+\+/ { n++ }' "$f" | grep -v '^[[:space:]>*-]*::[a-z]'
    } >"$tmp"
    if [[ $f == */sessions/* ]]; then
        program "$base" "$tmp" | put typst_source
    else
        program "$base" "" "$tmp" | put typst_source
    fi
    rm "$tmp"
done
for w in content/worksheets/*.toml; do
    program "$base" "" "" "$w" | put typst_source
done
for d in "$out"/*; do echo "$(basename "$d"): $(ls "$d" | wc -l) seeds"; done
