#!/usr/bin/env bash
# A short fuzzing run (not part of .ci/run): replays the crash regressions,
# then fuzzes each target for FUZZ_SECONDS (30 by default), starting from
# the seed corpus. Needs the nightly toolchain and cargo-fuzz; skips
# without them. See fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-30}
if ! cargo +nightly --version >/dev/null 2>&1 || ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz: skipped (needs \`rustup toolchain install nightly\` and \`cargo install cargo-fuzz\`)"
    exit 0
fi
fuzz=$PWD/fuzz
# No sanitizer: cairn is safe Rust on mimalloc, which AddressSanitizer cannot
# see into, and an ASan build of Typst takes far longer.
cargo +nightly fuzz build -s none
for t in $(cargo +nightly fuzz list); do
    if [ -d "$fuzz/regressions/$t" ]; then
        echo "fuzz: $t: replaying the regressions"
        cargo +nightly fuzz run -s none "$t" "$fuzz/regressions/$t" -- -runs=0
    fi
    echo "fuzz: $t: ${secs} s"
    mkdir -p "$fuzz/corpus/$t"
    cargo +nightly fuzz run -s none "$t" "$fuzz/corpus/$t" "$fuzz/seeds/$t" -- \
        -max_total_time="$secs" -timeout=20 -dict="$fuzz/dict/cairn.dict" -print_final_stats=1
done
echo "fuzz: no crash"
