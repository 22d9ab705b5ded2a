#!/usr/bin/env bash
# Local SGD on Fashion-MNIST: accuracy and epoch time vs k (training.local-steps: each partition takes k steps
# on its own slices, then parameters and optimizer state are averaged across partitions; k = 1 is synchronous).
# The quickstart MLP (conf/fashion-mnist-mlp.conf, 2 partitions, allreduce exchange), BENCH_EPOCHS epochs
# (default 10) per k; prints one table at the end. Uses scripts/bench-fmnist.sh's data and Java bench.
#
#   scripts/bench-local-sgd.sh                 # k = 1 2 4 8 16, 10 epochs each
#   BENCH_K="1 4" BENCH_EPOCHS=3 scripts/bench-local-sgd.sh
set -euo pipefail
cd "$(dirname "$0")/.."
KS=${BENCH_K:-1 2 4 8 16}
EPOCHS=${BENCH_EPOCHS:-10}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for k in $KS; do
  echo "[bench-local-sgd] k = $k, $EPOCHS epochs" >&2
  BENCH_EPOCHS=$EPOCHS BENCH_TORCH=0 BENCH_PRECISIONS=float64 scripts/bench-fmnist.sh --set training.local-steps="$k" \
    --label "local-steps $k" > "$OUT/k$k.txt" 2> "$OUT/k$k.err" || { cat "$OUT/k$k.err" >&2; exit 1; }
  grep -E "^BENCH descent" "$OUT/k$k.txt" | tail -1 > "$OUT/k$k.line" \
    || { echo "[bench-local-sgd] no BENCH line for k=$k; see output:" >&2; cat "$OUT/k$k.txt" >&2; exit 1; }
done
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$2"; }
echo
echo "== local SGD on Fashion-MNIST: quickstart MLP, 2 partitions, $EPOCHS epochs, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) =="
printf '%-4s %14s %14s %12s %10s\n' k "epoch s (med)" "step ms (med)" "exchange ms" "test acc"
for k in $KS; do
  f="$OUT/k$k.line"
  printf '%-4s %14s %14s %12s %10s\n' "$k" "$(field median_epoch_s "$f")" "$(field median_step_ms "$f")" \
    "$(field exchange_ms "$f")" "$(field test_acc "$f")"
done
echo "(exchange ms = per-step mean of the averaging's wall time; test acc after the last epoch on the 10k test set)"
