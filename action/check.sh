#!/usr/bin/env bash
# Step "Check for breaking changes": one protoguard run that prints the chosen format to the log
# (annotations by default) and, in the same run, writes JSON (for the counts), the Markdown step
# summary and the optional SARIF file. Sets the outputs findings, errors and sarif-file, and fails
# the step according to fail-on.
#
# Environment: PROTOGUARD (the executable), BASE_REVISION, BASE_DESCRIPTION, BASE_SKIP (from the
# previous steps), INPUT_ROOT, INPUT_WORKING_DIRECTORY, INPUT_FORMAT, INPUT_SARIF, INPUT_SUMMARY,
# INPUT_FAIL_ON, INPUT_LINT, RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY.
#
# With INPUT_LINT=true a second run, `protoguard lint --against` the same base, reports the lint
# findings the change introduces in the same way (log, summary, SARIF: a second run in the same
# file); its counts join the outputs.
set -euo pipefail
# shellcheck source=action/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fail_on=${INPUT_FAIL_ON:-error}
case $fail_on in
  error | warning | never) ;;
  *) pg_die "fail-on must be error, warning or never, not '$fail_on'" ;;
esac
case ${INPUT_SUMMARY:-true} in
  true | false) ;;
  *) pg_die "summary must be true or false, not '${INPUT_SUMMARY:-}'" ;;
esac
case ${INPUT_LINT:-false} in
  true | false) ;;
  *) pg_die "lint must be true or false, not '${INPUT_LINT:-}'" ;;
esac

is_absolute() { [[ $1 == /* || $1 =~ ^[A-Za-z]:[\\/] ]]; }

# The SARIF path is relative to where the action runs (the workspace), not to working-directory.
sarif=''
if [ -n "${INPUT_SARIF:-}" ]; then
  if is_absolute "$INPUT_SARIF"; then sarif=$INPUT_SARIF; else sarif=$PWD/$INPUT_SARIF; fi
fi

append_summary() {
  if [ "${INPUT_SUMMARY:-true}" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    cat >>"$GITHUB_STEP_SUMMARY"
  else
    cat >/dev/null
  fi
}

if [ "${BASE_SKIP:-false}" = true ]; then
  pg_output findings 0
  pg_output errors 0
  pg_output lint-findings 0
  pg_output lint-errors 0
  pg_output sarif-file ''
  echo "### protoguard: nothing to compare with" | append_summary
  exit 0
fi

[ -n "${PROTOGUARD:-}" ] || pg_die "the install step did not provide a protoguard executable"
[ -n "${BASE_REVISION:-}" ] || pg_die "the base revision step did not provide a revision"

cd "${INPUT_WORKING_DIRECTORY:-.}" || pg_die "working-directory '${INPUT_WORKING_DIRECTORY:-}' does not exist"

tmp=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/protoguard.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
json=$tmp/findings.json
summary=$tmp/summary.md

args=(breaking --against "$BASE_REVISION" --format "${INPUT_FORMAT:-github}" --output "json=$json")
if [ -n "${INPUT_ROOT:-}" ]; then
  args+=(--root "$INPUT_ROOT")
fi
# protoguard names files relative to the repository's top, as annotations and SARIF need them.
if [ -n "$sarif" ]; then
  mkdir -p "$(dirname "$sarif")"
  args+=(--output "sarif=$sarif")
fi
if [ "${INPUT_SUMMARY:-true}" = true ]; then
  args+=(--summary "$summary")
fi

echo "protoguard ${args[*]}"
set +e
"$PROTOGUARD" "${args[@]}"
code=$?
set -e

if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
  pg_error "protoguard could not run the check (exit code $code); its error is in the log above"
  exit "$code"
fi
[ -f "$json" ] || pg_die "protoguard exited with $code but wrote no JSON report"

errors=$(pg_json "$json" .summary.errors)
warnings=$(pg_json "$json" .summary.warnings)
errors=${errors:-0}
findings=$((errors + ${warnings:-0}))

if [ -f "$summary" ]; then
  append_summary <"$summary"
fi

lint_findings=0
lint_errors=0
if [ "${INPUT_LINT:-false}" = true ]; then
  lint_json=$tmp/lint.json
  lint_summary=$tmp/lint.md
  lint_args=(lint --against "$BASE_REVISION" --format "${INPUT_FORMAT:-github}" --output "json=$lint_json")
  if [ -n "${INPUT_ROOT:-}" ]; then
    lint_args+=(--root "$INPUT_ROOT")
  fi
  if [ "${INPUT_SUMMARY:-true}" = true ]; then
    lint_args+=(--summary "$lint_summary")
  fi
  lint_sarif=$tmp/lint.sarif
  if [ -n "$sarif" ]; then
    lint_args+=(--output "sarif=$lint_sarif")
  fi
  echo "protoguard ${lint_args[*]}"
  set +e
  "$PROTOGUARD" "${lint_args[@]}"
  code=$?
  set -e
  if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
    pg_error "protoguard could not run the lint (exit code $code); its error is in the log above"
    exit "$code"
  fi
  [ -f "$lint_json" ] || pg_die "protoguard lint exited with $code but wrote no JSON report"
  lint_errors=$(pg_json "$lint_json" .summary.errors)
  lint_warnings=$(pg_json "$lint_json" .summary.warnings)
  lint_errors=${lint_errors:-0}
  lint_findings=$((lint_errors + ${lint_warnings:-0}))
  if [ -f "$lint_summary" ]; then
    append_summary <"$lint_summary"
  fi
  if [ -n "$sarif" ]; then
    [ -f "$lint_sarif" ] || pg_die "protoguard lint exited with $code but wrote no SARIF file"
    pg_sarif_append "$sarif" "$lint_sarif" || exit 2
  fi
  errors=$((errors + lint_errors))
  findings=$((findings + lint_findings))
fi

pg_output findings "$findings"
pg_output errors "$errors"
pg_output lint-findings "$lint_findings"
pg_output lint-errors "$lint_errors"
pg_output sarif-file "$sarif"

echo "protoguard: $findings finding(s), $errors at error severity ($lint_findings from lint), against ${BASE_DESCRIPTION:-$BASE_REVISION}"
case $fail_on in
  error) [ "$errors" -eq 0 ] || exit 1 ;;
  warning) [ "$findings" -eq 0 ] || exit 1 ;;
  never) ;;
esac
