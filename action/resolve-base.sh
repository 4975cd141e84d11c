#!/usr/bin/env bash
# Step "Find the base revision": decides what the check compares against, from the `against` input
# or else from the event (pull_request / pull_request_target: the merge base of HEAD and the PR's
# base commit; push: the previous commit; merge_group: the queue's base commit), and makes sure that
# commit is in the checkout. actions/checkout fetches one commit by default, so a missing base is
# fetched from origin, and the history deepened step by step until the merge base appears.
#
# Environment: INPUT_AGAINST, INPUT_MERGE_BASE (auto|true|false), INPUT_HISTORY_DEPTH, INPUT_WORKING_DIRECTORY,
# GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_BASE_REF, GITHUB_REF_NAME, GITHUB_OUTPUT.
# Outputs: against (what to pass to --against), description (for people), skip (`true` when there
# is nothing to compare, e.g. the first push of a repository).
set -euo pipefail
# shellcheck source=action/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# History fetched at most, in commits from each side, before giving up on a shallow clone; the last
# attempt fetches the whole history.
DEPTHS=(50 500 5000)

cd "${INPUT_WORKING_DIRECTORY:-.}" || pg_die "working-directory '${INPUT_WORKING_DIRECTORY:-}' does not exist"

against=${INPUT_AGAINST:-}
merge_base=${INPUT_MERGE_BASE:-auto}
event=${GITHUB_EVENT_NAME:-}
payload=${GITHUB_EVENT_PATH:-}

case $merge_base in
  auto | true | false) ;;
  *) pg_die "merge-base must be auto, true or false, not '$merge_base'" ;;
esac

skip() {
  pg_notice "$1"
  pg_output against ''
  pg_output description ''
  pg_output skip true
  exit 0
}

# An explicit directory or descriptor set needs no git at all.
if [ -n "$against" ] && [ -e "$against" ] && [ "$merge_base" != true ]; then
  pg_output against "$against"
  pg_output description "$against"
  pg_output skip false
  exit 0
fi

git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
  pg_die "$(pwd) is not inside a git checkout: run actions/checkout before protoguard"

is_shallow() { [ "$(git rev-parse --is-shallow-repository)" = true ]; }
has_commit() { git cat-file -e "$1^{commit}" 2>/dev/null; }

# Fetches a commit (or ref) that the checkout lacks, at depth 1. Prints nothing; fails quietly.
fetch_one() {
  git fetch --no-tags --quiet --depth=1 origin "$1" >/dev/null 2>&1
}

# Base selection. `mode` is `merge-base` (compare with the merge base of HEAD and base) or `direct`.
description=''
if [ -n "$against" ]; then
  base=$against
  mode=direct
  [ "$merge_base" = true ] && mode=merge-base
  description=$against
else
  case $event in
    pull_request | pull_request_target)
      base=$(pg_json "$payload" .pull_request.base.sha)
      base_ref=$(pg_json "$payload" .pull_request.base.ref)
      base_ref=${base_ref:-${GITHUB_BASE_REF:-}}
      if [ -z "$base" ]; then
        [ -n "$base_ref" ] || pg_die "the $event payload has no pull_request.base.sha; set the against input"
        base=origin/$base_ref
      fi
      mode=merge-base
      [ "$merge_base" = false ] && mode=direct
      description="${base_ref:-base} (${base:0:12})"
      ;;
    push)
      [ "$(pg_json "$payload" .deleted)" = true ] && skip "the push deleted ${GITHUB_REF_NAME:-a ref}: nothing to check"
      before=$(pg_json "$payload" .before)
      default_branch=$(pg_json "$payload" .repository.default_branch)
      ref=$(pg_json "$payload" .ref)
      ref=${ref#refs/heads/}
      ref=${ref:-${GITHUB_REF_NAME:-}}
      if [ -z "$before" ] || pg_is_zero_sha "$before"; then
        # A new branch: compare with where it left the default branch.
        if [ -z "$default_branch" ] || [ "$ref" = "$default_branch" ]; then
          skip "the push created ${ref:-the branch} and there is no earlier revision to compare with"
        fi
        if ! git rev-parse --verify --quiet "refs/remotes/origin/$default_branch^{commit}" >/dev/null; then
          pg_notice "fetching the default branch $default_branch to compare the new branch $ref with"
          git fetch --no-tags --quiet --depth=1 origin \
            "+refs/heads/$default_branch:refs/remotes/origin/$default_branch" ||
            pg_die "cannot fetch the default branch $default_branch from origin"
        fi
        base=$(git rev-parse "refs/remotes/origin/$default_branch")
        mode=merge-base
        [ "$merge_base" = false ] && mode=direct
        description="$default_branch (${base:0:12}), where the new branch $ref started"
      else
        base=$before
        mode=direct
        [ "$merge_base" = true ] && mode=merge-base
        description="the previous commit of $ref (${base:0:12})"
      fi
      ;;
    merge_group)
      base=$(pg_json "$payload" .merge_group.base_sha)
      [ -n "$base" ] || pg_die "the merge_group payload has no merge_group.base_sha; set the against input"
      # The queue's commit descends from base_sha, so base_sha is the merge base already.
      mode=direct
      [ "$merge_base" = true ] && mode=merge-base
      base_ref=$(pg_json "$payload" .merge_group.base_ref)
      description="${base_ref#refs/heads/} (${base:0:12})"
      ;;
    '')
      pg_die "GITHUB_EVENT_NAME is not set: set the against input to say what to compare with"
      ;;
    *)
      pg_die "a $event event has no base revision: set the against input (a branch, tag or SHA)"
      ;;
  esac
