#!/usr/bin/env bash
# A step of scripts/it-cluster.sh (run while its standalone cluster and HDFS are up), or on its own against a
# cluster started by scripts/cluster.sh: a SPARSE, wide job (issue #12) with input and output on HDFS.
#
#   1. writes a seeded sparse LIBSVM set (IT_SPARSE_ROWS rows, 2^16 features, ~12 non-zeros a row, 4 classes: each
#      class owns 40 keyword features, a row holds 4 of its keywords and 8 random features) and puts it into HDFS
#   2. reference: `train` of a sparse softmax (data.representation = sparse, broadcast-collect: the executors work in
#      the batch's compact feature space and the driver broadcasts only the rows a step reads) in local mode
#   3. the same `train` on the cluster, hdfs:// in and out; `evaluate` of the HDFS model on the HDFS test file
#   4. passes when the cluster's params.bin equals the local one bit for bit and the test accuracy reaches
#      IT_SPARSE_MIN_ACCURACY (0.9; chance is 0.25)
#
# Usage: scripts/it-cluster-sparse.sh WORK_DIR HDFS_URL HDFS_BASE   (exit 0 = pass; logs in WORK_DIR/sparse-*.log)
# Settings: IT_SPARSE_ROWS (4000), IT_SPARSE_PARTITIONS (4), IT_TIMEOUT (seconds per submit, 900).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER="$REPO/scripts/cluster.sh"
SUBMIT="$REPO/scripts/submit.sh"
WORK="${1:?usage: it-cluster-sparse.sh WORK_DIR HDFS_URL HDFS_BASE}/sparse"
HDFS_URL="${2:?HDFS_URL}"
BASE="${3:?HDFS_BASE}/sparse"
ROWS="${IT_SPARSE_ROWS:-4000}"
PARTS="${IT_SPARSE_PARTITIONS:-4}"
MIN_ACC="${IT_SPARSE_MIN_ACCURACY:-0.9}"
FEATURES=65536
log() { echo "it-cluster-sparse: $(date +%T) $*" >&2; }
fail() { echo "it-cluster-sparse: FAIL: $*" >&2; exit 1; }
rm -rf "$WORK"; mkdir -p "$WORK"

make_data() { # FILE ROWS SEED: planted keywords (the same in every file) + random features, sorted indices
  awk -v n="$2" -v d="$FEATURES" -v seed="$3" 'function rnd(m) { s = (s * 1103515245 + 12345) % 2147483648; return int(s / 2147483648 * m) }
  BEGIN {
    s = 4242; for (c = 0; c < 4; c++) for (k = 0; k < 40; k++) kw[c, k] = 1 + rnd(d)
    s = seed
    for (i = 0; i < n; i++) {
      c = rnd(4); delete f; m = 0
      while (m < 4) { j = kw[c, rnd(40)]; if (!(j in f)) { f[j] = 1 + rnd(3); m++ } }
      while (m < 12) { j = 1 + rnd(d); if (!(j in f)) { f[j] = 1 + rnd(3); m++ } }
      k = 0; for (j in f) idx[k++] = j + 0
      for (a = 1; a < k; a++) { v = idx[a]; b = a - 1; while (b >= 0 && idx[b] > v) { idx[b + 1] = idx[b]; b-- } idx[b + 1] = v }
      line = c; for (a = 0; a < k; a++) line = line " " idx[a] ":" f[idx[a]]
      print line
    }
  }' > "$1"
}
make_data "$WORK/train.libsvm" "$ROWS" 11
make_data "$WORK/test.libsvm" "$((ROWS / 4))" 12
"$CLUSTER" hdfs -mkdir -p "$BASE"
"$CLUSTER" hdfs -put -f "$WORK/train.libsvm" "$WORK/test.libsvm" "$BASE/"

cat > "$WORK/sparse.conf" <<EOF
data { format = libsvm, label-type = class-index, num-features = $FEATURES, num-classes = 4,
       representation = sparse, scaling = max-abs }
model.type = softmax
optimizer { kind = adagrad, learning-rate = 0.3 }
training { epochs = 3, batch-size = 200, partitions = $PARTS, seed = 9, validation-fraction = 0,
           exchange = broadcast-collect }
EOF
train() { # LOG MASTER_ARGS... -- TRAIN_URL MODEL_URL
  local logf="$1"; shift
  local opts=(); while [[ "$1" != -- ]]; do opts+=("$1"); shift; done; shift
  timeout --signal=TERM "${IT_TIMEOUT:-900}" "$SUBMIT" "${opts[@]}" -- train --config "$WORK/sparse.conf" \
    --set "data.train-path=$1" --set "output.model-path=$2" --set output.overwrite=true > "$logf" 2>&1
}

log "sparse softmax, local mode (reference)"
train "$WORK/sparse-train-local.log" --master "local[2]" -- "file://$WORK/train.libsvm" "file://$WORK/local-model" \
  || fail "local-mode sparse train failed, see $WORK/sparse-train-local.log"
grep -q "sparse blocks" "$WORK/sparse-train-local.log" || fail "the local run did not use sparse blocks; see $WORK/sparse-train-local.log"

log "sparse softmax on the cluster (hdfs in, hdfs out)"
train "$WORK/sparse-train-cluster.log" -- "$HDFS_URL$BASE/train.libsvm" "$HDFS_URL$BASE/model" \
  || fail "cluster sparse train failed, see $WORK/sparse-train-cluster.log"
timeout --signal=TERM "${IT_TIMEOUT:-900}" "$SUBMIT" -- evaluate --model "$HDFS_URL$BASE/model" \
  --data "$HDFS_URL$BASE/test.libsvm" --out "$HDFS_URL$BASE/model.eval.json" --overwrite > "$WORK/sparse-evaluate.log" 2>&1 \
  || fail "cluster evaluate of the sparse model failed, see $WORK/sparse-evaluate.log"
acc=$(grep -oE '^accuracy [0-9.]+' "$WORK/sparse-evaluate.log" | tail -1 | awk '{print $2}')
[[ -n "$acc" ]] || fail "evaluate printed no accuracy, see $WORK/sparse-evaluate.log"
awk -v a="$acc" -v m="$MIN_ACC" 'BEGIN { exit !(a >= m) }' || fail "sparse model accuracy $acc below $MIN_ACC"

"$CLUSTER" hdfs -get "$BASE/model" "$WORK/cluster-model"
cmp "$WORK/local-model/params.bin" "$WORK/cluster-model/params.bin" \
  || fail "the cluster's sparse params.bin differs from local mode's (same config, seed, partitions)"
log "PASS: sparse softmax ($FEATURES features, $ROWS rows, $PARTS partitions): cluster == local[2] bit for bit," \
  "test accuracy $acc (bar $MIN_ACC)"
