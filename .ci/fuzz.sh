#!/usr/bin/env bash
# .ci/fuzz.sh: a short fuzzing run, step 6 of .ci/run (also run by hand).
#
# 1. cargo-fuzz, installed only when missing. No nightly: without a sanitizer
#    (`-s none`) cargo-fuzz passes rustc no unstable flag, so the machine's one
#    toolchain (stable, the same as `cargo test`) builds the targets; a new CI
#    machine has no other toolchain and cannot fetch one
# 2. a light build of the four targets: cairn without its `pdf` feature (no
#    Typst compiler; fuzz/Cargo.toml), everything at opt-level 1, no sanitizer
# 3. each target replays fuzz/regressions/TARGET/ (when there is one), then
#    fuzzes for FUZZ_SECONDS (30 by default) from the committed seeds with the
#    dictionary, two targets at a time (one per core)
#
# Any crash, timeout or failed build exits non-zero, with the reproducer's
# path. See fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-30}
fuzz=$PWD/fuzz
t_start=$SECONDS

fail() { printf 'fuzz: FAILED: %s\n' "$*" >&2; exit 1; }

# ------------------------------------------------------------- 1. toolchain
echo "fuzz: $(cargo --version)"
if cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: $(cargo fuzz --version)"
else
    echo "fuzz: installing cargo-fuzz"
    t0=$SECONDS
    cargo install cargo-fuzz --locked
    echo "fuzz: cargo-fuzz installed in $((SECONDS - t0)) s"
fi

# ------------------------------------------------------------- 2. build
# Opt-level 1 for everything (cargo-fuzz builds --release with one codegen
# unit per crate, line tables and debug assertions): fuzz/README.md, "In CI",
# has the measured cost.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=1
t0=$SECONDS
cargo fuzz build -s none
echo "fuzz: built in $((SECONDS - t0)) s"

# ------------------------------------------------------------- 3. run
mapfile -t targets < <(cargo fuzz list)
[ "${#targets[@]}" -gt 0 ] || fail "cargo fuzz list found no target"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# One target: the regressions, then the timed run. Its output goes to a log;
# the exit status says whether it found anything.
fuzz_one() {
    local t=$1
    if [ -d "$fuzz/regressions/$t" ]; then
        echo "fuzz: $t: replaying $(find "$fuzz/regressions/$t" -type f | wc -l) regression(s)"
        cargo fuzz run -s none "$t" "$fuzz/regressions/$t" -- -runs=0 || return 1
    fi
    mkdir -p "$fuzz/corpus/$t"
    cargo fuzz run -s none "$t" "$fuzz/corpus/$t" "$fuzz/seeds/$t" -- \
        -max_total_time="$secs" -timeout=20 -dict="$fuzz/dict/cairn.dict" -print_final_stats=1
}

failed=()
report() {
    local t=$1 status=$2
    if [ "$status" = 0 ]; then
        local runs
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$logs/$t" | grep -o '[0-9]*$' || echo "?")
        echo "fuzz: $t: ${secs} s, $runs runs, no crash"
    else
        tail -n 60 "$logs/$t"
        # libFuzzer names what it wrote (crash-…, timeout-…, oom-…, slow-unit-…)
        grep -E 'Test unit written to' "$logs/$t" || true
        echo "fuzz: $t FAILED; the input is under fuzz/artifacts/$t/:"
        ls -1t "$fuzz/artifacts/$t/" 2>/dev/null | head -n 3 | sed "s|^|    fuzz/artifacts/$t/|"
        failed+=("$t")
    fi
}

# Two at a time: the machine has two cores and each run uses one.
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    pair=("${targets[@]:i:2}")
    pids=()
    for t in "${pair[@]}"; do
        echo "fuzz: $t: ${secs} s"
        fuzz_one "$t" >"$logs/$t" 2>&1 &
        pids+=($!)
    done
    for j in "${!pair[@]}"; do
        status=0
        wait "${pids[$j]}" || status=$?
        report "${pair[$j]}" "$status"
    done
done

echo "fuzz: the whole step took $((SECONDS - t_start)) s"
[ "${#failed[@]}" = 0 ] || fail "${failed[*]} found a crash (reproduce with: cargo fuzz run -s none TARGET fuzz/artifacts/TARGET/FILE)"
echo "fuzz: no crash"
