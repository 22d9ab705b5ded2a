#!/usr/bin/env bash
# One retraining: warm-start from the store's current model (when there is one), train a candidate,
# then gate and publish it. See docs/retraining.md.
#
#   scripts/retrain.sh --config C --store S --name N --validation D [--version V] [--metric accuracy]
#                      [--tolerance 0.005] [--keep 5] [--work DIR] [-- extra train flags, e.g. --set k=v]
#
# Exit codes (distinct): 0 promoted (or already published: a re-run with the same --version),
#   10 trained fine but rejected by the gate (current unchanged), 2 config/usage, 3 data/input,
#   4 training or store failure.
# Idempotent per --version: if versions/V is already in the store nothing is retrained or re-published;
# an interrupted run resumes from its checkpoints; a finished-but-unpublished candidate is re-used.
# The CLI: $DESCENT (default scripts/run.sh); on a cluster e.g.
#   DESCENT="spark-submit --class org.descent.job.Main job/target/descent-job-0.1.0-SNAPSHOT-shaded.jar"
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
read -r -a DESCENT <<< "${DESCENT:-$here/run.sh}"

usage() { sed -n '2,10p' "$0" >&2; exit 2; }
CONFIG= STORE= NAME= VALIDATION= VERSION= METRIC=accuracy TOLERANCE=0.0 KEEP=5 WORK=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --config) CONFIG=$2; shift 2 ;;
    --store) STORE=$2; shift 2 ;;
    --name) NAME=$2; shift 2 ;;
    --validation) VALIDATION=$2; shift 2 ;;
    --version) VERSION=$2; shift 2 ;;
    --metric) METRIC=$2; shift 2 ;;
    --tolerance) TOLERANCE=$2; shift 2 ;;
    --keep) KEEP=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --) shift; break ;;
    -h|--help) usage ;;
    *) echo "retrain.sh: unknown option $1" >&2; usage ;;
  esac
done
[[ -n "$CONFIG" && -n "$STORE" && -n "$NAME" && -n "$VALIDATION" ]] || { echo "retrain.sh: --config, --store, --name and --validation are required" >&2; usage; }
VERSION=${VERSION:-$(date -u +%Y%m%dT%H%M%SZ)}
WORK=${WORK:-$STORE/$NAME/candidates}
CAND="$WORK/$VERSION"

publish() { "${DESCENT[@]}" publish --store "$STORE" --name "$NAME" --version "$VERSION" --candidate "$1" \
              --validation "$VALIDATION" --metric "$METRIC" --tolerance "$TOLERANCE" --keep "$KEEP" "${@:2}"; }
finish() { # map publish's 11 (already published) to success
  local rc=$1
  if [[ $rc -eq 11 ]]; then echo "retrain.sh: version $VERSION already published; nothing to do" >&2; exit 0; fi
  exit "$rc"
}

status=$("${DESCENT[@]}" publish --status --store "$STORE" --name "$NAME" --version "$VERSION" --candidate "$CAND") || exit $?
current=$(sed -n 's/^current=//p' <<< "$status")
if grep -qx 'version=present' <<< "$status"; then
  echo "retrain.sh: $NAME version $VERSION is already in the store; re-checking publication only" >&2
  set +e; publish "$STORE/$NAME/versions/$VERSION"; rc=$?; set -e; finish $rc
fi
if grep -qx 'candidate=present' <<< "$status"; then
  echo "retrain.sh: re-using the finished candidate $CAND" >&2
else
  init=()
  [[ -n "$current" ]] && init=(--init-from "$STORE/$NAME/versions/$current")
  echo "retrain.sh: training $CAND${current:+ (warm start from $current)}" >&2
  set +e
  "${DESCENT[@]}" train --config "$CONFIG" --resume "${init[@]}" \
      --set "output.model-path=\"$CAND\"" --set "checkpoint.dir=\"$CAND.ckpt\"" "$@"
  rc=$?
  set -e
  [[ $rc -eq 0 ]] || exit $rc
fi
set +e; publish "$CAND" --move; rc=$?; set -e; finish $rc
