#!/usr/bin/env bash
# The history ledger's cost (issue 10): a git repository with a long history of a
# googleapis-shaped corpus, the ledger built from scratch, the incremental update after one more
# commit, and the one-commit check that needs it, each against one whole-tree `buf build` of the
# tip in the same run. See bench/README.md ("The history ledger").
#
# usage: bench/history.sh [--files N] [--commits K] [--runs N] [--bin PATH] [--gen PATH]
#                         [--checks-only]
#
#   --files N    files per revision (default 3000)
#   --commits K  commits in the history (default 10). Commit s is gen_corpus's `previous` tree
#                with seed s, so every commit rewrites every file: K x N distinct blobs, the
#                worst case for the walk (30,000 at the defaults)
#   --runs N     timed runs per case after one warm-up (default 3); the fastest is reported
#   --bin PATH   the protoguard binary (default: target/release/protoguard, built)
#   --gen PATH   a gen_corpus binary (default: target/release/examples/gen_corpus, built; it is
#                std-only, so `rustc -O examples/gen_corpus.rs` makes one without dev-dependencies)
#   --checks-only  skip buf build and the from-scratch walk (the two slowest rows): the
#                incremental update and the checks only, for comparing binaries quickly
#
# BUF=/path/to/buf, else /tmp/buf's or target/bench-tools' native buf, else buf on PATH.
# The repository is cached in target/history-corpus-N-K; results go to stdout.
set -euo pipefail

files=3000
commits=10
runs=3
bin=
gen=
checks_only=
while [ $# -gt 0 ]; do
    case "$1" in
        --files) files=$2; shift ;;
        --commits) commits=$2; shift ;;
        --runs) runs=$2; shift ;;
        --bin) bin=$2; shift ;;
        --gen) gen=$2; shift ;;
        --checks-only) checks_only=1 ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "history.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

script=history.sh
case "$files$commits$runs" in *[!0-9]*) echo "history.sh: --files, --commits and --runs take whole numbers" >&2; exit 2 ;; esac
[ "$files" -ge 1 ] && [ "$commits" -ge 1 ] && [ "$runs" -ge 1 ] \
    || { echo "history.sh: --files, --commits and --runs must be at least 1" >&2; exit 2; }
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
[ -x "$gen" ] || die "--gen $gen is not an executable file"

buf=${BUF:-}
for candidate in /tmp/buf/node_modules/@bufbuild/buf-linux-x64/bin/buf "$target/bench-tools/node_modules/@bufbuild/buf-linux-x64/bin/buf" "$(command -v buf || true)"; do
    [ -z "$buf" ] && [ -n "$candidate" ] && [ -x "$candidate" ] && buf=$candidate
done

dir=$target/history-corpus-$files-$commits
repo=$dir/repo
g() { git -C "$repo" -c user.name=bench -c user.email=bench@example.invalid -c commit.gpgsign=false "$@"; }

stamp="$files $commits $(sha256sum "$root/examples/gen_corpus.rs" | cut -c1-16)"
if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
    log "generating $commits corpora of $files files and a $commits-commit history in $dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    git init -q -b main "$repo"
    # No automatic gc while the history is made (one left running fails the final gc) or timed.
    g config gc.auto 0
    for ((s = 1; s <= commits; s++)); do
        "$gen" "$dir/seed" --files "$files" --seed "$s" --mutations 0 >/dev/null 2>&1
        g rm -r -q --ignore-unmatch . >/dev/null
        cp -R "$dir/seed/previous/." "$repo/"
        g add -A
        GIT_COMMITTER_DATE="2025-01-$(printf %02d $((s % 28 + 1)))T12:00:00Z" g commit -q -m "seed $s"
        rm -rf "$dir/seed"
    done
    printf 'version: v2\n' > "$repo/buf.yaml"
    g add buf.yaml && g commit -q -m buf.yaml
    g tag -f bench-base >/dev/null
    g repack -adq
    g gc -q --prune=now
    echo "$stamp" > "$dir/.stamp"
fi
# Every case starts from the generated history (tag bench-base); the cases commit on top of it.
g reset -q --hard bench-base
blobs=$(g rev-list --objects bench-base | awk '$2 ~ /\.proto$/ { print $1 }' | sort -u | wc -l)

# timed CMD...: the fastest of $runs runs (after one warm-up), run in the repository, as
# "seconds KB cpu" (wall, peak RSS, user + system CPU seconds). $before runs before each run.
before=true
timed() {
    local best= i
    for ((i = 0; i <= runs; i++)); do
        eval "$before"
        (cd "$repo" && /usr/bin/time -f '%e %M %U %S' -o /tmp/history-bench.time "$@" >/dev/null 2>/tmp/history-bench.err) \
            || case $? in 1|100) ;; *) cat /tmp/history-bench.err >&2; die "$* failed" ;; esac
        [ "$i" -eq 0 ] && continue
        local sample
        sample=$(tail -n 1 /tmp/history-bench.time | awk '{ print $1, $2, $3 + $4 }')
        if [ -z "$best" ] || awk -v a="${sample%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
            best=$sample
        fi
    done
    echo "$best"
}
fmt() { awk -v s="$1" -v k="$2" -v c="$3" 'BEGIN { printf "%7.3f s %7.1f MB cpu %6.2f s", s, k / 1024, c }'; }

echo "protoguard: $bin ($("$bin" --version))"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs"
echo "history: $commits commits of $files files, $blobs distinct .proto blobs, $(du -sh "$repo/.git" | cut -f1) packed"
echo

