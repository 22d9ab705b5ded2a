#!/usr/bin/env bash
# Step 7 of scripts/it-cluster.sh, or on its own against a cluster started by scripts/cluster.sh: a Spark ML
# Pipeline with descent submitted with spark-submit (scripts/submit.sh) to the standalone cluster.
#
#   1. builds descent-spark-ml-*-shaded.jar if missing or older than the sources (package only, never install)
#   2. writes seeded 3-class CSVs (header: label,x0..x3; label a class name) and puts them into HDFS
#   3. submits org.descent.ml.example.PipelineExample: StringIndexer + VectorAssembler + StandardScaler +
#      DescentClassifier fit on the cluster, PipelineModel saved to HDFS, loaded back, test set transformed again
#   4. passes when the driver prints "reloaded identical: true" and an accuracy of at least IT_ML_MIN_ACCURACY (0.85),
#      and the saved model holds the descent stage's model directory on HDFS
#
# Usage: scripts/it-spark-ml.sh WORK_DIR HDFS_URL HDFS_BASE      (exit 0 = pass; logs in WORK_DIR/spark-ml-*.log)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER="$REPO/scripts/cluster.sh"
WORK="${1:?usage: it-spark-ml.sh WORK_DIR HDFS_URL HDFS_BASE}"
HDFS_URL="${2:?HDFS_URL}"
BASE="${3:?HDFS_BASE}/spark-ml"
MIN_ACC="${IT_ML_MIN_ACCURACY:-0.85}"
log() { echo "it-spark-ml: $(date +%T) $*" >&2; }
fail() { echo "it-spark-ml: FAIL: $*" >&2; exit 1; }
mkdir -p "$WORK"

SPARK_HOME="$("$CLUSTER" env | sed -n 's/^SPARK_HOME=//p')"
compgen -G "$SPARK_HOME/jars/spark-mllib_*.jar" >/dev/null \
  || fail "no spark-mllib in $SPARK_HOME/jars: restart the cluster so scripts/cluster.sh re-resolves its jars"

jar=$(ls "$REPO"/spark-ml/target/descent-spark-ml-*-shaded.jar 2>/dev/null | head -1 || true)
if [[ -z "$jar" || -n "$(find "$REPO"/{pom.xml,spark-ml/pom.xml,spark-ml/src/main,job/src/main,common-math/src/main} \
      -newer "$jar" -type f -print -quit)" ]]; then
  log "building the spark-ml shaded jar"
  (cd "$REPO" && mvn -B -ntp -q -o -DskipTests -pl spark-ml -am package) > "$WORK/spark-ml-build.log" 2>&1 \
    || fail "build failed, see $WORK/spark-ml-build.log"
  jar=$(ls "$REPO"/spark-ml/target/descent-spark-ml-*-shaded.jar | head -1)
fi

# 3 blobs in 4-D with different scales (so the StandardScaler matters); class names as labels
make_csv() { # FILE ROWS SEED
  awk -v n="$2" -v seed="$3" 'BEGIN {
    s = seed; pi = 3.141592653589793; split("setosa versicolor virginica", name, " ")
    split("1 10 0.1 100", scale, " ")
    print "label,x0,x1,x2,x3"
    for (i = 0; i < n; i++) {
      c = i % 3; line = name[c + 1]
      for (j = 0; j < 4; j++) {
        s = (s * 1103515245 + 12345) % 2147483648; u1 = (s + 1) / 2147483649
        s = (s * 1103515245 + 12345) % 2147483648; u2 = (s + 1) / 2147483649
        z = sqrt(-2 * log(u1)) * cos(2 * pi * u2)
        mu = (j % 3 == c) ? 3 : 0
        line = line sprintf(",%.6f", (mu + z) * scale[j + 1] + 5)
      }
      print line
    }
  }' > "$1"
}
make_csv "$WORK/ml-train.csv" 3000 7
make_csv "$WORK/ml-test.csv" 1000 8
"$CLUSTER" hdfs -mkdir -p "$BASE"
"$CLUSTER" hdfs -put -f "$WORK/ml-train.csv" "$WORK/ml-test.csv" "$BASE/"

log "submitting the Pipeline example ($(basename "$jar")) to the cluster"
t=$SECONDS
timeout --signal=TERM "${IT_TIMEOUT:-900}" "$REPO/scripts/submit.sh" --jar "$jar" \
    --class org.descent.ml.example.PipelineExample -- \
    "$HDFS_URL$BASE/ml-train.csv" "$HDFS_URL$BASE/ml-test.csv" "$HDFS_URL$BASE/pipeline-model" \
    > "$WORK/spark-ml-submit.log" 2>&1 || fail "the Pipeline example failed, see $WORK/spark-ml-submit.log"
grep -q "^reloaded identical: true" "$WORK/spark-ml-submit.log" \
  || fail "the reloaded PipelineModel did not transform identically, see $WORK/spark-ml-submit.log"
acc=$(sed -n 's/^accuracy //p' "$WORK/spark-ml-submit.log" | tail -1)
awk -v a="$acc" -v m="$MIN_ACC" 'BEGIN { exit !(a >= m) }' || fail "accuracy $acc below $MIN_ACC"
"$CLUSTER" hdfs -ls -R "$BASE/pipeline-model" > "$WORK/spark-ml-model-files.txt"
grep -q "/descent/metadata.json" "$WORK/spark-ml-model-files.txt" \
  || fail "the saved pipeline has no descent model directory (see $WORK/spark-ml-model-files.txt)"
log "PASS: accuracy $acc (bar $MIN_ACC), reloaded model identical, model on HDFS; $((SECONDS - t)) s"
