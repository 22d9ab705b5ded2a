#!/usr/bin/env bash
# End-to-end training benchmark: the quickstart MLP (conf/fashion-mnist-mlp.conf, 784-256-128-10, batch 128,
# 2 partitions) on Fashion-MNIST in Spark local mode, 3 epochs by default. Prints per epoch and as medians:
# epoch time, rows/s, steps/s, and ms per step split into compute (slowest task's gather + gradient) vs
# exchange + scheduling (broadcast, task launch, result collect, driver sum), plus the BLAS in use.
# Writes no model (org.descent.job.bench.FmnistBench trains without saving).
#
# Issue #8/#17 comparison: for each precision in BENCH_PRECISIONS (default "float64 float32") it runs descent
# (--set training.precision=P) and then the PyTorch CPU reference bench/pytorch/fmnist_mlp.py (same recipe, same
# epochs, dtype P, the same OPENBLAS_CORETYPE), each under GNU /usr/bin/time -v, and ends with ONE summary table, a
# row per precision: median training s/epoch and evaluation s of both sides, the whole command's wall time, the time
# from process start to the end of the first step, peak RSS, their ratios, both test accuracies; below it descent's
# step split and its start-up split (FmnistBench's "BENCH startup" line: Spark session / read + validate / pack,
# scale, cache / first step). It parses each run's "BENCH descent ...", "BENCH startup ..." and "BENCH torch ..." lines.
# Medians: torch's is over epochs 2..N (N >= 3) of training steps only (its test evaluation is timed apart);
# descent's (median_train_s) is the driver wall time of each epoch's training, job launch included, also epochs 2..N.
#
#   scripts/bench-fmnist.sh                          # 3 epochs
#   BENCH_EPOCHS=5 scripts/bench-fmnist.sh --set training.partitions=2
#   BENCH_EPOCHS=10 scripts/bench-fmnist.sh          # issue #8: time ratio and test accuracy after 10 epochs
#   BENCH_TORCH=0 BENCH_PRECISIONS=float64 scripts/bench-fmnist.sh   # descent float64 only
#   BENCH_CONFIG=conf/fashion-mnist-softmax.conf scripts/bench-fmnist.sh
#
# Environment:
#   BENCH_EPOCHS       epochs (default 3); BENCH_CONFIG config (default conf/fashion-mnist-mlp.conf)
#   BENCH_TORCH_SCRIPT, BENCH_TORCH_ARGS  the torch reference and its extra arguments (default
#                      bench/pytorch/fmnist_mlp.py; scripts/bench-networks.sh uses fmnist_nets.py --arch cnn|lstm)
#   BENCH_MASTER       Spark master (default local[*] = all cores)
#   BENCH_BASELINE=1   first run once with the Spark/JVM settings of before the exchange tuning
#                      (spark.task.maxDirectResultSize=1m, default G1 region size), for a side-by-side
#   FASHION_MNIST_DIR  the four IDX .gz files (default /usr/share/datasets/fashion-mnist)
#   DESCENT_DATA_DIR   the converted Parquet (default data/fashion-mnist; converted when missing)
#   BENCH_PRECISIONS   training.precision values to run, in order (default "float64 float32")
#   BENCH_TORCH=0      skip the PyTorch reference (default 1: run it when python3 can import torch; if it
#                      cannot, install Debian's python3-torch as root, else say how to and run descent only)
#   BENCH_PYTHON       python with torch (default: the first of python3, /usr/bin/python3 that imports torch;
#                      Debian's python3-torch is only in the system python, not in a pyenv/venv python3)
#   BENCH_TORCH_THREADS, BENCH_TORCH_OPENBLAS_THREADS  torch.set_num_threads and OPENBLAS_NUM_THREADS of the
#                      torch runs (defaults 1 and 2: the fastest torch set-up measured on the 2-core machine,
#                      see bench/pytorch/README.md). Debian's torch does its GEMMs in the system OpenBLAS; one
#                      torch (OpenMP) thread driving a 2-thread OpenBLAS beat every other combination, and 2+2
#                      oversubscribed the cores (3-4x slower). descent keeps OPENBLAS_NUM_THREADS=1 (run.sh:
#                      one BLAS thread per Spark task slot).
#   BENCH_OPENBLAS_CORETYPE  auto (default) | none | an OpenBLAS core name (scripts/openblas-env.sh): OPENBLAS_CORETYPE for descent and
#                      torch alike (both load the system OpenBLAS). auto: only when OPENBLAS_CORETYPE is unset and
#                      OpenBLAS falls back to its generic 'Prescott' kernels (Debian's 0.3.21 does on CPUs newer
#                      than it knows, e.g. family 6 model 207 'Intel Xeon Processor' here: 15 instead of 51 GFLOP/s
#                      float64 GEMM), it sets SkylakeX (AVX-512 F/BW/DQ/VL present) or Haswell (AVX2+FMA).
#   Extra arguments are passed on as FmnistBench arguments (--set key=value ..., --label TEXT); they come after
#   the --set training.precision=P of each run, so they win.
# The machine this runs on is usually shared: quote the load average the bench prints next to its figures.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/apt.sh # apt_install
say() { printf '[bench-fmnist] %s\n' "$*" >&2; }

