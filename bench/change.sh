#!/usr/bin/env bash
# The cost of a check that follows a change (issue 12): a googleapis-shaped git repository of N
# files, one commit changing one file, and `protoguard breaking --against HEAD~1` run from the
# (clean) working tree; then, on the 3000-file corpus, a comparison of two revisions far apart
# (40 breaking + 40 harmless changes) against buf in the same run. See bench/README.md.
#
# usage: bench/change.sh [--sizes "1000 3000 10000"] [--runs N] [--bin PATH] [--strace] [--perf]
#                        [--buf-size N|0] [--buf-runs N]
#
#   --sizes      corpus sizes for the one-commit check (default "1000 3000 10000")
#   --runs N     timed runs per case after one warm-up (default 5); the fastest is reported
#   --bin PATH   the protoguard binary to measure (default: target/release/protoguard, built)
#   --strace     also count system calls (strace -c -f) of one one-commit run per size
#   --perf       also record a profile (perf record -g) of one one-commit run at the largest size
#   --buf-size N corpus size for the far-apart comparison with buf (default 3000; 0: skip)
#   --buf-runs N timed runs of buf (default 2)
#
# Corpora and repositories are cached in target/change-corpus-N; results go to stdout.
set -euo pipefail

sizes="1000 3000 10000"
runs=5
bin=
trace=0
profile=0
buf_size=3000
buf_runs=2
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) sizes=$2; shift ;;
        --runs) runs=$2; shift ;;
        --bin) bin=$2; shift ;;
        --strace) trace=1 ;;
        --perf) profile=1 ;;
        --buf-size) buf_size=$2; shift ;;
        --buf-runs) buf_runs=$2; shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "change.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

script=change.sh
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

g() { git -C "$repo" -c user.name=bench -c user.email=bench@example.invalid -c commit.gpgsign=false "$@"; }

