#!/usr/bin/env bash
# Profile a site-only cairn build (issue 6: "the profile of the 10,000-session
# build before and after").
#
#     bash bench/profile.sh                 perf, 10,000 sessions
#     bash bench/profile.sh perf 1000
#     bash bench/profile.sh callgrind 1000  instruction counts (repeatable
#                                           whatever the machine's load)
#
# Builds a release binary with line tables into a separate target folder
# (CARGO_PROFILE_RELEASE_DEBUG=line-tables-only, --target-dir $PROF_TARGET,
# default /tmp/cairn-prof; the first time this is a full release build, about
# 20 minutes on the shared 2-core machine, then a minute or two), generates
# the program with bench/gen.py if needed, and profiles
# `cairn build --no-pdf --quiet` into tmpfs (see run.sh for why).
#
# perf: `perf stat -e instructions` is not supported on this VM, so it samples
# the cpu-clock software event with DWARF call graphs, then prints CPU seconds
# per stage (main thread vs rayon workers), hot functions and their callers
# (bench/perf_stages.py). callgrind: `callgrind_annotate` inclusive and self.
# Everything lands in $WORK/profile-TOOL-N/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
TOOL="${1:-perf}"
N="${2:-10000}"
HZ="${HZ:-150}"
WORK="${WORK:-/tmp/cairn-bench}"
PROF_TARGET="${PROF_TARGET:-/tmp/cairn-prof}"
OUTS="${OUTS:-/dev/shm/cairn-bench-out}"
export PATH="$HOME/.cargo/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1

case "$TOOL" in
  perf)
    if ! command -v perf >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null
    fi ;;
  callgrind)
    command -v valgrind >/dev/null || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; } ;;
  *) echo "profile.sh: perf or callgrind, not $TOOL" >&2; exit 2 ;;
esac

echo "== release build with line tables into $PROF_TARGET" >&2
(cd "$REPO" && CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
  cargo build --release --bin cairn --target-dir "$PROF_TARGET")
CAIRN="$PROF_TARGET/release/cairn"

dir="$WORK/n$N"
stamp="$(sha256sum < "$HERE/gen.py" | cut -c1-16)-$N"
if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
  python3 "$HERE/gen.py" "$N" "$dir"
  echo "$stamp" > "$dir/.stamp"
fi
P="$WORK/profile-$TOOL-$N"
mkdir -p "$P" "$OUTS"
out="$OUTS/profile-$N"
rm -rf "$out"
cmd=("$CAIRN" build --no-pdf --quiet --root "$dir/cairn" --output "$out")
{
  echo "cairn $(cd "$REPO" && git rev-parse --short HEAD)$(cd "$REPO" && git diff --quiet HEAD -- src || echo ' + uncommitted src changes'), $N sessions, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command: ${cmd[*]}"
} > "$P/about.txt"

if [ "$TOOL" = perf ]; then
  # One untimed run first so that the input files are in the page cache.
  "${cmd[@]}"; rm -rf "$out"
  /usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KiB peak" -o "$P/time.txt" \
    perf record -q -e cpu-clock -F "$HZ" --call-graph dwarf,16384 -o "$P/perf.data" -- "${cmd[@]}"
  perf script -F comm,tid,ip,sym -i "$P/perf.data" 2>/dev/null > "$P/perf.txt"
  python3 "$HERE/perf_stages.py" "$P/perf.txt" "$HZ" > "$P/stages.txt"
  cat "$P/about.txt" "$P/time.txt" "$P/stages.txt"
else
  valgrind --tool=callgrind --callgrind-out-file="$P/callgrind.out" "${cmd[@]}" 2> "$P/valgrind.txt"
  callgrind_annotate --inclusive=yes "$P/callgrind.out" 2>/dev/null | head -60 > "$P/inclusive.txt"
  callgrind_annotate "$P/callgrind.out" 2>/dev/null | head -50 > "$P/self.txt"
  cat "$P/about.txt"; grep -E "Collected|refs" "$P/valgrind.txt" || true
  cat "$P/inclusive.txt" "$P/self.txt"
fi
echo "== $P" >&2
