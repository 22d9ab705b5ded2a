#!/usr/bin/env bash
# Submits the descent job (the shaded jar, built if missing) with spark-submit's own entry point,
# run from the jars of the local cluster's SPARK_HOME (scripts/cluster.sh prepare|start): no Spark tarball.
#
#   scripts/submit.sh [--master URL] [spark-submit options...] -- <descent args...>
#
#   --master URL        default: the local cluster, spark://127.0.0.1:$DESCENT_SPARK_MASTER_PORT (7077);
#                       local[N] works too (no cluster needed, only its jars)
#   --driver-memory M   heap of this (client-mode) driver JVM, default $DESCENT_DRIVER_MEMORY or 2g
#   --jar FILE          application jar, default job/target/descent-job-<version>-shaded.jar ($DESCENT_JOB_JAR)
#   --class NAME        main class, default org.descent.job.Main
#   anything else before `--` goes to SparkSubmit unchanged (--conf k=v, --executor-memory 1g, --name ...)
#
# Always added: --conf spark.executorEnv.OPENBLAS_NUM_THREADS=1 (one BLAS thread per task slot; the driver
# gets OPENBLAS_NUM_THREADS=1 too), conf/spark-defaults.conf as --properties-file if it exists, and for
# the local cluster or local[N] --conf spark.hadoop.dfs.replication=1 (set DESCENT_DFS_REPLICATION to force a value
# for other masters). The driver runs in client mode in this JVM, with Spark's --add-opens flags from the
# parent pom. Log config: $DESCENT_DRIVER_LOG4J, else $SPARK_HOME/conf/log4j2.properties.
# Exit status is the driver's.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { echo "submit.sh: error: $*" >&2; exit 1; }

MASTER="spark://127.0.0.1:${DESCENT_SPARK_MASTER_PORT:-7077}"
DRIVER_MEMORY="${DESCENT_DRIVER_MEMORY:-2g}"
JAR="${DESCENT_JOB_JAR:-}"
CLASS=org.descent.job.Main
SPARK_OPTS=()
while [[ $# -gt 0 && "$1" != -- ]]; do
  case "$1" in
    --master) MASTER="${2:?--master needs a URL}"; shift 2 ;;
    --master=*) MASTER="${1#*=}"; shift ;;
    --driver-memory) DRIVER_MEMORY="${2:?}"; shift 2 ;;
    --jar) JAR="${2:?--jar needs a file}"; shift 2 ;;
    --class) CLASS="${2:?--class needs a name}"; shift 2 ;;
    --deploy-mode) [[ "${2:-}" == client ]] || die "only client deploy mode from this script (see docs/cluster.md for cluster mode)"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) SPARK_OPTS+=("$1"); shift ;;
  esac
done
[[ "${1:-}" == -- ]] && shift
APP_ARGS=("$@")

# SPARK_HOME: the local cluster's (resolved by Maven), unless the caller brings one with jars/.
if [[ -z "${SPARK_HOME:-}" || ! -d "${SPARK_HOME}/jars" ]]; then
  SPARK_HOME="$("$REPO/scripts/cluster.sh" env | sed -n 's/^SPARK_HOME=//p')"
  if [[ ! -f "$SPARK_HOME/jars/.resolved" ]]; then
    "$REPO/scripts/cluster.sh" prepare >/dev/null || die "could not prepare SPARK_HOME ($SPARK_HOME)"
  fi
fi
export SPARK_HOME SPARK_SCALA_VERSION=2.13
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"

# The application jar: the shaded job jar, built (package only, never install) if missing.
if [[ -z "$JAR" ]]; then
  shopt -s nullglob
  jars=("$REPO"/job/target/descent-job-*-shaded.jar)
  shopt -u nullglob
  if ((${#jars[@]} == 0)); then
    echo "submit.sh: building the shaded job jar (mvn package -pl job -am -DskipTests)" >&2
    (cd "$REPO" && { mvn -B -ntp -q -o -DskipTests -pl job -am package || mvn -B -ntp -q -DskipTests -pl job -am package; }) >&2 \
      || die "building the job jar failed"
    jars=("$REPO"/job/target/descent-job-*-shaded.jar)
  fi
  JAR="$(ls -t "${jars[@]}" | head -1)"
fi
[[ -f "$JAR" ]] || die "application jar not found: $JAR"

# Local cluster or local mode: bind the driver to 127.0.0.1 and use HDFS replication 1.
EXTRA=()
case "$MASTER" in
  spark://127.0.0.1:*|spark://localhost:*|local|local\[*)
    export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
    EXTRA+=(--conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1)
    EXTRA+=(--conf "spark.hadoop.dfs.replication=${DESCENT_DFS_REPLICATION:-1}") ;;
  *)
    [[ -n "${DESCENT_DFS_REPLICATION:-}" ]] && EXTRA+=(--conf "spark.hadoop.dfs.replication=$DESCENT_DFS_REPLICATION") ;;
esac
[[ -f "$REPO/conf/spark-defaults.conf" ]] && EXTRA+=(--properties-file "$REPO/conf/spark-defaults.conf")

JVM_FLAGS="$(sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' "$REPO/pom.xml" | head -1)"
[[ -n "$JVM_FLAGS" ]] || die "cannot read <spark.jvm.flags> from $REPO/pom.xml"
LOG4J="${DESCENT_DRIVER_LOG4J:-$SPARK_HOME/conf/log4j2.properties}"

CP="$SPARK_HOME/conf:$SPARK_HOME/jars/*"
# YARN / a remote HDFS: spark-submit puts these conf dirs on the classpath too
[[ -n "${HADOOP_CONF_DIR:-}" ]] && CP="$HADOOP_CONF_DIR:$CP"
[[ -n "${YARN_CONF_DIR:-}" ]] && CP="$YARN_CONF_DIR:$CP"

# shellcheck disable=SC2086
exec java $JVM_FLAGS "-Xmx$DRIVER_MEMORY" "-Dlog4j2.configurationFile=$LOG4J" -cp "$CP" \
  org.apache.spark.deploy.SparkSubmit \
  --master "$MASTER" \
  --class "$CLASS" \
  --conf spark.executorEnv.OPENBLAS_NUM_THREADS=1 \
  "${EXTRA[@]}" \
  "${SPARK_OPTS[@]}" \
  "$JAR" "${APP_ARGS[@]}"
