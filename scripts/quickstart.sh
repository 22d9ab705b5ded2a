#!/usr/bin/env bash
# README command one: build descent, make sure Fashion-MNIST is here, convert it to Parquet, train the
# quickstart MLP (784-256-128-10 ReLU, He init, SGD momentum 0.9, lr 0.05, batch 128, 10 epochs) in Spark
# local mode on all cores, and print the test accuracy.
#
# Environment:
#   FASHION_MNIST_DIR  directory with the four IDX .gz files (default: /usr/share/datasets/fashion-mnist,
#                      installed from Debian's dataset-fashion-mnist package when missing and we are root)
#   DESCENT_DATA_DIR   where the converted Parquet goes (default: ./data/fashion-mnist)
#   Extra arguments are passed to `train` (e.g. --set training.epochs=2).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[quickstart] %s\n' "$*"; }

source scripts/lib/apt.sh # apt_install

# 1. Fast BLAS (optional): native OpenBLAS makes GEMM ~4x faster than the pure-Java fallback.
if ! ldconfig -p 2>/dev/null | grep -q 'libopenblas'; then  # not libblas.so.3 alone: python3-torch pulls in the slow reference BLAS
  apt_install libopenblas0 && say "installed libopenblas0 (native BLAS)" \
    || say "WARNING: native BLAS (libopenblas0) not installed and cannot install it here: using the slower pure-Java BLAS"
fi

# 2. Data.
IDX_DIR=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
if [ ! -f "$IDX_DIR/train-images-idx3-ubyte.gz" ]; then
  if [ -z "${FASHION_MNIST_DIR:-}" ] && apt_install dataset-fashion-mnist; then
    say "installed Debian package dataset-fashion-mnist"
  else
    echo "[quickstart] ERROR: Fashion-MNIST not found in $IDX_DIR." >&2
    echo "[quickstart] Install Debian's dataset-fashion-mnist (as root), or set FASHION_MNIST_DIR to a directory" >&2
    echo "[quickstart] holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz." >&2
    exit 3
  fi
fi
say "Fashion-MNIST from $IDX_DIR"

# 3. Build (tests are README command two).
say "building (mvn package, tests skipped)"
mvn -B -q -ntp -DskipTests package

# 4. Convert IDX -> Parquet once.
DATA_DIR=${DESCENT_DATA_DIR:-data/fashion-mnist}
if [ ! -d "$DATA_DIR/train.parquet" ] || [ ! -d "$DATA_DIR/test.parquet" ]; then
  say "converting to Parquet in $DATA_DIR"
  scripts/run.sh convert --idx "$IDX_DIR" --out "$DATA_DIR" --overwrite
fi

# 5. Train; the validation set is the 10k test set, so every epoch line shows the test accuracy.
MODEL=runs/fashion-mnist-mlp/model
say "training conf/fashion-mnist-mlp.conf in Spark local mode"
scripts/run.sh train --config conf/fashion-mnist-mlp.conf --set output.overwrite=true \
  --set output.model-path="$MODEL" \
  --set data.train-path="$DATA_DIR/train.parquet" --set data.validation-path="$DATA_DIR/test.parquet" "$@"

# 6. Evaluate the saved model on the 10k test set.
say "evaluating $MODEL on $DATA_DIR/test.parquet"
scripts/run.sh evaluate --model "$MODEL" --data "$DATA_DIR/test.parquet" --out "$MODEL.test-metrics.json" --overwrite \
  | tee runs/fashion-mnist-mlp/evaluate.txt | sed -n '1,3p'
acc=$(grep -oE '^accuracy [0-9.]+' runs/fashion-mnist-mlp/evaluate.txt | awk '{print $2}')
say "test accuracy: $acc (10,000 Fashion-MNIST test images; report: $MODEL.run/report.html)"
