#!/usr/bin/env bash
# Benchmark protoguard (and buf, when available) on a googleapis-sized synthetic corpus.
# See bench/README.md for what is measured and how to read the table.
#
# usage: bench/run.sh [FILES] [--with-buf] [--runs N] [--buf-runs N] [--category CATEGORY]
#        bench/run.sh [FILES] --editions [--runs N] [--category CATEGORY]
#        any of these with [--binary PATH] [--baseline PATH]
#
#   FILES        corpus size (default 3000); the corpus is cached in target/bench-corpus-FILES
#   --with-buf   npm-install @bufbuild/buf into target/bench-tools if no buf is found
#   --runs N     timed runs per protoguard case (default 5), after one untimed warm-up run
#   --buf-runs N timed runs of buf (default 3), after one untimed warm-up run
#   --category C breaking category for both tools (default FILE)
#   --editions   instead of the cases above: the corpus's proto3 files rewritten as edition 2023
#                (bench/to_editions.py), timed against the proto3 tree, runs interleaved (--full)
#   --binary P   time this protoguard binary instead of building release from this checkout
#   --baseline P also time protoguard binary P (e.g. a release build of an older commit) on the
#                same cases, runs interleaved with the measured binary's, and report the ratios
#
# Environment: SEED (default 1) and MUTATIONS (default 40) are passed to gen_corpus;
# BUF=/path/to/buf uses that buf binary; CARGO_TARGET_DIR is honoured.
set -euo pipefail

files=3000
with_buf=0
runs=5
buf_runs=3
category=FILE
editions=0
binary=
baseline=
while [ $# -gt 0 ]; do
    case "$1" in
        --with-buf) with_buf=1 ;;
        --editions) editions=1 ;;
        --runs) runs=$2; shift ;;
        --buf-runs) buf_runs=$2; shift ;;
        --category) category=$2; shift ;;
        --binary) binary=$2; shift ;;
        --baseline) baseline=$2; shift ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        [0-9]*) files=$1 ;;
        *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
seed=${SEED:-1}
mutations=${MUTATIONS:-40}

