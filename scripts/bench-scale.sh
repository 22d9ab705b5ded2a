#!/usr/bin/env bash
# Scale-out figures (issue #13 items 5 and 6) on the local standalone cluster (scripts/cluster.sh: Spark master +
# workers, HDFS NameNode + DataNode as local processes) with HDFS input. Not a test: figures only.
#
#   1. the project's seeded generator (org.descent.job.bench.DenseDataGen, in the job jar) writes a dense data set
#      per size into HDFS: Parquet, label + id + features array<float>[FEATURES], classes drawn from a planted
#      softmax model; the first n rows of every size are the same rows
#   2. sizes: trains each size with SIZE_RANKS allreduce ranks (one 1-core executor per rank, TCP between them) and
#      prints epoch time (and its ratio to the smallest size per row: the issue's goal is linear within 10 %), the
#      cached bytes (the driver's "cache:" line), and the peak RSS (VmHWM) of every executor JVM
#   3. ranks: trains the RANKS_ROWS set with 1, 2, 4, 8 ranks (partitions = ranks, the same global batch: strong
#      scaling) and prints ms per step split into compute (slowest rank's gradient) / exchange (the rest of the
#      step's wall time: socket exchange incl. waiting for the slowest rank) / update, with the oversubscription
#      (ranks per physical core) next to it: above 1 rank per core the figures measure time-sharing, not scaling
#   4. spill (--spill-rows N): trains N rows twice on SIZE_RANKS ranks and --spill-partitions partitions: in memory
#      (--executor-memory, storage level memory-only) and with training.storage-level = memory-and-disk-ser on
#      executors whose unified memory ((heap - 300 MB) x spark.memory.fraction, printed) is about half the cached data
#      (--spill-executor-memory 2g, --spill-memory-fraction 0.15): the cache spills to disk; prints both epoch times.
#      The allreduce ranks hold their partitions deserialized while a training job runs, so the heap must hold a
#      rank's share (a 768m executor cannot: OutOfMemoryError in the engine's read of its partition group)
#   5. width (--width-hidden H): trains the RANKS_ROWS set on 2 ranks with a hidden layer of H units, so the
#      exchange's per-byte cost can be told from its per-message cost (the ranks runs move a 7k-parameter vector)
#   Each training run is org.descent.job.bench.FmnistBench (it trains a config exactly as `train` does, writes no
#   model; output.model-path only satisfies the config check), submitted with scripts/submit.sh; its full output is kept under the work directory.
#
# Usage: scripts/bench-scale.sh [--sizes 1000000,3000000,10000000] [--ranks 1,2,4,8] [--size-ranks 2]
#          [--ranks-rows N (default: the smallest size)] [--epochs 2] [--batch 1024] [--features 100] [--classes 10]
#          [--hidden 64] [--executor-memory 4g] [--ranks-executor-memory 1g: 1 rank at 1M rows needs 3g] [--skip-sizes] [--skip-ranks]
#          [--size-partitions P (default: = --size-ranks; more partitions than ranks keep each packed block small,
#           the ranks sum their partition groups)] [--spill-rows N] [--spill-partitions 16] [--spill-executor-memory 2g] [--spill-memory-fraction 0.15]
#          [--spill-exchange allreduce|broadcast-collect]
#          [--width-hidden H] [--generate-only (write the sets to HDFS and stop; use with BENCH_KEEP_DATA=1)]
#        e.g. a quick end-to-end check: scripts/bench-scale.sh --sizes 100000 --ranks 1,2
# Environment: BENCH_WORK (target/bench-scale), BENCH_SEED (42), DESCENT_WORKERS (2), DESCENT_WORKER_MEMORY
#   (worker's memory to hand out, default 8g), BENCH_KEEP_DATA=1 (keep HDFS and the generated sets: the cluster
#   directory is reused, so later runs skip generation). Only one local cluster can run at a time (fixed ports):
#   the script refuses to start when a Spark master/worker or HDFS NameNode/DataNode process is already running.
# The machine's load average is printed with every figure: on a shared machine the timings are not benchmarks.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER="$REPO/scripts/cluster.sh"
SUBMIT="$REPO/scripts/submit.sh"
say() { printf '[bench-scale] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

SIZES=1000000,3000000,10000000; RANKS=1,2,4,8; SIZE_RANKS=2; RANKS_ROWS=""; EPOCHS=2; BATCH=1024
FEATURES=100; CLASSES=10; HIDDEN=64; EXEC_MEM=4g; RANKS_EXEC_MEM=1g; DO_SIZES=1; DO_RANKS=1
SIZE_PARTS=""; SPILL_ROWS=""; SPILL_PARTS=16; SPILL_MEM=2g; SPILL_FRACTION=0.15; SPILL_EXCHANGE=allreduce; EXCHANGE=allreduce; WIDTH_HIDDEN=""; GEN_ONLY=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sizes) SIZES="$2"; shift 2 ;;
    --ranks) RANKS="$2"; shift 2 ;;
    --size-ranks) SIZE_RANKS="$2"; shift 2 ;;
    --ranks-rows) RANKS_ROWS="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    --batch) BATCH="$2"; shift 2 ;;
    --features) FEATURES="$2"; shift 2 ;;
    --classes) CLASSES="$2"; shift 2 ;;
    --hidden) HIDDEN="$2"; shift 2 ;;
    --executor-memory) EXEC_MEM="$2"; shift 2 ;;
    --ranks-executor-memory) RANKS_EXEC_MEM="$2"; shift 2 ;;
    --skip-sizes) DO_SIZES=0; shift ;;
    --size-partitions) SIZE_PARTS="$2"; shift 2 ;;
    --spill-rows) SPILL_ROWS="$2"; shift 2 ;;
    --spill-partitions) SPILL_PARTS="$2"; shift 2 ;;
    --spill-executor-memory) SPILL_MEM="$2"; shift 2 ;;
    --spill-memory-fraction) SPILL_FRACTION="$2"; shift 2 ;;
    --spill-exchange) SPILL_EXCHANGE="$2"; shift 2 ;;
    --width-hidden) WIDTH_HIDDEN="$2"; shift 2 ;;
    --generate-only) GEN_ONLY=1; shift ;;
    --skip-ranks) DO_RANKS=0; shift ;;
    -h|--help) sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
