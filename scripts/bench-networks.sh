#!/usr/bin/env bash
# Issue #15: the shipped CNN and LSTM (conf/fashion-mnist-cnn.conf, conf/fashion-mnist-lstm.conf) against the same
# architectures and recipes in PyTorch (bench/pytorch/fmnist_nets.py), float64 (descent's conv/recurrent layers
# compute in float64), run by scripts/bench-fmnist.sh one after the other on the same machine: median epoch
# seconds, ratio descent/torch, test accuracies.
#   scripts/bench-networks.sh                 # 3 epochs each
#   BENCH_EPOCHS=8 BENCH_NETS=cnn scripts/bench-networks.sh
# Environment: BENCH_NETS (default "cnn lstm"), BENCH_EPOCHS (default 3) and everything bench-fmnist.sh reads.
set -euo pipefail
cd "$(dirname "$0")/.."
for net in ${BENCH_NETS:-cnn lstm}; do
  case "$net" in cnn|lstm) ;; *) echo "[bench-networks] ERROR: BENCH_NETS: '$net' is not cnn or lstm" >&2; exit 2 ;; esac
  echo "[bench-networks] $net" >&2
  BENCH_CONFIG=conf/fashion-mnist-$net.conf BENCH_PRECISIONS=float64 BENCH_TORCH_SCRIPT=bench/pytorch/fmnist_nets.py \
    BENCH_TORCH_ARGS="--arch $net" scripts/bench-fmnist.sh "$@"
done
