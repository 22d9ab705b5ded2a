#!/usr/bin/env bash
# End-to-end training benchmark: the quickstart MLP (conf/fashion-mnist-mlp.conf, 784-256-128-10, batch 128,
# 4 partitions) on Fashion-MNIST in Spark local mode, 3 epochs by default. Prints per epoch and as medians:
# epoch time, rows/s, steps/s, and ms per step split into compute (slowest task's gather + gradient) vs
# exchange + scheduling (broadcast, task launch, result collect, driver sum), plus the BLAS in use.
# Writes no model (org.descent.job.bench.FmnistBench trains without saving).
#
#   scripts/bench-fmnist.sh                          # 3 epochs
#   BENCH_EPOCHS=5 scripts/bench-fmnist.sh --set training.partitions=2
#   BENCH_CONFIG=conf/fashion-mnist-softmax.conf scripts/bench-fmnist.sh
#
# Environment:
#   BENCH_EPOCHS       epochs (default 3); BENCH_CONFIG config (default conf/fashion-mnist-mlp.conf)
#   BENCH_MASTER       Spark master (default local[*] = all cores)
#   BENCH_BASELINE=1   first run once with the Spark/JVM settings of before the exchange tuning
#                      (spark.task.maxDirectResultSize=1m, default G1 region size), for a side-by-side
#   FASHION_MNIST_DIR  the four IDX .gz files (default /usr/share/datasets/fashion-mnist)
#   DESCENT_DATA_DIR   the converted Parquet (default data/fashion-mnist; converted when missing)
#   Extra arguments are passed on as FmnistBench arguments (--set key=value ..., --label TEXT).
# The machine this runs on is usually shared: quote the load average the bench prints next to its figures.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[bench-fmnist] %s\n' "$*" >&2; }

# 1. Build (incremental; run.sh builds the classpath file on first use).
say "compiling"
mvn -B -q -o -pl job -am compile >&2 || mvn -B -q -pl job -am compile >&2

# 2. Data, as scripts/quickstart.sh does it.
IDX_DIR=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
DATA_DIR=${DESCENT_DATA_DIR:-data/fashion-mnist}
if [ ! -d "$DATA_DIR/train.parquet" ] || [ ! -d "$DATA_DIR/test.parquet" ]; then
  if [ ! -f "$IDX_DIR/train-images-idx3-ubyte.gz" ]; then
    echo "[bench-fmnist] ERROR: no Parquet in $DATA_DIR and no Fashion-MNIST IDX files in $IDX_DIR;" \
         "install Debian's dataset-fashion-mnist or set FASHION_MNIST_DIR / DESCENT_DATA_DIR" >&2
    exit 3
  fi
  say "converting $IDX_DIR to Parquet in $DATA_DIR"
  scripts/run.sh convert --idx "$IDX_DIR" --out "$DATA_DIR" --overwrite
fi

# 3. Run.
ARGS=(--config "${BENCH_CONFIG:-conf/fashion-mnist-mlp.conf}" --set "training.epochs=${BENCH_EPOCHS:-3}"
  --set "data.train-path=\"$DATA_DIR/train.parquet\"" --set "data.validation-path=\"$DATA_DIR/test.parquet\"")
[ -n "${BENCH_MASTER:-}" ] && ARGS+=(--set "spark.master=\"$BENCH_MASTER\"")
export DESCENT_MAIN_CLASS=org.descent.job.bench.FmnistBench
if [ "${BENCH_BASELINE:-0}" = 1 ]; then
  say "run 1/2: Spark settings before the exchange tuning"
  DESCENT_JAVA_OPTS="-Xmx6g" scripts/run.sh "${ARGS[@]}" \
    --set 'spark.conf."spark.task.maxDirectResultSize"=1m' --label "old spark/JVM settings" "$@"
  say "run 2/2: current settings"
fi
scripts/run.sh "${ARGS[@]}" "$@"
