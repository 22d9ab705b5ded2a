#!/usr/bin/env bash
# Sparse, wide data (issue #12): descent vs scikit-learn SGDClassifier (log loss) vs LIBLINEAR vs Spark MLlib
# LogisticRegression on the same files, side by side in one run. Prints, per data set and tool, the test accuracy
# curve, time to the common target accuracy (best final accuracy of all tools minus 0.5 point), rows/s, peak RSS
# (/usr/bin/time -v of the tool's process; Spark local mode = driver and executors in one JVM) and cached bytes
# per non-zero. Not a test: figures only.
#
# Data sets (both written once into BENCH_DIR, default data/bench-sparse):
#   gen   seeded generator (job test classes: org.descent.job.sparsebench.SparseDataGen): planted linear model,
#         text-like feature skew, label noise; LIBSVM and Parquet with a Spark ML vector column.
#   text  every English manual page under /usr/share/man/man[1-8] (what Debian's packages install), class = section,
#         words hashed to 2^18 features (bench/sparse/text_set.py).
#
#   scripts/bench-sparse.sh                    # both sets, default sizes
#   BENCH_SETS=gen BENCH_ROWS=4000 BENCH_TEST_ROWS=1000 BENCH_FEATURES=4096 BENCH_EPOCHS=2 scripts/bench-sparse.sh  # smoke
#   BENCH_SCALE=1 scripts/bench-sparse.sh      # scale mode: 1M rows x 2^20 features x 50 non-zeros, descent only,
#                                              # logistic (2 classes) and softmax (10): epoch time, peak RSS, exchange
#                                              # bytes per step (sizes still overridable: BENCH_ROWS etc.)
#
# Environment: BENCH_SETS (gen text), BENCH_TOOLS (descent sklearn liblinear mllib), BENCH_ROWS (200000),
#   BENCH_TEST_ROWS (20000), BENCH_FEATURES (262144), BENCH_NNZ (20), BENCH_CLASSES (10), BENCH_NOISE (0.05),
#   BENCH_EPOCHS (5), BENCH_PARTITIONS (2), BENCH_DESCENT_OPTIMIZER / BENCH_DESCENT_RATE / BENCH_DESCENT_BATCH /
#   BENCH_DESCENT_SCHEDULE / BENCH_DESCENT_EPSILON (descent's recipe for every set; unset: per set, see descent_recipe
#   below; BENCH_DESCENT_EPSILON=default: the optimizer's own),
#   BENCH_DESCENT_SET (extra --set args for descent, space separated),
#   BENCH_MLLIB_ITERS (5,10,20,40), BENCH_DIR (data/bench-sparse), BENCH_REGEN=1 (rewrite the data),
#   BENCH_HEAP (3g: heap of the generator and MLlib JVMs; descent's comes from scripts/run.sh), BENCH_SCALE=1.
# Timing ("time to accuracy": each tool's clock runs while it trains on data already in memory, and stops for scoring):
#   descent = the sum of its epochs' trainSeconds (metrics.jsonl): from the engine's start (epoch 1 includes the start
#   state's hand-over, the barrier job's launch and the JIT's warm-up) to each epoch's last step; data loading,
#   caching and the validation pass on the test file after each epoch excluded. sklearn = partial_fit time (its CSR
#   already loaded; the seeded row permutation before each epoch and the scoring excluded: partial_fit shuffles
#   again inside, so the permutation only fixes the order); MLlib = fit() on a cached DataFrame; LIBLINEAR = its whole
#   process (reading the text file included: it cannot be separated). The table's wall_s column is the whole command
#   of each tool (JVM/Python start, reading, training, scoring) from /usr/bin/time; xchg_B_per_step (descent) is the
#   bytes each rank sends per step (allreduce; 'exchange bytes per step' in its log; ranks that share one JVM's
#   parameters send nothing: the bytes each reads of the other ranks' gradient rows) or the parameters out plus the
#   partials back (broadcast-collect).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/apt.sh # apt_install
say() { printf '[bench-sparse] %s\n' "$*" >&2; }

