#!/usr/bin/env bash
# Issue #15: the shipped CNN and LSTM (conf/fashion-mnist-cnn.conf, conf/fashion-mnist-lstm.conf) against the same
# architectures and recipes in PyTorch (bench/pytorch/fmnist_nets.py; cosine decay over the BENCH_EPOCHS run on
# both sides), each precision on both sides (float64, float32), run by scripts/bench-fmnist.sh one after the other
# on the same machine with the same OPENBLAS_CORETYPE: median epoch seconds, ratio descent/torch, test accuracies,
# whole-command time and peak RSS. One summary table per network.
#   scripts/bench-networks.sh                 # 3 epochs each, float64 and float32
#   BENCH_EPOCHS=12 BENCH_NETS=cnn BENCH_PRECISIONS=float32 scripts/bench-networks.sh
# Environment: BENCH_NETS (default "cnn lstm"), BENCH_EPOCHS (default 3), BENCH_PRECISIONS (default "float64
# float32") and everything bench-fmnist.sh reads (BENCH_OPENBLAS_CORETYPE, BENCH_TORCH_THREADS, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
for net in ${BENCH_NETS:-cnn lstm}; do
  case "$net" in cnn|lstm) ;; *) echo "[bench-networks] ERROR: BENCH_NETS: '$net' is not cnn or lstm" >&2; exit 2 ;; esac
  echo "[bench-networks] $net" >&2
  BENCH_CONFIG=conf/fashion-mnist-$net.conf BENCH_PRECISIONS=${BENCH_PRECISIONS:-float64 float32} \
    BENCH_TORCH_SCRIPT=bench/pytorch/fmnist_nets.py \
    BENCH_TORCH_ARGS="--arch $net" scripts/bench-fmnist.sh "$@"
done