PRECISIONS=${BENCH_PRECISIONS:-float64 float32}
EPOCHS=${BENCH_EPOCHS:-3}
for p in $PRECISIONS; do
  case "$p" in float64|float32) ;; *) echo "[bench-fmnist] ERROR: BENCH_PRECISIONS: '$p' is not float64 or float32" >&2; exit 2 ;; esac
done
[ -n "${PRECISIONS// /}" ] || { echo "[bench-fmnist] ERROR: BENCH_PRECISIONS is empty" >&2; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-fmnist.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# 0. The torch reference: find a python that imports torch (before the long descent runs, so a missing torch
#    is said up front).
TORCH_PY=
if [ "${BENCH_TORCH:-1}" != 0 ]; then
  find_torch() {
    for py in ${BENCH_PYTHON:-python3 /usr/bin/python3}; do
      if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import torch, numpy' >/dev/null 2>&1; then TORCH_PY=$py; return; fi
    done
  }
  find_torch
  if [ -z "$TORCH_PY" ] && [ -z "${BENCH_PYTHON:-}" ] && apt_install python3-torch python3-numpy; then
    say "installed Debian's python3-torch and python3-numpy (the PyTorch reference)"
    find_torch
  fi
  if [ -z "$TORCH_PY" ]; then
    say "WARNING: no python3 here imports torch and numpy (tried: ${BENCH_PYTHON:-python3 /usr/bin/python3});" \
        "install them with 'apt-get install --no-install-recommends python3-torch python3-numpy' (as root, Debian)" \
        "or set BENCH_PYTHON. Running descent only."
  fi
fi
# Debian's libblas.so.3 is an alternative: the reference BLAS (pulled in by python3-torch) is many times slower
# than OpenBLAS for both descent (netlib JNI) and torch. Say so instead of measuring it silently.
BLAS_SO=$(ldconfig -p 2>/dev/null | awk '/libblas\.so\.3 / {print $NF; exit}' || true)
if [ -n "$BLAS_SO" ] && ! readlink -f "$BLAS_SO" | grep -qi 'openblas\|blis\|mkl'; then
  say "WARNING: libblas.so.3 is $(readlink -f "$BLAS_SO") (reference BLAS, slow) - install libopenblas0 (as root) for a fair run"
fi

# OpenBLAS kernel set (see BENCH_OPENBLAS_CORETYPE above): scripts/openblas-env.sh, as scripts/run.sh does it.
# shellcheck source=openblas-env.sh
. scripts/openblas-env.sh
DESCENT_OPENBLAS_CORETYPE=${BENCH_OPENBLAS_CORETYPE:-${DESCENT_OPENBLAS_CORETYPE:-auto}} descent_openblas_coretype

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
if [ -n "$TORCH_PY" ] && [ ! -f "$IDX_DIR/train-images-idx3-ubyte.gz" ]; then
  say "WARNING: the torch reference reads the IDX files and there are none in $IDX_DIR (set FASHION_MNIST_DIR): descent only"
  TORCH_PY=
fi

# 3. Run.
ARGS=(--config "${BENCH_CONFIG:-conf/fashion-mnist-mlp.conf}" --set "training.epochs=$EPOCHS"
  --set "data.train-path=\"$DATA_DIR/train.parquet\"" --set "data.validation-path=\"$DATA_DIR/test.parquet\"")
[ -n "${BENCH_MASTER:-}" ] && ARGS+=(--set "spark.master=\"$BENCH_MASTER\"")
export DESCENT_MAIN_CLASS=org.descent.job.bench.FmnistBench
if [ "${BENCH_BASELINE:-0}" = 1 ]; then
  say "baseline run: Spark settings before the exchange tuning"
  DESCENT_JAVA_OPTS="-Xmx6g" scripts/run.sh "${ARGS[@]}" \
    --set 'spark.conf."spark.task.maxDirectResultSize"=1m' --label "old spark/JVM settings" "$@"
  say "current settings:"
fi

field() { # field KEY LINE: the value of KEY=value in a BENCH line, or n/a
  local v
  v=$(printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1)
  printf '%s' "${v:-n/a}"
}
# Whole command: wall time and peak RSS of the process tree from GNU time (/usr/bin/time -v), when installed.
TIMED=()
if [ -x /usr/bin/time ]; then TIMED=(/usr/bin/time -v -o); else say "WARNING: no /usr/bin/time (apt-get install time): no whole-command time or peak RSS"; fi
timed() { # timed NAME CMD...: runs CMD, with GNU time writing $TMP/time-NAME when available
  local name=$1; shift
  if [ ${#TIMED[@]} -gt 0 ]; then "${TIMED[@]}" "$TMP/time-$name" "$@"; else "$@"; fi
}
wall_s() { # wall_s NAME: GNU time's elapsed wall clock in seconds, or n/a
  [ -f "$TMP/time-$1" ] || { printf 'n/a'; return; }
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; printf "%.1f", s }' "$TMP/time-$1"
}
rss_mb() { # rss_mb NAME: GNU time's maximum resident set size in MB, or n/a
  [ -f "$TMP/time-$1" ] || { printf 'n/a'; return; }
  awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$TMP/time-$1"
}
declare -A D_LINE T_LINE S_LINE
for p in $PRECISIONS; do
  say "descent, training.precision=$p, $EPOCHS epochs"
  timed "descent-$p" scripts/run.sh "${ARGS[@]}" --set "training.precision=$p" --label "$p" "$@" | tee "$TMP/descent-$p.out"
  D_LINE[$p]=$(grep -m 1 '^BENCH descent ' "$TMP/descent-$p.out" || true)
  S_LINE[$p]=$(grep -m 1 '^BENCH startup ' "$TMP/descent-$p.out" || true)
  [ -n "${D_LINE[$p]}" ] || say "WARNING: no 'BENCH descent ...' line in the descent $p output"
  T_LINE[$p]=
  if [ -n "$TORCH_PY" ]; then
    say "torch, dtype $p, $EPOCHS epochs (OPENBLAS_NUM_THREADS=${BENCH_TORCH_OPENBLAS_THREADS:-2}, torch threads ${BENCH_TORCH_THREADS:-1})"
    if OPENBLAS_NUM_THREADS=${BENCH_TORCH_OPENBLAS_THREADS:-2} OMP_NUM_THREADS=${BENCH_TORCH_THREADS:-1} \
        FASHION_MNIST_DIR="$IDX_DIR" timed "torch-$p" "$TORCH_PY" ${BENCH_TORCH_SCRIPT:-bench/pytorch/fmnist_mlp.py} ${BENCH_TORCH_ARGS:-} --dtype "$p" --epochs "$EPOCHS" \
        --threads "${BENCH_TORCH_THREADS:-1}" | tee "$TMP/torch-$p.out"; then
      T_LINE[$p]=$(grep -m 1 '^BENCH torch ' "$TMP/torch-$p.out" || true)
    fi
    [ -n "${T_LINE[$p]}" ] || say "WARNING: the torch $p run failed or printed no 'BENCH torch ...' line"
  fi
done

# 4. Summary: one table, one row per precision.
echo
echo "== descent vs PyTorch CPU ($EPOCHS epochs; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg);" \
     "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)} for both) =="
printf '%-7s | %6s %6s %5s | %6s %6s %5s | %6s %6s %5s | %6s %6s | %5s %5s %5s | %6s %6s\n' prec "d trn" "t trn" ratio \
  "d eval" "t eval" ratio "d cmd" "t cmd" ratio "d 1st" "t 1st" "d GB" "t GB" ratio "d acc" "t acc"
for p in $PRECISIONS; do
  d=${D_LINE[$p]} t=${T_LINE[$p]} st=${S_LINE[$p]}
  awk -v p="$p" -v dt="$(field median_train_s "$d")" -v de="$(field median_epoch_s "$d")" \
      -v tt="$(field median_epoch_s "$t")" -v tv="$(field median_eval_s "$t")" \
      -v dc="$(wall_s "descent-$p")" -v tc="$(wall_s "torch-$p")" \
      -v df="$(field first_step_s "$st")" -v tf="$(field first_step_s "$t")" \
      -v dr="$(rss_mb "descent-$p")" -v tr="$(rss_mb "torch-$p")" \
      -v da="$(field test_acc "$d")" -v ta="$(field test_acc "$t")" 'BEGIN {
    num = "^[0-9.eE+-]+$"
    dv = (de ~ num && dt ~ num) ? sprintf("%.3f", de - dt) : "n/a"
    r1 = (dt ~ num && tt ~ num && tt + 0 > 0) ? sprintf("%.2f", dt / tt) : "n/a"
    r2 = (dv ~ num && tv ~ num && tv + 0 > 0) ? sprintf("%.2f", dv / tv) : "n/a"
    r3 = (dc ~ num && tc ~ num && tc + 0 > 0) ? sprintf("%.2f", dc / tc) : "n/a"
    r4 = (dr ~ num && tr ~ num && tr + 0 > 0) ? sprintf("%.2f", dr / tr) : "n/a"
    dg = (dr ~ num) ? sprintf("%.2f", dr / 1024) : "n/a"
    tg = (tr ~ num) ? sprintf("%.2f", tr / 1024) : "n/a"
    if (df ~ num) df = sprintf("%.1f", df)
    if (tf ~ num) tf = sprintf("%.1f", tf)
    printf "%-7s | %6s %6s %5s | %6s %6s %5s | %6s %6s %5s | %6s %6s | %5s %5s %5s | %6s %6s\n", p, dt, tt, r1, dv, tv, r2, dc, tc, r3, df, tf, dg, tg, r4, da, ta }'
done
echo "trn: median seconds of an epoch's training (descent: driver wall time from the epoch's start to its last step, job"
echo "launch included; torch: its training steps); eval: one pass over the 10k test images (descent: median epoch minus"
echo "median training, so it includes the epoch report). Medians over epochs 2..N (N >= 3): epoch 1 carries JIT warm-up."
echo "cmd: whole command wall s (GNU time; descent = scripts/run.sh with FmnistBench: JVM, Spark, data, training and"
echo "validation, no model written; torch = the whole script incl. its imports and IDX load). 1st: process start to the end"
echo "of the first training step. GB: peak RSS of the process (GNU time; Spark local mode = one JVM)."
echo "ratio = descent / torch. Goals (issue 17): trn and eval <= 1.0, cmd <= 1.5, GB <= 1.5, d 1st <= 5 s."
echo "torch ran with OPENBLAS_NUM_THREADS=${BENCH_TORCH_OPENBLAS_THREADS:-2} and ${BENCH_TORCH_THREADS:-1} torch thread(s);"
echo "descent with 2 tasks x OPENBLAS_NUM_THREADS=1, JVM options: ${DESCENT_JAVA_OPTS:-the scripts/run.sh default (heap from the data)}."
for p in $PRECISIONS; do
  d=${D_LINE[$p]} st=${S_LINE[$p]}
  echo "descent $p: step ms compute $(field compute_ms "$d") + exchange $(field exchange_ms "$d") + update" \
       "$(field update_ms "$d"); start-up $(field first_step_s "$st") s = Spark session $(field session_s "$st")" \
       "+ read/validate $(field scan_s "$st") + pack/scale/cache $(field cache_s "$st") + first step $(field step1_s "$st")"
done
echo "The machine is shared: quote the load average (a loaded machine inflates every figure; re-run on a quiet one)."
