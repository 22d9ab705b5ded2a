#!/usr/bin/env bash
# End-to-end test of scripts/retrain.sh (the scheduled-retraining entry point) on the small logistic
# example: exit codes and model-store state after each run.
#   v1: first run publishes (exit 0, current = v1)
#   v2: sabotaged (warm start, then one epoch at learning rate 20): rejected by the gate (exit 10), current stays v1
#   v1 again: idempotent (exit 0, no new version, current unchanged)
#   v3 with --keep 1: promoted; retention leaves only the current version
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${IT_WORK:-target/it-retrain}"
rm -rf "$WORK"; mkdir -p "$WORK"
STORE="$WORK/store"
fail() { echo "it-retrain: FAIL: $*" >&2; exit 1; }
run() { # EXPECTED_RC VERSION [retrain args...]
  local want=$1 v=$2; shift 2
  local rc=0
  scripts/retrain.sh --config conf/logistic-regression-example.conf --store "$STORE" --name logit \
    --validation conf/examples/logistic-regression.libsvm --tolerance 0.01 --version "$v" "$@" \
    > "$WORK/retrain-$v.log" 2>&1 || rc=$?
  echo "it-retrain: $v -> exit $rc: $(grep -hE '^(promoted|rejected|already)' "$WORK/retrain-$v.log" | tail -1)"
  [[ $rc == "$want" ]] || fail "retrain $v exited $rc, expected $want (log $WORK/retrain-$v.log)"
}
current() { cat "$STORE/logit/current"; }
versions() { (cd "$STORE/logit/versions" && ls -d -- */ | tr -d / | sort | tr '\n' ' '); }

run 0 v1
[[ $(current) == v1 ]] || fail "current is $(current), expected v1"
run 10 v2 -- --set optimizer.learning-rate=20 --set training.epochs=1
[[ $(current) == v1 ]] || fail "a rejected candidate changed current to $(current)"
[[ $(versions) == "v1 " ]] || fail "versions after the rejection: $(versions)"
run 0 v1
grep -q "already published" "$WORK/retrain-v1.log" || fail "re-run of v1 was not a no-op"
[[ $(versions) == "v1 " && $(current) == v1 ]] || fail "re-run changed the store: $(versions), current $(current)"
run 0 v3 --keep 1
[[ $(current) == v3 && $(versions) == "v3 " ]] || fail "after v3 --keep 1: versions $(versions), current $(current)"
echo "it-retrain: PASS"