IFS=, read -r -a SIZE_LIST <<<"$SIZES"
IFS=, read -r -a RANK_LIST <<<"$RANKS"
[[ -n "$SIZE_PARTS" ]] || SIZE_PARTS=$SIZE_RANKS
for v in "${SIZE_LIST[@]}" "${RANK_LIST[@]}" "$SIZE_RANKS" "$EPOCHS" "$BATCH" "$FEATURES" "$CLASSES" "$HIDDEN" "$SIZE_PARTS" \
    "$SPILL_PARTS" ${SPILL_ROWS:+"$SPILL_ROWS"} ${WIDTH_HIDDEN:+"$WIDTH_HIDDEN"}; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || die "sizes, ranks, partitions, rows, epochs, batch, features, classes and hidden must be positive integers (got '$v')"
done
[[ -n "$RANKS_ROWS" ]] || RANKS_ROWS=$(printf '%s\n' "${SIZE_LIST[@]}" | sort -n | head -1)
SEED="${BENCH_SEED:-42}"
WORK="${BENCH_WORK:-$REPO/target/bench-scale}"
CORES=$(nproc)
MAX_RANKS=$SIZE_RANKS
for r in "${RANK_LIST[@]}"; do ((r > MAX_RANKS)) && MAX_RANKS=$r; done
export DESCENT_CLUSTER_DIR="${DESCENT_CLUSTER_DIR:-$WORK/cluster}"
export DESCENT_WORKERS="${DESCENT_WORKERS:-2}"
export DESCENT_WORKER_CORES=$(((MAX_RANKS + DESCENT_WORKERS - 1) / DESCENT_WORKERS))
export DESCENT_WORKER_MEMORY="${DESCENT_WORKER_MEMORY:-8g}"
export OPENBLAS_NUM_THREADS=1
load() { cut -d' ' -f1-3 /proc/loadavg; }

