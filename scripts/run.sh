#!/usr/bin/env bash
# Runs the descent CLI on the driver JVM with Spark's JVM flags, e.g.
#   scripts/run.sh train --config conf/fashion-mnist-mlp.conf [--set key=value ...]
#   scripts/run.sh convert --idx /usr/share/datasets/fashion-mnist --out data/fashion-mnist
# Builds job classes and the runtime classpath (incl. Spark, which is 'provided') on first use.
# Extra JVM options: DESCENT_JAVA_OPTS (default -Xmx6g -XX:G1HeapRegionSize=16m; why: conf/spark-defaults.conf).
# DESCENT_MAIN_CLASS runs another main class on the same classpath and flags (scripts/bench-fmnist.sh: org.descent.job.bench.FmnistBench).
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=1 SPARK_LOCAL_IP=127.0.0.1
# OpenBLAS on CPUs it does not know: pick the right kernels (scripts/openblas-env.sh)
# shellcheck source=openblas-env.sh
. scripts/openblas-env.sh   # the working directory is the repository root (cd above)
descent_openblas_coretype

CP_FILE=job/target/classpath.txt
if [[ ! -f job/target/classes/org/descent/job/Main.class || ! -f common-math/target/classes/org/descent/math/Matrix.class \
      || ! -f "$CP_FILE" || job/pom.xml -nt "$CP_FILE" || pom.xml -nt "$CP_FILE" ]]; then
  echo "run.sh: building classes and classpath..." >&2
  # includeScope=provided gives the compile classpath incl. provided Spark (checked: 210 entries with
  # spark-core, breeze, picocli); includeScope=runtime would drop Spark. compile and build-classpath run in one
  # reactor session so that common-math resolves to the sibling module (nothing is installed into ~/.m2).
  MVN_CP=(-B -q -pl job -am compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
    -Dmdep.includeScope=provided)
  mvn -o "${MVN_CP[@]}" >&2 || mvn "${MVN_CP[@]}" >&2
  # the job's own sibling module as classes rather than an installed jar
  sed -i 's#[^:]*descent-common-math[^:]*\.jar#'"$PWD"'/common-math/target/classes#' "$CP_FILE"
fi
CP="$PWD/conf:$PWD/job/target/classes:$PWD/common-math/target/classes:$(cat "$CP_FILE")"

SPARK_FLAGS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-modules=jdk.incubator.vector -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true)

# conf/spark-defaults.conf -> -Dspark.key=value, plus what only suits a single machine (local mode):
# the driver on 127.0.0.1 and no web UI (DESCENT_SPARK_UI=1 turns it on at http://127.0.0.1:4040).
SPARK_PROPS=(-Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1
  "-Dspark.ui.enabled=$([[ "${DESCENT_SPARK_UI:-0}" == 1 ]] && echo true || echo false)")
if [[ -f conf/spark-defaults.conf ]]; then
  while read -r key value; do
    [[ -z "$key" || "$key" == \#* ]] && continue
    SPARK_PROPS+=("-D$key=$value")
  done < conf/spark-defaults.conf
fi

# shellcheck disable=SC2086
exec java ${DESCENT_JAVA_OPTS:--Xmx6g -XX:G1HeapRegionSize=16m} "${SPARK_FLAGS[@]}" "${SPARK_PROPS[@]}" \
  -Dlog4j2.configurationFile=conf/log4j2.properties \
  -cp "$CP" "${DESCENT_MAIN_CLASS:-org.descent.job.Main}" "$@"