root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
case "$target" in /*) ;; *) target=$root/$target ;; esac

die() { echo "run.sh: $*" >&2; exit 2; }
log() { echo "== $*" >&2; }

command -v jq >/dev/null || die "jq is required"
if ! /usr/bin/time -f '%M' true 2>/dev/null; then
    log "installing GNU time"
    apt-get install -y time >/dev/null 2>&1 || sudo apt-get install -y time >/dev/null 2>&1 \
        || die "GNU time (/usr/bin/time) is required: apt-get install time"
fi

absolute() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
if [ -n "$binary" ]; then
    [ -x "$binary" ] || die "--binary $binary is not an executable file"
    pg=$(absolute "$binary")
    log "building gen_corpus (release)"
    cargo build --quiet --release --manifest-path "$root/Cargo.toml" --example gen_corpus
else
    log "building protoguard and gen_corpus (release)"
    cargo build --quiet --release --manifest-path "$root/Cargo.toml" --bin protoguard --example gen_corpus
    pg=$target/release/protoguard
fi
if [ -n "$baseline" ]; then
    [ -x "$baseline" ] || die "--baseline $baseline is not an executable file"
    baseline=$(absolute "$baseline")
fi
gen=$target/release/examples/gen_corpus

# ------------------------------------------------------------------------------------------------
# Corpus: generated once per (files, seed, mutations, generator source), then reused.
corpus=$target/bench-corpus-$files
if [ "$seed" != 1 ] || [ "$mutations" != 40 ]; then
    corpus=$corpus-s$seed-m$mutations
fi
stamp="$files $seed $mutations $(sha256sum "$root/examples/gen_corpus.rs" | cut -c1-16)"
if [ "$(cat "$corpus/.stamp" 2>/dev/null)" != "$stamp" ]; then
    log "generating corpus in $corpus"
    rm -rf "$corpus"
    mkdir -p "$corpus"
    "$gen" "$corpus" --files "$files" --seed "$seed" --mutations "$mutations" >&2
    # A repository of its own: directory inputs inside a git-ignored directory (target/ is
    # ignored by the project's .gitignore) are otherwise read as empty by protoguard.
    git init -q "$corpus"
    # The git input: previous committed, then current committed on top; the work tree is current.
    repo=$corpus/repo
    git init -q "$repo"
    [ -d "$repo/.git" ] || die "git init failed in $repo"
    g() {
        git --git-dir="$repo/.git" --work-tree="$repo" -c user.name=bench \
            -c user.email=bench@example.invalid -c commit.gpgsign=false "$@"
    }
    cp -R "$corpus/previous/." "$repo/"
    g add -A && g commit -q -m previous
    g rm -r -q .
    cp -R "$corpus/current/." "$repo/"
    g add -A && g commit -q -m current
    echo "$stamp" > "$corpus/.stamp"
fi
for side in previous current; do
    printf 'version: v2\nbreaking:\n  use:\n    - %s\n' "$category" > "$corpus/$side/buf.yaml"
done

# ------------------------------------------------------------------------------------------------
# buf: $BUF, then buf on PATH, then target/bench-tools; installed there only with --with-buf.
buf=${BUF:-}
tools=$target/bench-tools
native=$tools/node_modules/@bufbuild/buf-linux-x64/bin/buf
if [ -z "$buf" ] && command -v buf >/dev/null; then buf=$(command -v buf); fi
if [ -z "$buf" ] && [ ! -x "$native" ] && [ "$with_buf" = 1 ]; then
    log "installing @bufbuild/buf into $tools"
    mkdir -p "$tools"
    [ -f "$tools/package.json" ] || echo '{"private": true}' > "$tools/package.json"
    (cd "$tools" && npm install --silent --no-fund --no-audit @bufbuild/buf >&2)
fi
# The native binary, not the node wrapper, so node's start-up is not charged to buf.
if [ -z "$buf" ] && [ -x "$native" ]; then buf=$native; fi
if [ -z "$buf" ] && [ -x "$tools/node_modules/.bin/buf" ]; then buf=$tools/node_modules/.bin/buf; fi

# ------------------------------------------------------------------------------------------------
out=$corpus/results
rm -rf "$out"
mkdir -p "$out"

# run_once NAME TIMED OK_CODES DIR CMD...: one run; when TIMED is 1, appends "wall_ms rss_kb" to
# $out/NAME.samples. The run's stdout is kept in $out/NAME.out.
run_once() {
    local name=$1 timed=$2 ok=$3 dir=$4
    shift 4
    local start end code
    start=$(date +%s%N)
    set +e
    (cd "$dir" && /usr/bin/time -f '%M' -o "$out/$name.rss" "$@" > "$out/$name.out" 2> "$out/$name.err")
    code=$?
    set -e
    end=$(date +%s%N)
    case " $ok " in
        *" $code "*) ;;
        *) cat "$out/$name.err" >&2; die "$name exited with $code (expected one of: $ok)" ;;
    esac
    if [ "$timed" = 1 ]; then
        echo "$(((end - start) / 1000000)) $(tail -n 1 "$out/$name.rss")" >> "$out/$name.samples"
    fi
}

# measure NAME RUNS OK_CODES DIR CMD...: one warm-up, then RUNS timed runs. When CMD starts with
# the measured protoguard and a baseline binary is given, the baseline runs the same command too
# (as NAME_base), alternating with the measured binary so that both see the same machine load.
measure() {
    local name=$1 count=$2 ok=$3 dir=$4
    shift 4
    log "$name: $*  (1 warm-up + $count runs, in $dir)"
    : > "$out/$name.samples"
    local with_base=0
    if [ -n "$baseline" ] && [ "$1" = "$pg" ]; then
        with_base=1
        : > "$out/${name}_base.samples"
    fi
    local i
    for ((i = 0; i <= count; i++)); do
        run_once "$name" "$((i > 0))" "$ok" "$dir" "$@"
        if [ "$with_base" = 1 ]; then
            run_once "${name}_base" "$((i > 0))" "$ok" "$dir" "$baseline" "${@:2}"
        fi
    done
}

# pick NAME FIELD(1=wall,2=rss) min|median
pick() {
    local column=$2 which=$3
    sort -n -k"$column","$column" "$out/$1.samples" | awk -v c="$column" -v w="$which" '
        { v[NR] = $c }
        END { if (w == "min") print v[1]; else print (NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)) }'
}

seconds() { awk -v ms="$1" 'BEGIN { printf "%.2f s", ms / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }

# ------------------------------------------------------------------------------------------------
# --editions: the same corpus with its proto3 files written as edition 2023, against the proto3
# tree. The runs alternate (proto3, editions, proto3, …) so that both see the same machine load.
if [ "$editions" = 1 ]; then
    ed=$corpus/editions
    ed_stamp="$stamp $(sha256sum "$root/bench/to_editions.py" | cut -c1-16)"
    if [ "$(cat "$ed/.stamp" 2>/dev/null)" != "$ed_stamp" ]; then
        log "rewriting the proto3 files as edition 2023 in $ed"
        rm -rf "$ed"
        for side in previous current; do
            python3 "$root/bench/to_editions.py" "$corpus/$side" "$ed/$side"
        done
        echo "$ed_stamp" > "$ed/.stamp"
    fi
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    : > "$out/pg_proto3.samples"
    : > "$out/pg_editions.samples"
    log "proto3 and editions trees, --full, interleaved (1 warm-up + $runs runs each)"
    for ((i = 0; i <= runs; i++)); do
        run_once pg_proto3 "$((i > 0))" "0 1" "$corpus" \
            "$pg" breaking current --against previous --category "$category" --format json --full
        run_once pg_editions "$((i > 0))" "0 1" "$ed" \
            "$pg" breaking current --against previous --category "$category" --format json --full
    done
    # Findings without columns (a proto3 `optional` field gains `[features.… = EXPLICIT]` at its
    # end; lines are the same by construction of to_editions.py), without help (reserved
    # statements are written `reserved name;` in editions) and without the sentence that says
    # where a feature was set, which only findings on editions files carry.
    findings() {
        jq -c '.findings[] | del(.revision, .previous.revision, .help)
            | .message |= sub(" Previously features[.].*$"; "")
            | walk(if type == "object" then del(.start_column, .end_column) else . end)' \
            "$out/$1.out" | sort
    }
    echo
    echo "Corpus: $files files, seed $seed, $mutations breaking + $mutations harmless changes; category $category"
    echo "proto3 files rewritten as edition 2023: $(grep -rl '^edition = "2023"' "$ed/current" | wc -l) of $(find "$ed/current" -name '*.proto' | wc -l)"
    echo "protoguard: $("$pg" --version 2>/dev/null); load average $load_before before the runs"
    echo
    printf '| %-28s | %9s | %9s | %8s |\n' tree "wall min" "wall med" findings
    printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..30})" ----------- ----------- ----------
    for name in pg_proto3 pg_editions; do
        printf '| %-28s | %9s | %9s | %8s |\n' "${name#pg_}, --full" \
            "$(seconds "$(pick "$name" 1 min)")" "$(seconds "$(pick "$name" 1 median)")" \
            "$(jq '.summary.errors' "$out/$name.out")"
    done
    echo
    ratio2() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
    echo "editions / proto3: $(ratio2 "$(pick pg_editions 1 min)" "$(pick pg_proto3 1 min)") (fastest runs)," \
        "$(ratio2 "$(pick pg_editions 1 median)" "$(pick pg_proto3 1 median)") (medians)"
    echo "per pair (run i of each): $(paste -d' ' "$out/pg_proto3.samples" "$out/pg_editions.samples" \
        | awk '{ printf "%.2f ", $3 / $1 }')"
    if diff <(findings pg_proto3) <(findings pg_editions) > "$out/editions.diff"; then
        echo "Same findings (rule, file, line, message without the feature origin): yes"
    else
        echo "Same findings (rule, file, line, message without the feature origin): NO — see $out/editions.diff"
    fi
    exit 0
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
measure pg_dir "$runs" "0 1" "$corpus" \
    "$pg" breaking current --against previous --category "$category" --format json
measure pg_dir_full "$runs" "0 1" "$corpus" \
    "$pg" breaking current --against previous --category "$category" --format json --full
measure pg_git "$runs" "0 1" "$corpus/repo" \
    "$pg" breaking --against HEAD~1 --category "$category" --format json
if [ -n "$buf" ]; then
    measure buf "$buf_runs" "0 100" "$corpus" \
        "$buf" breaking current --against previous --error-format json
fi

# ------------------------------------------------------------------------------------------------
pg_findings() { jq '.summary.errors' "$out/$1.out"; }
buf_findings() { grep -c '^{' "$out/buf.out" || true; }
megabytes() { awk -v kb="$1" 'BEGIN { printf "%.0f MB", kb / 1024 }'; }

bytes=$(find "$corpus/previous" -name '*.proto' -printf '%s\n' | awk '{ s += $1 } END { printf "%.1f MB", s / 1e6 }')
echo
echo "Corpus: $files files ($bytes), seed $seed, $mutations breaking + $mutations harmless changes; category $category"
echo "protoguard: $("$pg" --version 2>/dev/null)   buf: $([ -n "$buf" ] && "$buf" --version 2>&1 || echo 'not available')"
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM," \
    "load average $load_before before the runs (other work on the machine skews the times)"
echo "Runs: $runs per protoguard case${buf:+, $buf_runs of buf}, each after one untimed warm-up"
echo
printf '| %-44s | %9s | %9s | %9s | %8s | %12s |\n' case "wall min" "wall med" "peak RSS" findings "buf / this"
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" ----------- ----------- ----------- ---------- --------------
# Ratios use the fastest run of each: the least disturbed by whatever else the machine was doing.
buf_min=
[ -n "$buf" ] && buf_min=$(pick buf 1 min)
row() {
    local name=$1 label=$2 findings=$3 speedup=-
    [ -n "$buf_min" ] && speedup=$(ratio "$buf_min" "$(pick "$name" 1 min)")
    printf '| %-44s | %9s | %9s | %9s | %8s | %12s |\n' "$label" \
        "$(seconds "$(pick "$name" 1 min)")" "$(seconds "$(pick "$name" 1 median)")" \
        "$(megabytes "$(pick "$name" 2 median)")" "$findings" "$speedup"
}
row pg_dir "a. protoguard, directories (default)" "$(pg_findings pg_dir)"
row pg_dir_full "b. protoguard, directories, --full" "$(pg_findings pg_dir_full)"
row pg_git "c. protoguard, git: work tree vs HEAD~1" "$(pg_findings pg_git)"
if [ -n "$baseline" ]; then
    row pg_dir_base "a. baseline, directories (default)" "$(pg_findings pg_dir_base)"
    row pg_dir_full_base "b. baseline, directories, --full" "$(pg_findings pg_dir_full_base)"
    row pg_git_base "c. baseline, git: work tree vs HEAD~1" "$(pg_findings pg_git_base)"
fi
[ -n "$buf" ] && row buf "d. buf breaking, directories" "$(buf_findings)"
echo
echo "buf / this: buf's fastest run divided by this case's fastest run."
echo "--full / default: $(ratio "$(pick pg_dir_full 1 min)" "$(pick pg_dir 1 min)") (fastest runs)"
if [ -n "$baseline" ]; then
    echo "baseline: $baseline ($("$baseline" --version 2>/dev/null))"
    for name in pg_dir pg_dir_full pg_git; do
        echo "  $name: this / baseline = $(awk -v a="$(pick "$name" 1 median)" -v b="$(pick "${name}_base" 1 median)" \
            'BEGIN { printf "%.2f", a / b }') (medians, wall), peak RSS $(megabytes "$(pick "$name" 2 median)")" \
            "vs $(megabytes "$(pick "${name}_base" 2 median)")"
    done
fi
same() { diff -q <(jq -c '.findings[] | del(.revision, .previous.revision)' "$out/$1.out" | sort) \
                 <(jq -c '.findings[] | del(.revision, .previous.revision)' "$out/$2.out" | sort) >/dev/null && echo yes || echo NO; }
echo "Same findings, default vs --full: $(same pg_dir pg_dir_full); directories vs git: $(same pg_dir pg_git)"
echo "Raw samples (wall_ms rss_kb per run) and outputs: $out"
if [ -n "$buf" ]; then
    echo
    python3 "$root/bench/compare.py" --category "$category" "$out/pg_dir.out" "$out/buf.out" "$corpus/mutations.txt" \
        > "$out/compare.txt" || true
    echo "Findings compared with buf (saved in $out/compare.txt):"
    echo
    cat "$out/compare.txt"
fi