SETS=${BENCH_SETS:-gen text}
TOOLS=${BENCH_TOOLS:-descent sklearn liblinear mllib}
ROWS=${BENCH_ROWS:-200000}; TEST_ROWS=${BENCH_TEST_ROWS:-20000}; FEATURES=${BENCH_FEATURES:-262144}
NNZ=${BENCH_NNZ:-20}; CLASSES=${BENCH_CLASSES:-10}; NOISE=${BENCH_NOISE:-0.05}; EPOCHS=${BENCH_EPOCHS:-5}
# descent's recipe per set (optimizer, batch, rate, schedule, epsilon; BENCH_DESCENT_* override it for every set):
#   text: AdaGrad, batch 250, rate 0.5, constant, epsilon 1e-10: reaches the target in epoch 1 (0.9858; batch 1000 at
#         0.2 needed 3 epochs for 0.9820, 0.8 at batch 1000 gave 0.9820) and ends at 0.9862 (2026-12-02); the generated
#         set's recipe below gives 0.9619 here, plain SGD at rate 15 (cosine) 0.9626 (its rows are unit-length tf
#         vectors: their gradients stay below epsilon 0.03, so the rate is too small).
#   gen:  AdaGrad, batch 250, rate 0.5, cosine to 0 over the run, epsilon 0.03: 0.2869 / 0.2918 / 0.2939 / 0.2929 /
#         0.2933 in 5 epochs (MLlib's L-BFGS 0.2919, LIBLINEAR 0.2877; L-BFGS to convergence with descent's L2 at 3e-5,
#         the best penalty tried: 0.2938). With epsilon 1e-10 AdaGrad overfits this set (~15 rows per feature, 2.6M
#         parameters): its first step on a feature is the full rate whatever the gradient's size, so rare features get
#         weights as large as frequent ones; rate 0.5 plateaus at 0.240, 0.03 at 0.270. With epsilon above a rare
#         feature's gradients (~1e-3 a step at batch 250), lr g / (sqrt(G) + eps) is plain SGD at rate lr / eps there
#         (0.5 / 0.03 = 17, near plain SGD's best rate, 15),
#         which moves a weight in proportion to how often its feature occurs, as an L2 penalty shrinks it (early-stopped
#         SGD ~ L2 with lambda ~ 1 / (sum of the rates)), while the frequent features and the biases keep AdaGrad's
#         scaling. Same row-sparse update as before (L2, momentum or Adam update every parameter every step: AdaGrad +
#         L2 1e-4 took 80-150 s an epoch, loaded). Also tried (5 epochs, cosine unless said): epsilon 0.1 at rate 1.5
#         0.2937 (epoch 1 0.2841), at 2.5 0.2915; plain SGD at rate 15 0.2929 (epoch 1 0.2793), 10 0.2918, 20 0.2919,
#         constant 15 0.2922, 5 0.2920, 40 0.2816; batch 500 at rate 30 0.2917 (2026-12-02, load 9-23; the test set's
#         20,000 rows give a standard error of 0.3 point).
#   scale mode (gen-k2, gen-k10): AdaGrad, batch 1000, rate 0.2, as docs/performance.md's scale figures.
descent_recipe() { # set -> D_OPT D_BATCH D_RATE D_SCHED D_EPS (default: the optimizer's own)
  case "$1" in
    text) D_OPT=adagrad; D_BATCH=250; D_RATE=0.5; D_SCHED=constant; D_EPS=default ;;
    gen)  D_OPT=adagrad; D_BATCH=250; D_RATE=0.5; D_SCHED=cosine; D_EPS=0.03 ;;
    *)    D_OPT=adagrad; D_BATCH=1000; D_RATE=0.2; D_SCHED=constant; D_EPS=default ;;
  esac
  D_OPT=${BENCH_DESCENT_OPTIMIZER:-$D_OPT}; D_BATCH=${BENCH_DESCENT_BATCH:-$D_BATCH}
  D_RATE=${BENCH_DESCENT_RATE:-$D_RATE}; D_SCHED=${BENCH_DESCENT_SCHEDULE:-$D_SCHED}; D_EPS=${BENCH_DESCENT_EPSILON:-$D_EPS}
}
if [ "${BENCH_SCALE:-0}" = 1 ]; then # descent alone on the two scale sets (gen-k2: logistic, gen-k10: softmax)
  ROWS=${BENCH_ROWS:-1000000}; TEST_ROWS=${BENCH_TEST_ROWS:-50000}; FEATURES=${BENCH_FEATURES:-1048576}
  NNZ=${BENCH_NNZ:-50}; EPOCHS=${BENCH_EPOCHS:-2}; SETS=${BENCH_SETS:-gen-k2 gen-k10}; TOOLS=${BENCH_TOOLS:-descent}