# one cluster at a time on this machine (fixed ports)
others=$(ps -eo pid=,args= | grep -E 'org\.apache\.spark\.deploy\.(master\.Master|worker\.Worker)|hdfs\.server\.(namenode\.NameNode|datanode\.DataNode)' \
  | grep -v grep | awk '{ role = "?"; for (i = 2; i <= NF; i++) if ($i ~ /^-Ddescent\.cluster\.role=/) role = substr($i, 24);
                          print "  pid " $1 " " (role == "?" ? $NF : role) }' || true)
[[ -z "$others" ]] || die "a Spark/HDFS cluster is already running on this machine (only one can: fixed ports):
$others"

mkdir -p "$WORK"
jar=$(ls "$REPO"/job/target/descent-job-*-shaded.jar 2>/dev/null | head -1 || true)
if [[ -z "$jar" || -n "$(find "$REPO/job/src/main" "$REPO/common-math/src/main" -newer "$jar" -type f -print -quit)" ]]; then
  say "building the shaded job jar"
  (cd "$REPO" && mvn -B -ntp -q -o -DskipTests -pl job -am package) > "$WORK/build.log" 2>&1 \
    || die "build failed, see $WORK/build.log"
fi

SAMPLER=""
cleanup() {
  local rc=$?
  [[ -n "$SAMPLER" ]] && kill "$SAMPLER" 2>/dev/null || true
  say "stopping the cluster"; "$CLUSTER" stop >/dev/null 2>&1 || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
say "starting the cluster: $DESCENT_WORKERS workers x $DESCENT_WORKER_CORES cores ($((DESCENT_WORKERS * DESCENT_WORKER_CORES)) task slots) on $CORES cores ($DESCENT_CLUSTER_DIR)"
"$CLUSTER" start > "$WORK/cluster-start.log" 2>&1 || { tail -20 "$WORK/cluster-start.log" >&2; die "cluster did not start"; }
HDFS_URL="$("$CLUSTER" env | sed -n 's/^HDFS_URL=//p')"
hdfs() { "$CLUSTER" hdfs "$@"; }
hdfs -mkdir -p /bench-scale

# ---- 1. data
data_url() { echo "$HDFS_URL/bench-scale/dense-$1-f$FEATURES-c$CLASSES-s$SEED"; }
ensure_data() { # ROWS
  local url; url=$(data_url "$1")
  if hdfs -test -e "${url#"$HDFS_URL"}/_SUCCESS" 2>/dev/null; then say "data: $url exists"; return 0; fi
  say "data: generating $1 rows x $FEATURES features into $url (load $(load))"
  "$SUBMIT" --class org.descent.job.bench.DenseDataGen -- --rows "$1" --features "$FEATURES" --classes "$CLASSES" \
    --seed "$SEED" --out "$url" --overwrite > "$WORK/gen-$1.log" 2>&1 || { tail -20 "$WORK/gen-$1.log" >&2; die "generation failed"; }
  grep -h "DenseDataGen:" "$WORK/gen-$1.log" >&2 || true
  say "  HDFS: $(hdfs -du -s -h "${url#"$HDFS_URL"}" 2>/dev/null | awk '{print $1, $2}')"
}

write_config() { # FILE PARTITIONS [HIDDEN] [STORAGE_LEVEL]
  cat > "$1" <<EOF
data { format = parquet, label-column = label, features-column = features, label-type = class-index,
       num-features = $FEATURES, num-classes = $CLASSES, storage = float32 }
model { type = mlp, hidden-layers = [${3:-$HIDDEN}], activation = relu, init = he-normal }
optimizer { kind = adam, learning-rate = 0.001 }
training { epochs = $EPOCHS, batch-size = $BATCH, partitions = $2, seed = 7, exchange = $EXCHANGE,
           storage-level = ${4:-memory-only} }
EOF
}

# peak RSS (VmHWM, kB) of every executor JVM while a run lasts, sampled each second into FILE
start_sampler() {
  ( while :; do
      for pid in $("$CLUSTER" executors 2>/dev/null); do
        awk -v p="$pid" '/^VmHWM:/ {print p, $2}' "/proc/$pid/status" 2>/dev/null || true
      done >> "$1"
      sleep 1
    done ) &
  SAMPLER=$!
}
stop_sampler() { kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""; }
peaks() { # FILE -> "412 398" (MB per executor, largest first)
  awk '{ if ($2 > m[$1]) m[$1] = $2 } END { for (p in m) print int(m[p] / 1024) }' "$1" 2>/dev/null | sort -rn | paste -sd' '
}

# train ROWS RANKS EXEC_MEM LOG [PARTITIONS] [HIDDEN] [STORAGE_LEVEL]: one FmnistBench run on RANKS one-core executors
train() {
  local rows="$1" ranks="$2" mem="$3" logf="$4" parts="${5:-$2}" conf="$WORK/bench-$2-$RANDOM.conf"
  write_config "$conf" "$parts" "${6:-}" "${7:-}"
  : > "$logf.rss"
  start_sampler "$logf.rss"
  local t0=$SECONDS rc=0 fraction="${8:-0.6}"
  "$SUBMIT" --conf "spark.cores.max=$ranks" --conf spark.executor.cores=1 --executor-memory "$mem" \
    --conf "spark.memory.fraction=$fraction" \
    --class org.descent.job.bench.FmnistBench -- --config "$conf" --set "data.train-path=$(data_url "$rows")" \
    --set "output.model-path=file://$WORK/unused-model" --set output.overwrite=true \
    --label "rows=$rows ranks=$ranks" > "$logf" 2>&1 || rc=$?
  stop_sampler
  ((rc == 0)) || { tail -30 "$logf" >&2; die "training failed ($rows rows, $ranks ranks), see $logf"; }
  [[ "$EXCHANGE" != allreduce ]] || grep -q "allreduce exchange: $ranks tasks for $parts partitions" "$logf" \
    || die "the run did not use $ranks allreduce ranks for $parts partitions; see $logf"
  say "  $rows rows, $ranks ranks, $parts partitions${7:+, $7}: done in $((SECONDS - t0)) s (load $(load))"
}
# unified (execution + storage) memory of an executor with heap MEM (e.g. 768m, 4g), in MB: (heap - 300) x FRACTION
# (spark.memory.fraction, default 0.6)
unified_mb() { awk -v m="$1" -v f="${2:-0.6}" 'BEGIN { u = tolower(substr(m, length(m))); v = substr(m, 1, length(m) - 1) + 0
  if (u == "g") v *= 1024; else if (u != "m") v = m / 1048576; printf "%d", (v - 300) * f }'; }
field() { sed -n "s/.*BENCH descent .*$1=\([0-9.]*\).*/\1/p" "$2" | tail -1; }
cache_bytes() { sed -n 's/.*cache: [0-9]* training rows in [0-9]* blocks, \([0-9]*\) bytes (\([0-9.]*\) per row.*/\1 \2/p' "$1" | tail -1; }

T_ALL=$SECONDS
ensure_data "$RANKS_ROWS"
if ((DO_SIZES)); then for n in "${SIZE_LIST[@]}"; do ensure_data "$n"; done; fi
[[ -z "$SPILL_ROWS" ]] || ensure_data "$SPILL_ROWS"
if ((GEN_ONLY)); then say "data generated (--generate-only)"; DO_SIZES=0; DO_RANKS=0; SPILL_ROWS=""; WIDTH_HIDDEN=""; fi
if ((DO_SIZES)); then
  say "sizes: $SIZE_RANKS ranks, $SIZE_PARTS partitions, $EPOCHS epochs, batch $BATCH, MLP $FEATURES-$HIDDEN-$CLASSES, float32 cache"
  SIZE_TABLE="$WORK/sizes.txt"
  printf '%-10s %5s %9s %9s %10s %8s %14s %9s  %-22s %s\n' rows ranks "epoch s" "train s" "rows/s" "s/Mrow" \
    "cached bytes" "B/row" "peak RSS/executor MB" "load (1/5/15)" > "$SIZE_TABLE"
  first_per_row=""
  for n in "${SIZE_LIST[@]}"; do
    logf="$WORK/size-$n.log"
    train "$n" "$SIZE_RANKS" "$EXEC_MEM" "$logf" "$SIZE_PARTS"
    ep=$(field median_epoch_s "$logf"); tr=$(field median_train_s "$logf")
    read -r cb cbr <<<"$(cache_bytes "$logf")"
    per=$(awk -v t="$tr" -v n="$n" 'BEGIN { printf "%.3f", t / (n / 1e6) }')
    [[ -n "$first_per_row" ]] || first_per_row=$per
    printf '%-10s %5s %9s %9s %10.0f %8s %14s %9s  %-22s %s   (s/Mrow x%.2f of the first size)\n' "$n" "$SIZE_RANKS" "$ep" \
      "$tr" "$(awk -v t="$tr" -v n="$n" 'BEGIN { print n / t }')" "$per" "${cb:-?}" "${cbr:-?}" \
      "$(peaks "$logf.rss")" "$(load)" "$(awk -v a="$per" -v b="$first_per_row" 'BEGIN { print a / b }')" >> "$SIZE_TABLE"
  done
fi
if ((DO_RANKS)); then
  say "ranks: ${RANK_LIST[*]} on $RANKS_ROWS rows, global batch $BATCH (strong scaling), one 1-core executor per rank"
  RANK_TABLE="$WORK/ranks.txt"
  printf '%5s %8s %9s %9s %10s %11s %9s %9s  %s\n' ranks "rank/core" "epoch s" "step ms" "compute ms" "exchange ms" \
    "update ms" "peak MB" "load (1/5/15)" > "$RANK_TABLE"
  for r in "${RANK_LIST[@]}"; do
    logf="$WORK/ranks-$r.log"
    train "$RANKS_ROWS" "$r" "$RANKS_EXEC_MEM" "$logf"
    printf '%5s %8.2f %9s %9s %10s %11s %9s %9s  %s\n' "$r" "$(awk -v r="$r" -v c="$CORES" 'BEGIN { print r / c }')" \
      "$(field median_epoch_s "$logf")" "$(field median_step_ms "$logf")" "$(field compute_ms "$logf")" \
      "$(field exchange_ms "$logf")" "$(field update_ms "$logf")" "$(peaks "$logf.rss" | cut -d' ' -f1)" "$(load)" >> "$RANK_TABLE"
  done
fi

if [[ -n "$SPILL_ROWS" ]]; then
  EXCHANGE=$SPILL_EXCHANGE
  say "spill ($EXCHANGE): $SPILL_ROWS rows, $SIZE_RANKS ranks, $SPILL_PARTS partitions: in memory ($EXEC_MEM) vs memory-and-disk-ser ($SPILL_MEM, spark.memory.fraction $SPILL_FRACTION)"
  SPILL_TABLE="$WORK/spill.txt"
  printf '%-22s %9s %9s %9s %14s %13s %8s %9s  %s\n' "storage" "exec mem" "epoch s" "train s" "cached bytes" \
    "unified MB" "data/mem" "peak MB" "load (1/5/15)" > "$SPILL_TABLE"
  for mode in "memory-only $EXEC_MEM 0.6" "memory-and-disk-ser $SPILL_MEM $SPILL_FRACTION"; do
    read -r level mem fraction <<<"$mode"
    logf="$WORK/spill-$SPILL_EXCHANGE-$level.log"
    train "$SPILL_ROWS" "$SIZE_RANKS" "$mem" "$logf" "$SPILL_PARTS" "" "$level" "$fraction"
    read -r cb _ <<<"$(cache_bytes "$logf")"
    um=$(($(unified_mb "$mem" "$fraction") * SIZE_RANKS))
    printf '%-22s %9s %9s %9s %14s %13s %8.2f %9s  %s\n' "$level" "$mem" "$(field median_epoch_s "$logf")" \
      "$(field median_train_s "$logf")" "${cb:-?}" "$um" "$(awk -v b="${cb:-0}" -v u="$um" 'BEGIN { print b / 1048576 / u }')" \
      "$(peaks "$logf.rss" | cut -d' ' -f1)" "$(load)" >> "$SPILL_TABLE"
  done
  EXCHANGE=allreduce
fi
if [[ -n "$WIDTH_HIDDEN" ]]; then
  say "width: $RANKS_ROWS rows, 2 ranks, hidden $HIDDEN and $WIDTH_HIDDEN (the exchange's per-byte cost)"
  WIDTH_TABLE="$WORK/width.txt"
  printf '%7s %11s %9s %10s %11s %9s  %s\n' hidden parameters "step ms" "compute ms" "exchange ms" "update ms" \
    "load (1/5/15)" > "$WIDTH_TABLE"
  for h in "$HIDDEN" "$WIDTH_HIDDEN"; do
    logf="$WORK/width-$h.log"
    train "$RANKS_ROWS" 2 "$RANKS_EXEC_MEM" "$logf" 2 "$h"
    printf '%7s %11s %9s %10s %11s %9s  %s\n' "$h" "$(((FEATURES + 1) * h + (h + 1) * CLASSES))" \
      "$(field median_step_ms "$logf")" "$(field compute_ms "$logf")" "$(field exchange_ms "$logf")" \
      "$(field update_ms "$logf")" "$(load)" >> "$WIDTH_TABLE"
  done
fi

echo
echo "== descent bench-scale: $DESCENT_WORKERS workers x $DESCENT_WORKER_CORES cores on a $CORES-core machine, HDFS input, $(date -u +%FT%TZ) =="
echo "data: DenseDataGen seed $SEED, $FEATURES float features, $CLASSES classes; model MLP $FEATURES-$HIDDEN-$CLASSES, adam,"
echo "      batch $BATCH, $EPOCHS epochs (medians over epochs; epoch 1 includes JIT warm-up), training.exchange = allreduce${SPILL_ROWS:+ (spill runs: $SPILL_EXCHANGE)}"
if ((DO_SIZES)); then
  echo
  echo "-- sizes (epoch time linear in rows = a constant s/Mrow; cached bytes from the driver's cache line; peak RSS = VmHWM per executor JVM)"
  cat "$SIZE_TABLE"
fi
if ((DO_RANKS)); then
  echo
  echo "-- ranks (one 1-core executor per rank; rank/core > 1 = oversubscribed: $CORES physical cores time-share the ranks,"
  echo "   so those rows measure contention, not scaling; compute = slowest rank's gradient, exchange = step wall - compute,"
  echo "   update = the optimizer on every rank)"
  cat "$RANK_TABLE"
fi
if [[ -n "$SPILL_ROWS" ]]; then
  echo
  echo "-- spill, training.exchange = $SPILL_EXCHANGE (the same set and partitions; data/mem = cached bytes over the executors' unified memory, (heap - 300 MB)"
  echo "   x spark.memory.fraction each: above 1 the cache cannot stay in memory, serialized blocks go to disk and are read"
  echo "   back; the allreduce ranks still hold their own partitions, deserialized, while a training job runs, so the"
  echo "   spill executors' heap must hold a rank's share: their small fraction keeps Spark's storage memory small instead)"
  cat "$SPILL_TABLE"
fi
if [[ -n "$WIDTH_HIDDEN" ]]; then
  echo
  echo "-- width (2 ranks, TCP between two executors: exchange ms against the vector's size gives the per-byte cost)"
  cat "$WIDTH_TABLE"
fi
echo
echo "total $((SECONDS - T_ALL)) s; logs in $WORK"
[[ "${BENCH_KEEP_DATA:-0}" == 1 ]] || hdfs -rm -r -f -skipTrash /bench-scale >/dev/null 2>&1 || true