b=
if [ -n "$buf" ] && [ -z "$checks_only" ]; then
    b=$(timed "$buf" build -o /dev/null)
fi

cache=$repo/.git/protoguard/ledger
# A new commit on top: one file gains a field (what a pull request's merge adds). The file is
# the first from a third of the way down the list that declares a top-level message (gen_corpus
# files nearly all do; a tiny corpus may have none to offer).
one=$(cd "$repo" && git ls-files '*.proto' | awk -v n="$files" 'NR > n / 3' \
    | while read -r f; do grep -qE '^message [A-Za-z]* \{$' "$f" && { echo "$f"; break; }; done || true)
[ -n "$one" ] || die "no file of the $files-file corpus declares a top-level message to add a field to: use a larger --files"
add_commit() {
    g reset -q --hard bench-base
    sed -i '0,/^message [A-Za-z]* {$/s//&\n  string bench_added_field = 9999;/' "$repo/$one"
    grep -q bench_added_field "$repo/$one" || die "could not add a field to $one"
    g commit -q -am "add a field"
}

printf '| %-62s | %-34s | %-16s |\n' case "fastest of $runs" "this / buf build"
printf '|----------------------------------------------------------------|------------------------------------|------------------|\n'
row() {
    local label=$1 r
    shift
    r=$(timed "$@")
    last=$r
    local ratio=-
    # A tiny corpus can take buf less than the timer's resolution: no ratio then.
    [ -n "$b" ] && ratio=$(echo "$b $r" | awk '$3 > 0 && $1 > 0 { printf "%.2fx cpu, %.2fx wall", $6 / $3, $4 / $1; next } { printf "-" }')
    printf '| %-62s | %-34s | %-16s |\n' "$label" "$(fmt $r)" "$ratio"
}
[ -n "$b" ] && printf '| %-62s | %-34s | %-16s |\n' "buf build, whole tip ($("$buf" --version 2>&1))" "$(fmt $b)" 1.0x

if [ -z "$checks_only" ]; then
    before="g reset -q --hard bench-base"
    row "history --no-cache: ledger from scratch ($commits commits)" "$bin" history --no-cache
fi

# The ledger cached at bench-base, built once by this binary and restored before each run.
saved=$(mktemp)
trap 'rm -f "$saved"' EXIT
g reset -q --hard bench-base
rm -rf "$repo/.git/protoguard"
(cd "$repo" && "$bin" history >/dev/null 2>&1)
cp "$cache" "$saved"
restore="g reset -q --hard bench-base; rm -rf $repo/.git/protoguard; mkdir -p $repo/.git/protoguard; cp $saved $cache"

# Cache at main, then one commit more: the incremental update.
before="$restore; add_commit"
row "history: incremental update over 1 new commit" "$bin" history

# The one-commit check: the working tree adds a field, the ledger is cached at HEAD~1.
before="$restore; add_commit; (cd $repo && $bin breaking --against HEAD --except HISTORY >/dev/null 2>&1); sed -i 's/bench_added_field = 9999;/&\n  string bench_second = 9998;/' $repo/$one"
row "breaking --against HEAD, adds a field, ledger 1 commit behind" "$bin" breaking --against HEAD --format json
behind=$last
row "the same with --except HISTORY (no ledger)" "$bin" breaking --against HEAD --format json --except HISTORY
# The incremental update's cost to the check: the two rows above, same set-up, subtracted.
update=$(echo "$behind $last" | awk '{ printf "%.3f %d %.3f", $1 - $4, $2, $3 - $6 }')
ratio=-
[ -n "$b" ] && ratio=$(echo "$b $update" | awk '$3 > 0 && $1 > 0 { printf "%.3fx cpu, %.3fx wall", $6 / $3, $4 / $1; next } { printf "-" }')
printf '| %-62s | %-34s | %-16s |\n' "incremental update over 1 commit (the two rows above subtracted)" "$(fmt $update)" "$ratio"
# The same check at HEAD, from what the update above left (a delta beside the ledger, or the
# whole ledger rewritten by binaries before the delta file).
eval "$restore"
add_commit
sed -i 's/bench_added_field = 9999;/&\n  string bench_second = 9998;/' "$repo/$one"
(cd "$repo" && "$bin" breaking --against HEAD --format json >/dev/null 2>&1 || true)
before="g checkout -q -- $one; sed -i 's/bench_added_field = 9999;/&\\n  string bench_second = 9998;/' $repo/$one"
row "the same, ledger cached at HEAD by that update (ledger + delta)" "$bin" breaking --against HEAD --format json
# The whole ledger built at HEAD (no delta).
g reset -q --hard bench-base
add_commit
rm -rf "$repo/.git/protoguard"
(cd "$repo" && "$bin" history >/dev/null 2>&1)
before="g checkout -q -- $one; sed -i 's/bench_added_field = 9999;/&\\n  string bench_second = 9998;/' $repo/$one"
row "breaking --against HEAD, adds a field, whole ledger built at HEAD" "$bin" breaking --against HEAD --format json
before="g checkout -q -- $one; sed -i '/^  string bench_added_field = 9999;$/d' $repo/$one"
row "breaking --against HEAD, deletes a field (debt rules: ledger cached at HEAD)" "$bin" breaking --against HEAD --format json
g reset -q --hard bench-base
echo
echo "(wall, peak RSS and user + system CPU of the fastest run; the ratios divide this row's CPU and"
echo " wall time by buf build's. Between runs the repository and the cache are reset as each row says."
echo " The subtracted row subtracts wall and CPU; its peak RSS is the 'behind' row's.)"