fi
PARTITIONS=${BENCH_PARTITIONS:-2}; DIR=${BENCH_DIR:-data/bench-sparse}; ITERS=${BENCH_MLLIB_ITERS:-5,10,20,40}
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd) # absolute: descent's config names the files
PY=/usr/bin/python3
export OPENBLAS_NUM_THREADS=1 SPARK_LOCAL_IP=127.0.0.1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-sparse.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

need() { # need TOOL CHECK PACKAGE: when TOOL is asked for and CHECK fails, install PACKAGE (as root), else drop TOOL
  case " $TOOLS " in *" $1 "*) ;; *) return 0 ;; esac
  eval "$2" >/dev/null 2>&1 && return 0
  if apt_install "$3" && eval "$2" >/dev/null 2>&1; then say "installed Debian's $3 ($1)"; return 0; fi
  say "WARNING: $1 skipped: install Debian's $3 (apt-get install --no-install-recommends $3, as root)"
  TOOLS=$(printf '%s' "$TOOLS" | sed "s/\b$1\b//")
}
need sklearn "$PY -c 'import sklearn'" python3-sklearn
need liblinear "command -v liblinear-train" liblinear-tools
[ -x /usr/bin/time ] || { say "ERROR: /usr/bin/time is missing (Debian package 'time'): peak RSS needs it"; exit 3; }

# 1. Build: the job (scripts/run.sh) and its test classes (generator, MLlib runner) with a test classpath.
say "compiling"
mvn -B -q -o -pl job -am test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath-test.txt \
  -Dmdep.includeScope=test >&2
TEST_CP="$PWD/job/target/test-classes:$PWD/job/target/classes:$PWD/common-math/target/classes:$(sed 's#[^:]*descent-common-math[^:]*\.jar##' job/target/classpath-test.txt)"
JAVA_FLAGS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-modules=jdk.incubator.vector -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true
  -Dlog4j2.configurationFile=conf/log4j2.properties)
JAVA_CMD=(java -Xmx"${BENCH_HEAP:-3g}" "${JAVA_FLAGS[@]}" -cp "conf:$TEST_CP")
testjava() { "${JAVA_CMD[@]}" "$@"; }

# 2. Data.
for set in $SETS; do
  d="$DIR/$set"
  if [ "${BENCH_REGEN:-0}" = 1 ] || [ ! -f "$d/train.libsvm" ]; then
    rm -rf "$d"; mkdir -p "$d"
    case "$set" in
      gen|gen-k*) k=$CLASSES; [[ $set == gen-k* ]] && k=${set#gen-k}
           say "generating $ROWS + $TEST_ROWS rows x $FEATURES features, $NNZ non-zeros, $k classes"
           testjava org.descent.job.sparsebench.SparseDataGen "$d" "$ROWS" "$TEST_ROWS" "$FEATURES" "$NNZ" "$k" \
             "$NOISE" 42 "$([[ " $TOOLS " == *" mllib "* ]] && echo true || echo false)" | tee "$d/info.txt" ;;
      text) say "hashing /usr/share/man pages to 2^18 features"
           $PY bench/sparse/text_set.py "$d" 18 1 | tee "$d/info.txt" ;;
      *) say "ERROR: unknown set '$set' (gen, text)"; exit 2 ;;
    esac
  fi
done

rss() { sed -n 's/^\s*Maximum resident set size (kbytes): \([0-9]*\)/\1/p' "$1" | tail -n 1; }
wall() { sed -n 's/^\s*Elapsed (wall clock) time (h:mm:ss or m:ss): \(.*\)/\1/p' "$1" | awk -F: '{s=0; for (i=1;i<=NF;i++) s=s*60+$i; print s}'; }

