#!/usr/bin/env bash
# README command two: every test descent has. Needs JDK 17, Maven, curl; the rest it brings itself.
#   1. mvn verify: unit and Spark local-mode tests of every module (common-math, job, bench compiles)
#   2. docker-compose.yml validated with `docker-compose config` (Debian's docker-compose, installed
#      when missing and we are root; no Docker engine is needed or used)
#   3. scripts/it-retrain.sh: scheduled retraining end to end (publish, gate rejection, idempotent re-run, retention)
#   4. scripts/it-cluster.sh: a real Spark standalone cluster + HDFS as local processes; train/evaluate
#      on hdfs://, an executor SIGKILLed mid-run, models compared bit for bit with local mode
# Options: --unit-only runs step 1 only. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=1 SPARK_LOCAL_IP=127.0.0.1
UNIT_ONLY=0
if [[ "${1:-}" == --unit-only ]]; then UNIT_ONLY=1; shift; fi
say() { printf '[test] %s\n' "$*"; }
t0=$SECONDS

say "1/4 mvn verify"
mvn -B -ntp verify "$@"
((UNIT_ONLY)) && { say "done in $((SECONDS - t0)) s (unit only)"; exit 0; }

say "2/4 docker-compose.yml"
if ! command -v docker-compose >/dev/null && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null 2>&1 || true
  fi
fi
if command -v docker-compose >/dev/null; then
  docker-compose -f docker-compose.yml config -q
  say "docker-compose.yml is valid ($(docker-compose version --short 2>/dev/null))"
else
  say "WARNING: docker-compose not installed and cannot be installed here: docker-compose.yml not validated"
fi

say "3/4 retraining pipeline (scripts/it-retrain.sh)"
scripts/it-retrain.sh
say "4/4 cluster integration test (scripts/it-cluster.sh)"
scripts/it-cluster.sh
say "all tests passed in $((SECONDS - t0)) s"
# one closing line for CI: JUnit tests from the Surefire reports, plus the two integration scripts
read -r n f sk < <(cat */target/surefire-reports/TEST-*.xml 2>/dev/null | awk '
  /<testsuite / { for (k = 1; k <= NF; k++) { split($k, kv, "="); gsub(/[">]/, "", kv[2])
      if (kv[1] == "tests") t += kv[2]; else if (kv[1] == "failures" || kv[1] == "errors") f += kv[2];
      else if (kv[1] == "skipped") s += kv[2] } }
  END { print t + 0, f + 0, s + 0 }')
echo "test: $((n - sk + 2)) passed, $f failed, $sk skipped"
