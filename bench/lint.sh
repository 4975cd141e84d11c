#!/usr/bin/env bash
# The cost of a lint of a whole revision (issue 9): protoguard lint and buf lint on the same
# googleapis-shaped trees of N files, buf's STANDARD rules without PROTOVALIDATE (which needs
# protovalidate's files) on both sides, each tool's runs one after another after a warm-up (or
# interleaved, on a loaded machine, so that both tools see the same load).
# Reports the median wall time, CPU (user+sys) and peak RSS of each, the ratios buf / protoguard,
# and whether both report the same number of findings. See bench/README.md.
#
# usage: bench/lint.sh [--sizes "1000 3000"] [--runs N] [--bin PATH] [--baseline PATH]
#                      [--buf PATH] [--gen PATH] [--interleave]
#
#   --sizes          corpus sizes (default "1000"); each is generated once into
#                    target/lint-corpus-N (the generator's `previous` tree)
#   --runs N         timed runs per tool and size, after one warm-up each (default 3)
#   --bin PATH       the protoguard binary to measure (default: target/release/protoguard, built)
#   --baseline PATH  also time this protoguard binary (an older build), interleaved
#   --buf PATH       the buf binary (default: $BUF, then `buf` on PATH; none: protoguard only)
#   --gen PATH       a gen_corpus binary (default: target/release/examples/gen_corpus, built)
#   --interleave     alternate the tools run by run (order rotating) instead of timing each
#                    tool's runs together; for a loaded machine, where the load changes over time
#
# Why blocks by default: on a VM that hands freed memory back to its host (virtio-balloon free
# page reporting, as on the machines this was measured on), a process started right after one
# that freed gigabytes (buf) faults its pages in from the host: 3,000 files, the same binary,
# 0.07-0.28 s of system time in a block of its own runs, 0.43-1.19 s right after buf's.
set -euo pipefail

sizes="1000"
runs=3
bin=
baseline=
buf=${BUF:-$(command -v buf || true)}
gen=
interleave=0
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) sizes=$2; shift ;;
        --runs) runs=$2; shift ;;
        --bin) bin=$2; shift ;;
        --baseline) baseline=$2; shift ;;
        --buf) buf=$2; shift ;;
        --gen) gen=$2; shift ;;
        --interleave) interleave=1 ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        *) echo "lint.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
case "$runs" in ''|*[!0-9]*|0) echo "lint.sh: --runs must be a whole number of at least 1" >&2; exit 2 ;; esac

script=lint.sh
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
[ -z "$baseline" ] || [ -x "$baseline" ] || die "--baseline $baseline is not an executable"
[ -z "$buf" ] || [ -x "$buf" ] || die "--buf $buf is not an executable"

# One timed run: prints "wall cpu rss_kb findings" for the command's JSON output (findings counted
# by the caller-given jq filter).
timed() {
    local filter=$1; shift
    local out times
    out=$(mktemp) times=$(mktemp)
    /usr/bin/time -f '%e %U %S %M' -o "$times" "$@" >"$out" 2>/dev/null || true
    local count
    count=$(jq -s "$filter" "$out" 2>/dev/null || echo "?")
    # A failing command (lint findings: exit 1) puts "Command exited …" before the numbers.
    tail -n 1 "$times" | awk -v n="$count" '{ printf "%s %.2f %s %s\n", $1, $2 + $3, $4, n }'
    rm -f "$out" "$times"
}

# median FILE COLUMN: the median of a column of numbers.
median() { sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'; }

pg_filter='.[0].findings | length'
buf_filter='length'

printf '%-8s %-12s %9s %9s %10s %9s\n' files tool wall_s cpu_s rss_MB findings
for n in $sizes; do
    dir=$target/lint-corpus-$n
    if [ ! -f "$dir/previous/buf.yaml" ]; then
        log "generating a $n-file corpus in $dir"
        rm -rf "$dir"
        "$gen" "$dir" --files "$n" --seed 1 --mutations 0 >&2
        printf 'version: v2\nlint:\n  use: [STANDARD]\n  except: [PROTOVALIDATE]\n' >"$dir/previous/buf.yaml"
    fi
    tree=$dir/previous
    results=$(mktemp -d)
    tools="protoguard"
    [ -z "$baseline" ] || tools="$tools baseline"
    [ -z "$buf" ] || tools="$tools buf"
    for tool in $tools; do : >"$results/$tool"; done
    # One timed run of TOOL, appended to its results unless it is a warm-up (RUN 0).
    one() {
        local tool=$1 run=$2 line
        case "$tool" in
            protoguard) line=$(cd "$tree" && timed "$pg_filter" "$bin" lint . --format json) ;;
            baseline) line=$(cd "$tree" && timed "$pg_filter" "$baseline" lint . --format json) ;;
            buf) line=$(cd "$tree" && timed "$buf_filter" "$buf" lint --error-format json) ;;
        esac
        [ "$run" -eq 0 ] || echo "$line" >>"$results/$tool"
    }
    read -ra order <<<"$tools"
    if [ "$interleave" = 1 ]; then
        # The order rotates from run to run, so that no tool always follows buf's (see above).
        for run in $(seq 0 "$runs"); do
            for ((i = 0; i < ${#order[@]}; i++)); do
                one "${order[(i + run) % ${#order[@]}]}" "$run"
            done
        done
    else
        for tool in "${order[@]}"; do
            for run in $(seq 0 "$runs"); do one "$tool" "$run"; done
        done
    fi
    for tool in $tools; do
        f=$results/$tool
        printf '%-8s %-12s %9s %9s %10.0f %9s\n' "$n" "$tool" "$(median "$f" 1)" "$(median "$f" 2)" \
            "$(echo "$(median "$f" 3) / 1024" | bc -l)" "$(awk '{ print $4 }' "$f" | sort -u | paste -sd/)"
    done
    ratio() { # ratio OTHER COLUMN: OTHER's median over protoguard's
        local a b
        a=$(median "$results/$1" "$2") b=$(median "$results/protoguard" "$2")
        awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.1f", a / b; else printf "n/a" }'
    }
    for other in buf baseline; do
        [ -s "$results/$other" ] || continue
        echo "$n files: $other / protoguard: wall $(ratio "$other" 1)x, CPU $(ratio "$other" 2)x, peak RSS $(ratio "$other" 3)x"
    done
    rm -rf "$results"
done