# corpus N: target/change-corpus-N with previous/, current/, mutations.txt and repo/, a git
# repository whose HEAD~1 is `previous` and HEAD is `previous` with one file taken from
# `current` (the first injected "field deleted" change), plus tags far-previous (= HEAD~1) and
# far-current (the whole `current` tree) on a side branch. The work tree is HEAD, clean.
corpus() {
    local n=$1
    dir=$target/change-corpus-$n
    local stamp="$n $(sha256sum "$root/examples/gen_corpus.rs" | cut -c1-16)"
    repo=$dir/repo
    if [ "$(cat "$dir/.stamp" 2>/dev/null)" = "$stamp" ]; then
        # A clone's objects are packed; a fresh `git add` leaves them loose (one file per tree).
        ls "$repo"/.git/objects/pack/*.pack >/dev/null 2>&1 || g repack -adq
        return
    fi
    log "generating a $n-file corpus and its repository in $dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    "$gen" "$dir" --files "$n" --seed 1 --mutations 40 >&2
    git init -q "$dir"   # directory inputs in an ignored target/ would read as empty
    repo=$dir/repo
    git init -q -b main "$repo"
    cp -R "$dir/previous/." "$repo/"
    g add -A && g commit -q -m previous && g tag far-previous
    g checkout -q -b far
    g rm -r -q . && cp -R "$dir/current/." "$repo/" && g add -A && g commit -q -m current
    g tag far-current
    g checkout -q main
    changed=$(awk -F'\t' '$1 == "breaking" && $2 ~ /field/ { print $3; exit }' "$dir/mutations.txt")
    [ -n "$changed" ] || die "no field change in $dir/mutations.txt"
    cp "$dir/current/$changed" "$repo/$changed"
    g commit -q -am "change $changed"
    g repack -adq
    echo "$changed" > "$dir/changed.txt"
    for side in previous current; do
        printf 'version: v2\nbreaking:\n  use:\n    - FILE\n' > "$dir/$side/buf.yaml"
    done
    echo "$stamp" > "$dir/.stamp"
}

# timed DIR CMD...: the fastest of $runs runs (after one warm-up) as "seconds KB cpu" (wall, peak
# RSS and user + system CPU seconds of that run), measured by GNU time. On a loaded machine the
# CPU time is the steadier figure: wall time then includes waiting for a core.
timed() {
    local dir=$1 count=$runs
    shift
    if [ "${1:-}" = --count ]; then count=$2; shift 2; fi
    local best= i
    for ((i = 0; i <= count; i++)); do
        (cd "$dir" && /usr/bin/time -f '%e %M %U %S' -o /tmp/change-bench.time "$@" >/dev/null 2>/tmp/change-bench.err) \
            || case $? in 1|100) ;; *) cat /tmp/change-bench.err >&2; die "$* failed in $dir" ;; esac
        [ "$i" -eq 0 ] && continue
        local sample
        sample=$(tail -n 1 /tmp/change-bench.time | awk '{ print $1, $2, $3 + $4 }')
        if [ -z "$best" ] || awk -v a="${sample%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
            best=$sample
        fi
    done
    echo "$best"
}

fmt() { awk -v s="$1" -v k="$2" -v c="$3" 'BEGIN { printf "%6.3f s %6.1f MB cpu %5.2f s", s, k / 1024, c }'; }

echo "protoguard: $bin ($("$bin" --version))"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs"
echo
echo "One commit changing one file: protoguard breaking --against HEAD~1 --format json (clean work tree)"
echo
printf '| %6s | %-44s | %-31s | %-31s | %-31s |\n' files "changed file" "cold cache" "warm (fastest of $runs)" "warm, --except HISTORY"
printf '|--------|----------------------------------------------|---------------------------------|---------------------------------|---------------------------------|\n'
for n in $sizes; do
    corpus "$n"
    repo=$dir/repo
    rm -rf "$repo/.git/protoguard"
    cold=$(timed "$repo" --count 1 "$bin" breaking --against HEAD~1 --format json)
    rm -rf "$repo/.git/protoguard"
    warm=$(timed "$repo" "$bin" breaking --against HEAD~1 --format json)
    # Without the history rules, which read the ledger (a deleted field asks the debt rules): the
    # load stage, plan and compile alone.
    bare=$(timed "$repo" "$bin" breaking --against HEAD~1 --format json --except HISTORY)
    printf '| %6s | %-44s | %-31s | %-31s | %-31s |\n' "$n" "$(cat "$dir/changed.txt")" \
        "$(fmt $cold)" "$(fmt $warm)" "$(fmt $bare)"
done
echo
echo "(cold cache: .git/protoguard removed before one warm-up and one timed run; the page cache is warm in both)"

if [ "$trace" = 1 ] && command -v strace >/dev/null; then
    echo
    echo "System calls of one warm run (strace -c -f):"
    for n in $sizes; do
        repo=$target/change-corpus-$n/repo
        (cd "$repo" && strace -c -f -o /tmp/change-bench.strace "$bin" breaking --against HEAD~1 --format json >/dev/null 2>&1) || true
        printf '  %6s files: ' "$n"
        awk '$NF ~ /^(stat|lstat|newfstatat|statx|fstat|read|openat|mmap|munmap|brk|madvise)$/ {
                 errors = (NF == 6) ? $5 : 0
                 printf "%s %s%s  ", $NF, $4, (errors ? " (" errors " failed)" : "") }
             $NF == "total" { printf "total %s", $4 }' /tmp/change-bench.strace
        echo
    done
fi

if [ "$profile" = 1 ] && command -v perf >/dev/null; then
    n=${sizes##* }
    repo=$target/change-corpus-$n/repo
    echo
    echo "perf (one run, $n files), top entries by self time:"
    (cd "$repo" && perf record -q -g -o /tmp/change-bench.perf "$bin" breaking --against HEAD~1 --format json >/dev/null 2>&1) || true
    perf report -i /tmp/change-bench.perf --no-children --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -25
fi

if [ "$buf_size" != 0 ]; then
    corpus "$buf_size"
    repo=$dir/repo
    buf=${BUF:-}
    for candidate in /tmp/buf/node_modules/@bufbuild/buf-linux-x64/bin/buf "$target/bench-tools/node_modules/@bufbuild/buf-linux-x64/bin/buf" "$(command -v buf || true)"; do
        [ -z "$buf" ] && [ -n "$candidate" ] && [ -x "$candidate" ] && buf=$candidate
    done
    echo
    echo "Two revisions far apart ($buf_size files, 40 breaking + 40 harmless changes), category FILE:"
    echo
    printf '| %-58s | %-31s | %-18s |\n' case "fastest run" "buf / this"
    printf '|------------------------------------------------------------|---------------------------------|--------------------|\n'
    if [ -n "$buf" ]; then
        b=$(timed "$dir" --count "$buf_runs" "$buf" breaking current --against previous --error-format json)
    fi
    row() {
        local label=$1 r
        shift
        r=$(timed "$@")
        local ratio=-
        [ -n "${b:-}" ] && ratio=$(echo "$b $r" | awk '{ printf "%.1fx, %.1fx mem", $1 / $4, $2 / $5 }')
        printf '| %-58s | %-31s | %-18s |\n' "$label" "$(fmt $r)" "$ratio"
    }
    row "protoguard, directories (change-based)" "$dir" "$bin" breaking current --against previous --format json
    row "protoguard, directories, --full" "$dir" "$bin" breaking current --against previous --format json --full
    row "protoguard, git far-current vs far-previous" "$repo" "$bin" breaking far-current --against far-previous --format json
    row "protoguard, git, --full" "$repo" "$bin" breaking far-current --against far-previous --format json --full
    if [ -n "$buf" ]; then
        printf '| %-58s | %-31s | %-18s |\n' "buf breaking, directories ($("$buf" --version 2>&1))" "$(fmt $b)" 1.0x
    fi
fi