# 3. Runs. Each tool writes CURVE <seconds> <accuracy> lines into $TMP/<set>-<tool>.curve.
run_descent() { # set dir classes features
  local set=$1 d=$2 k=$3 f=$4 out="$TMP/$set-descent"
  local type=softmax; [ "$k" = 2 ] && type=logistic
  local D_OPT D_BATCH D_RATE D_SCHED D_EPS; descent_recipe "$set"
  local eps=""; [ "$D_EPS" = default ] || eps=", epsilon = $D_EPS"
  cat > "$out.conf" <<CONF
data { train-path = "$d/train.libsvm", validation-path = "$d/test.libsvm", format = libsvm,
       label-type = class-index, num-features = $f, num-classes = $k, representation = sparse }
model.type = $type
optimizer { kind = $D_OPT, learning-rate = $D_RATE$eps }
schedule.kind = $D_SCHED # cosine: from the rate to 0 over the whole run (epochs x steps an epoch)
training { epochs = $EPOCHS, batch-size = $D_BATCH, partitions = $PARTITIONS, seed = 1,
           exchange = auto } # auto = allreduce for sparse blocks: rows-only exchange and row-sparse updates
output { model-path = "$out.model", progress = plain }
spark.master = "local[2]"
CONF
  local extra=(); for s in ${BENCH_DESCENT_SET:-}; do extra+=(--set "$s"); done
  DESCENT_LOG_CONSOLE=1 DESCENT_LOG_FILE="$out.descent.log" \
    /usr/bin/time -v -o "$out.time" scripts/run.sh train --config "$out.conf" "${extra[@]}" > "$out.log" 2>&1 \
    || { say "descent failed on $set: $(tail -n 5 "$out.log")"; return 0; }
  $PY - "$out.model.run/metrics.jsonl" > "$out.curve" <<'PY'
import json, sys
spent = 0.0
for line in open(sys.argv[1]):
    r = json.loads(line)
    spent += r['trainSeconds']  # training only: the per-epoch validation pass is not counted
    print(f"CURVE descent {spent:.3f} {r['validation'].get('accuracy', float('nan')):.5f} epoch={r['epoch']}")
PY
  grep -o '[0-9.]* per non-zero' "$out.log" | head -n 1 | sed 's/ per non-zero//' > "$out.bpn" || true
  grep -o 'exchange bytes per step: .*' "$out.log" | head -n 1 > "$out.exchange" || true
  rss "$out.time" > "$out.rss"; wall "$out.time" > "$out.wall"
}

run_sklearn() {
  local set=$1 d=$2 k=$3 f=$4 out="$TMP/$set-sklearn"
  /usr/bin/time -v -o "$out.time" $PY bench/sparse/sklearn_sgd.py "$d/train.libsvm" "$d/test.libsvm" "$f" "$EPOCHS" 1e-6 \
    > "$out.log" 2>&1 || { say "sklearn failed on $set: $(tail -n 5 "$out.log")"; return 0; }
  grep '^CURVE' "$out.log" > "$out.curve"
  sed -n 's/.*bytes_per_nnz=\([0-9.]*\).*/\1/p' "$out.log" > "$out.bpn"
  rss "$out.time" > "$out.rss"; wall "$out.time" > "$out.wall"
}

run_liblinear() { # -s 0: L2-regularised logistic regression (primal); curve over the stopping tolerance
  local set=$1 d=$2 k=$3 f=$4 out="$TMP/$set-liblinear"
  : > "$out.curve"; : > "$out.rss"
  for eps in 1 0.1 0.01; do
    /usr/bin/time -v -o "$out.time" liblinear-train -q -s 0 -c 10 -e "$eps" "$d/train.libsvm" "$out.model" 2> "$out.err" \
      || { say "liblinear failed on $set: $(tail -n 3 "$out.err")"; return 0; }
    local secs acc
    secs=$(wall "$out.time"); echo "$secs" > "$out.wall"
    acc=$(liblinear-predict "$d/test.libsvm" "$out.model" "$out.pred" | sed -n 's/Accuracy = \([0-9.]*\)%.*/\1/p')
    echo "CURVE liblinear $secs $(awk -v a="$acc" 'BEGIN{printf "%.5f", a/100}') eps=$eps" >> "$out.curve"
    rss "$out.time" >> "$out.rss"
  done
  sort -n "$out.rss" | tail -n 1 > "$out.rss.max"; mv "$out.rss.max" "$out.rss"
  echo 16 > "$out.bpn" # struct feature_node {int index; double value;} per non-zero (+1 terminator per row)
}

run_mllib() {
  local set=$1 d=$2 k=$3 f=$4 out="$TMP/$set-mllib"
  if [ ! -d "$d/train.parquet" ]; then say "mllib skipped on $set: no Parquet (the generator writes it)"; return 0; fi
  /usr/bin/time -v -o "$out.time" "${JAVA_CMD[@]}" org.descent.job.sparsebench.MllibLogistic "$d" "local[2]" "$PARTITIONS" 1e-6 \
    "$ITERS" > "$out.log" 2>&1 || { say "mllib failed on $set: $(tail -n 5 "$out.log")"; return 0; }
  grep '^CURVE' "$out.log" > "$out.curve"
  echo n/a > "$out.bpn"
  rss "$out.time" > "$out.rss"; wall "$out.time" > "$out.wall"
}

