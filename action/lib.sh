# shellcheck shell=bash
# Helpers shared by the action's steps (sourced, never run): workflow commands, step outputs and
# reading the event payload. Every value comes from the environment; nothing here is templated.

# Escapes a workflow command's message the way @actions/core does (command.ts): `%`, CR and LF.
pg_escape() {
  local s=$1
  s=${s//'%'/'%25'}
  s=${s//$'\r'/'%0D'}
  s=${s//$'\n'/'%0A'}
  printf '%s' "$s"
}

pg_notice() { printf '::notice title=protoguard::%s\n' "$(pg_escape "$*")"; }
pg_warning() { printf '::warning title=protoguard::%s\n' "$(pg_escape "$*")"; }
pg_error() { printf '::error title=protoguard::%s\n' "$(pg_escape "$*")"; }

# Stops the step: an error annotation, then exit code 2 (the check could not run).
pg_die() {
  pg_error "$*"
  exit 2
}

# Sets a step output. Values are single-line; a multi-line value would need a heredoc delimiter.
pg_output() {
  local value=${2//$'\n'/ }
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$value" >>"$GITHUB_OUTPUT"
  else
    printf '%s=%s\n' "$1" "$value"
  fi
}

# Prints a value from a JSON file by a dotted path (`.pull_request.base.sha`), or nothing when it
# is missing or null. jq is on every GitHub-hosted runner; python3 covers self-hosted ones.
pg_json() {
  local file=$1 path=$2
  [ -n "$file" ] && [ -f "$file" ] || return 0
  if command -v jq >/dev/null 2>&1; then
    jq -r "($path) // empty | tostring" "$file"
  elif command -v python3 >/dev/null 2>&1; then
    python3 - "$file" "$path" <<'PY'
import json, sys
value = json.load(open(sys.argv[1], encoding="utf-8"))
for key in sys.argv[2].strip(".").split("."):
    value = value.get(key) if isinstance(value, dict) else None
if isinstance(value, bool):
    print("true" if value else "false")
elif value is not None:
    print(value)
PY
  else
    # Called inside $(…): the annotation goes to stderr, which the runner reads for commands too.
    pg_error "reading the event payload needs jq or python3 on the runner" >&2
    return 2
  fi
}

# Appends the runs of SARIF file $2 to those of SARIF file $1 (both written by protoguard, one
# run each, with different automationDetails ids), so that one upload carries both checks.
pg_sarif_append() {
  local into=$1 from=$2 merged
  merged=$(mktemp "$into.XXXXXX")
  if command -v jq >/dev/null 2>&1; then
    jq -s '.[0] + {runs: (.[0].runs + .[1].runs)}' "$into" "$from" >"$merged"
  elif command -v python3 >/dev/null 2>&1; then
    python3 - "$into" "$from" >"$merged" <<'PY'
import json, sys
into = json.load(open(sys.argv[1], encoding="utf-8"))
into["runs"] += json.load(open(sys.argv[2], encoding="utf-8"))["runs"]
json.dump(into, sys.stdout, indent=2)
PY
  else
    rm -f "$merged"
    pg_error "merging the lint SARIF run needs jq or python3 on the runner"
    return 2
  fi
  mv "$merged" "$into"
}

# Returns success if the argument is a full commit SHA (SHA-1 or SHA-256).
pg_is_sha() {
  [[ $1 =~ ^[0-9a-fA-F]{40}$ || $1 =~ ^[0-9a-fA-F]{64}$ ]]
}

# Returns success if the argument is an all-zero SHA (a push that created or deleted a branch).
pg_is_zero_sha() {
  [[ $1 =~ ^0+$ ]]
}