fi

# Make sure the base commit is here. A SHA, a branch or a tag that the shallow checkout lacks is
# fetched from origin at depth 1.
if ! has_commit "$base"; then
  if is_shallow; then
    pg_notice "the checkout is shallow and lacks $base; fetching it from origin (depth 1)"
  else
    pg_notice "the checkout lacks $base; fetching it from origin"
  fi
  fetched=false
  if fetch_one "$base"; then
    fetched=true
  elif [[ $base == origin/* ]] && fetch_one "+refs/heads/${base#origin/}:refs/remotes/$base"; then
    fetched=true
  fi
  if [ "$fetched" = true ] && ! pg_is_sha "$base" && [[ $base != origin/* ]]; then
    # A branch or tag name fetched into FETCH_HEAD: compare with the commit it named.
    base=$(git rev-parse FETCH_HEAD)
  fi
  has_commit "$base" ||
    pg_die "cannot find $base in the checkout or fetch it from origin (a private repository checked out with persist-credentials: false cannot fetch: check out with fetch-depth: 0)"
fi
base_sha=$(git rev-parse --verify "$base^{commit}")

if [ "$mode" = merge-base ]; then
  head_sha=$(git rev-parse --verify HEAD)
  attempt=0
  until found=$(git merge-base HEAD "$base_sha" 2>/dev/null); do
    is_shallow || pg_die "HEAD and $base have no common ancestor"
    if [ "$attempt" -lt "${#DEPTHS[@]}" ]; then
      depth=${DEPTHS[$attempt]}
      pg_notice "the checkout is shallow: fetching up to $depth commits of history to find the merge base of HEAD and $base"
      git fetch --no-tags --quiet --depth="$depth" origin "$base_sha" "$head_sha" ||
        pg_die "cannot fetch history from origin to find the merge base"
    elif [ "$attempt" -eq "${#DEPTHS[@]}" ]; then
      pg_notice "the merge base is more than ${DEPTHS[-1]} commits back: fetching the whole history"
      git fetch --no-tags --quiet --unshallow origin "$base_sha" "$head_sha" ||
        pg_die "cannot fetch history from origin to find the merge base"
    else
      pg_die "HEAD and $base have no common ancestor, even with the whole history"
    fi
    attempt=$((attempt + 1))
  done
  if [ "$found" != "$base_sha" ]; then
    description="$description, merge base ${found:0:12}"
  fi
  base_sha=$found
fi

# The history rules (FIELD_NUMBER_NO_REUSE, ENUM_VALUE_NUMBER_NO_REUSE) read the base's
# first-parent history; a shallow checkout holds little of it. Deepen it to `history-depth`
# commits (0: the whole history; `none`: leave it as it is and let the ledger say how far it goes).
history_depth=${INPUT_HISTORY_DEPTH:-1000}
case $history_depth in
  none) ;;
  '' | *[!0-9]*) pg_die "history-depth must be a number of commits, 0 (all) or none, not '$history_depth'" ;;
  *)
    if is_shallow; then
      have=$(git rev-list --first-parent --count "$base_sha" 2>/dev/null || echo 0)
      if [ "$history_depth" = 0 ]; then
        pg_notice "protoguard: fetching the whole history for the history rules (history-depth: 0)"
        git fetch --no-tags --quiet --unshallow origin >/dev/null 2>&1 ||
          pg_notice "protoguard: could not fetch the whole history; the history rules see $have commits"
      elif [ "$have" -lt "$history_depth" ]; then
        pg_notice "protoguard: deepening the history by $((history_depth - have)) commits for the history rules (history-depth: $history_depth)"
        git fetch --no-tags --quiet --deepen="$((history_depth - have))" origin >/dev/null 2>&1 ||
          pg_notice "protoguard: could not deepen the history; the history rules see $have commits"
      fi
    fi
    ;;
esac

echo "protoguard compares against $description"
pg_output against "$base_sha"
pg_output description "$description"
pg_output skip false