for set in $SETS; do
  d="$DIR/$set"
  if [ "$set" = text ]; then
    if [ ! -d "$d/train.parquet" ] && [[ " $TOOLS " == *" mllib "* ]]; then
      testjava org.descent.job.sparsebench.LibsvmToParquet "$d" 262144 >&2 || say "WARNING: no Parquet for text: mllib skipped"
    fi
    f=262144; k=8
  else
    f=$FEATURES; k=$CLASSES; [[ $set == gen-k* ]] && k=${set#gen-k}
  fi
  for t in $TOOLS; do say "$set: $t"; "run_$t" "$set" "$d" "$k" "$f"; done
done

# 4. Summary.
echo
echo "== bench-sparse: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ) =="
for set in $SETS; do
  d="$DIR/$set"
  echo "-- $set: $(cat "$d/info.txt" 2>/dev/null | tail -n 1)"
  rows=$(grep -c '' "$d/train.libsvm")
  best=$(cat "$TMP/$set"-*.curve 2>/dev/null | awk '{print $4}' | sort -g | tail -n 1)
  [ -n "$best" ] || { echo "   no results"; continue; }
  target=$(awk -v b="$best" 'BEGIN{printf "%.5f", b - 0.005}')
  printf '   target accuracy %s (best %s minus 0.5 point)\n' "$target" "$best"
  printf '   %-10s %9s %13s %8s %10s %11s %13s %6s %14s\n' tool final_acc time_to_tgt_s wall_s rows_per_s peak_rss_mb \
    bytes_per_nnz points xchg_B_per_step
  for t in $TOOLS; do
    c="$TMP/$set-$t.curve"
    [ -s "$c" ] || { printf '   %-10s %9s\n' "$t" "failed/skipped"; continue; }
    final=$(tail -n 1 "$c" | awk '{print $4}')
    ttt=$(awk -v tg="$target" '$4 >= tg {print $3; exit}' "$c"); ttt=${ttt:-not_reached}
    last=$(tail -n 1 "$c")
    rps=$(printf '%s\n' "$last" | awk -v n="$rows" '{e=1; for(i=5;i<=NF;i++) if ($i ~ /^epoch=/) {split($i,a,"="); e=a[2]} if ($3 > 0) printf "%.0f", n*e/$3; else print "n/a"}')
    [ "$t" = liblinear ] || [ "$t" = mllib ] && rps=n/a
    rssmb=$(awk '{printf "%.0f", $1/1024}' "$TMP/$set-$t.rss" 2>/dev/null)
    xchg=n/a # descent: bytes a rank sends per step (allreduce), or parameters out + partials back (broadcast-collect)
    if [ "$t" = descent ] && [ -s "$TMP/$set-descent.exchange" ]; then
      xchg=$(sed -n 's/.*each of [0-9]* ranks reads \([0-9]*\).*/\1/p; s/.*sends and receives \([0-9]*\).*/\1/p; s/.*parameters \([0-9]*\) out.*partials \([0-9]*\) back.*/\1+\2/p' \
        "$TMP/$set-descent.exchange" | head -n 1 | awk -F+ '{s = 0; for (i = 1; i <= NF; i++) s += $i; print s}')
    fi
    printf '   %-10s %9s %13s %8s %10s %11s %13s %6s %14s\n' "$t" "$final" "$ttt" "$(cat "$TMP/$set-$t.wall" 2>/dev/null)" "$rps" \
      "${rssmb:-n/a}" "$(cat "$TMP/$set-$t.bpn" 2>/dev/null)" "$(wc -l < "$c")" "${xchg:-n/a}"
  done
  for t in $TOOLS; do if [ -s "$TMP/$set-$t.curve" ]; then sed 's/^/   /' "$TMP/$set-$t.curve"; fi; done
  if [ -s "$TMP/$set-descent.exchange" ]; then echo "   descent $(cat "$TMP/$set-descent.exchange")"; fi
  if [ -s "$TMP/$set-descent.curve" ]; then # epoch times (training only) from metrics.jsonl
    echo "   descent epoch seconds (training only): $(awk '{printf "%s ", $3}' "$TMP/$set-descent.curve")(cumulative)"
  fi
done
