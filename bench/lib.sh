# Set-up shared by the bench scripts; sourced after argument parsing, with `script` naming the
# caller (for messages), `bin` the protoguard binary to time (empty: build release) and `gen` a
# gen_corpus binary (empty: target/release/examples/gen_corpus, built when missing).
# Defines root, target, die and log, and leaves bin and gen pointing at executables.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
case "$target" in /*) ;; *) target=$root/$target ;; esac
die() { echo "$script: $*" >&2; exit 2; }
log() { echo "== $*" >&2; }

/usr/bin/time -f '%M' true 2>/dev/null || die "GNU time (/usr/bin/time) is required: apt-get install time"
if [ -z "$bin" ]; then
    log "building protoguard and gen_corpus (release)"
    cargo build --quiet --release --manifest-path "$root/Cargo.toml" --bin protoguard --example gen_corpus
    bin=$target/release/protoguard
fi
if [ -z "${gen:-}" ]; then
    gen=$target/release/examples/gen_corpus
    [ -x "$gen" ] || cargo build --quiet --release --manifest-path "$root/Cargo.toml" --example gen_corpus
fi
