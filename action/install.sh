#!/usr/bin/env bash
# Step "Install protoguard": provides the executable and sets the output `path`.
#
# - The `binary` input, when set, is used as it is (self-hosted runners, tests, a binary built
#   earlier in the job).
# - Otherwise the release archive built by the release workflow (cargo-dist) for the runner's
#   OS/arch, `protoguard-<target>.tar.gz` (`.zip` on Windows), is downloaded from the GitHub
#   release `v<version>` and checked against the `.sha256` file published beside it. A missing or
#   wrong checksum stops the step: an unverified binary never runs.
# - Only when no binary is built for the runner's OS/arch does it fall back to
#   `cargo install --locked` from the release's tag.
#
# The result is kept in the runner's tool cache and added to PATH for later steps.
#
# Environment: INPUT_VERSION, INPUT_BINARY, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, RUNNER_TOOL_CACHE,
# GITHUB_ACTION_PATH, GITHUB_ACTION_REPOSITORY, GITHUB_REPOSITORY, GITHUB_WORKSPACE,
# GITHUB_SERVER_URL, GITHUB_OUTPUT, GITHUB_PATH; PROTOGUARD_REPOSITORY (owner/name of the releases)
# and PROTOGUARD_DOWNLOAD_URL (a mirror of the release's files) override where releases come from.
set -euo pipefail
# shellcheck source=action/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

version=${INPUT_VERSION:-}
version=${version#v}

finish() {
  local path=$1
  echo "Using $("$path" --version 2>/dev/null) at $path"
  pg_output path "$path"
  if [ -n "${GITHUB_PATH:-}" ]; then
    dirname "$path" >>"$GITHUB_PATH"
  fi
  exit 0
}

# Checks that an executable reports the wanted version.
check_version() {
  local reported
  reported=$("$1" --version 2>/dev/null) || return 1
  [ "$reported" = "protoguard $version" ]
}

if [ -n "${INPUT_BINARY:-}" ]; then
  binary=$INPUT_BINARY
  if [[ $binary != */* && $binary != *\\* ]]; then
    binary=$(command -v "$binary") || pg_die "binary '$INPUT_BINARY' is not on PATH"
  fi
  [ -f "$binary" ] || pg_die "binary '$INPUT_BINARY' does not exist"
  [[ $binary == /* || $binary =~ ^[A-Za-z]:[\\/] ]] || binary=$PWD/$binary
  finish "$binary"
fi

[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]*)?$ ]] ||
  pg_die "version must be a release version like 1.2.3, not '${INPUT_VERSION:-}'"

# The Rust targets the release workflow builds (dist-workspace.toml), by runner OS and arch.
exe=protoguard
archive_ext=.tar.gz
target=''
case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc exe=protoguard.exe archive_ext=.zip ;;
esac

# Where the action comes from names the repository whose releases it installs. In a composite
# action github.action_repository is often empty, so the path the runner checked the action out
# to (…/_actions/OWNER/NAME/REF) is the fallback; `uses: ./` means this very repository.
repository() {
  local repository=${PROTOGUARD_REPOSITORY:-${GITHUB_ACTION_REPOSITORY:-}} action_path
  if [ -z "$repository" ]; then
    action_path=${GITHUB_ACTION_PATH:-}
    action_path=${action_path//\\//}
    if [[ $action_path =~ /_actions/([^/]+)/([^/]+)/[^/]+/?$ ]]; then
      repository=${BASH_REMATCH[1]}/${BASH_REMATCH[2]}
    elif [ -n "${GITHUB_WORKSPACE:-}" ] && [ "$action_path" = "${GITHUB_WORKSPACE//\\//}" ]; then
      repository=${GITHUB_REPOSITORY:-}
    fi
  fi
  [ -n "$repository" ] || return 1
  printf '%s\n' "$repository"
}
server=${GITHUB_SERVER_URL:-https://github.com}

cache_root=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}}
dest=$cache_root/protoguard/$version/${target:-cargo-${RUNNER_OS:-unknown}-${RUNNER_ARCH:-unknown}}
if [ -f "$dest/$exe" ] && check_version "$dest/$exe"; then
  echo "protoguard $version is in the tool cache: $dest"
  finish "$dest/$exe"
fi

if [ -z "$target" ]; then
  pg_notice "no protoguard binary is built for ${RUNNER_OS:-this OS}/${RUNNER_ARCH:-this arch}: building $version from source with cargo install --locked"
  command -v cargo >/dev/null 2>&1 ||
    pg_die "no protoguard binary for ${RUNNER_OS:-this OS}/${RUNNER_ARCH:-this arch}, and cargo is not installed to build one"
  repository=$(repository) || pg_die "cannot tell which repository to build protoguard from; set the binary input or PROTOGUARD_REPOSITORY"
  cargo install --locked --git "$server/$repository" --tag "v$version" --root "$dest.build" protoguard ||
    pg_die "cargo install of protoguard $version failed"
  mkdir -p "$dest"
  cp "$dest.build/bin/$exe" "$dest/$exe"
  finish "$dest/$exe"
fi

archive=protoguard-$target$archive_ext
if [ -n "${PROTOGUARD_DOWNLOAD_URL:-}" ]; then
  base_url=${PROTOGUARD_DOWNLOAD_URL%/}
else
  repository=$(repository) || pg_die "cannot tell which repository's releases to install; set the binary input or PROTOGUARD_REPOSITORY"
  base_url=$server/$repository/releases/download/v$version
fi
work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/protoguard-install.XXXXXX")
trap 'rm -rf "$work"' EXIT

download() {
  curl --fail --silent --show-error --location --retry 3 --proto '=https,file' --proto-redir '=https' \
    --output "$2" "$1"
}

echo "Downloading $base_url/$archive"
download "$base_url/$archive" "$work/$archive" ||
  pg_die "cannot download $archive for protoguard $version from $base_url"
download "$base_url/$archive.sha256" "$work/$archive.sha256" ||
  pg_die "cannot download $archive.sha256: refusing to install an unverified binary"

expected=$(awk '{ print tolower($1); exit }' "$work/$archive.sha256")
if command -v sha256sum >/dev/null 2>&1; then
  actual=$(sha256sum "$work/$archive" | awk '{ print tolower($1) }')
else
  actual=$(shasum -a 256 "$work/$archive" | awk '{ print tolower($1) }')
fi
[[ $expected =~ ^[0-9a-f]{64}$ ]] || pg_die "$archive.sha256 does not hold a SHA-256 checksum"
[ "$actual" = "$expected" ] ||
  pg_die "checksum mismatch for $archive: expected $expected, got $actual; refusing to install it"
echo "sha256 verified: $actual"

mkdir -p "$work/unpacked"
case $archive_ext in
  .tar.gz) tar -xzf "$work/$archive" -C "$work/unpacked" ;;
  .zip)
    if command -v unzip >/dev/null 2>&1; then
      unzip -q "$work/$archive" -d "$work/unpacked"
    else
      7z x -y "-o$work/unpacked" "$work/$archive" >/dev/null
    fi
    ;;
esac
found=$(find "$work/unpacked" -type f -name "$exe" | head -n 1)
[ -n "$found" ] || pg_die "$archive does not contain $exe"
mkdir -p "$dest"
cp "$found" "$dest/$exe"
chmod +x "$dest/$exe"
check_version "$dest/$exe" || pg_die "the installed binary does not report version $version"
finish "$dest/$exe"
