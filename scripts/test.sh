#!/usr/bin/env bash
# README command two: every test descent has. Needs JDK 17, Maven, curl; the rest it brings itself.
#   0. as root with apt-get, installs what the tests need when missing (waiting for the dpkg lock): Debian's
#      chromium (HtmlReportBrowserTest renders report.html in it), dataset-fashion-mnist (ConvRecurrentQualityTest
#      trains a CNN and an LSTM on a slice of it) and docker-compose (step 2)
#   1. mvn verify: unit and Spark local-mode tests of every module (common-math, job, bench compiles)
#   2. docker-compose.yml validated with `docker-compose config` (no Docker engine is needed or used)
#   3. scripts/it-retrain.sh: scheduled retraining end to end (publish, gate rejection, idempotent re-run, retention)
#   4. scripts/it-cluster.sh: a real Spark standalone cluster + HDFS as local processes; train/evaluate
#      on hdfs://, an executor SIGKILLed mid-run, models compared bit for bit with local mode
# Options: --unit-only runs steps 0-1 only. Extra arguments go to Maven.
# The last line is the CI summary: "test: N passed, N failed, N skipped" over the JUnit tests of this run
# (stale Surefire reports are deleted first) plus steps 2-4 (a step that could not run counts as skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=1 SPARK_LOCAL_IP=127.0.0.1
UNIT_ONLY=0
if [[ "${1:-}" == --unit-only ]]; then UNIT_ONLY=1; shift; fi
say() { printf '[test] %s\n' "$*"; }
t0=$SECONDS
EXTRA_PASSED=0 EXTRA_FAILED=0 EXTRA_SKIPPED=0

source scripts/lib/apt.sh # apt_install

summary() { # the closing line (JUnit reports of this run + steps 2-4)
  local n f sk
  read -r n f sk < <(cat */target/surefire-reports/TEST-*.xml 2>/dev/null | awk '
    /<testsuite / { for (k = 1; k <= NF; k++) { split($k, kv, "="); gsub(/[">]/, "", kv[2])
        if (kv[1] == "tests") t += kv[2]; else if (kv[1] == "failures" || kv[1] == "errors") f += kv[2];
        else if (kv[1] == "skipped") s += kv[2] } }
    END { print t + 0, f + 0, s + 0 }')
  echo "test: $((n - f - sk + EXTRA_PASSED)) passed, $((f + EXTRA_FAILED)) failed, $((sk + EXTRA_SKIPPED)) skipped"
}

say "0/4 tools the tests use"
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  if apt_install chromium; then say "installed Debian's chromium (report.html browser test)"
  else say "WARNING: chromium not installed and cannot be installed here: HtmlReportBrowserTest will be skipped"; fi
fi
if [[ ! -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]]; then
  if apt_install dataset-fashion-mnist; then say "installed Debian's dataset-fashion-mnist (CNN/LSTM quality test)"
  else say "WARNING: dataset-fashion-mnist not installed and cannot be installed here: ConvRecurrentQualityTest will be skipped"; fi
fi
if ((!UNIT_ONLY)) && ! command -v docker-compose >/dev/null; then
  apt_install docker-compose || true
fi

say "1/4 mvn verify"
rm -rf -- */target/surefire-reports # counted below: only this run's reports
if ! mvn -B -ntp -Dstyle.color=never verify "$@"; then
  summary
  exit 1
fi
if ((UNIT_ONLY)); then
  say "done in $((SECONDS - t0)) s (unit only)"
  summary
  exit 0
fi

say "2/4 docker-compose.yml"
step() { # step COMMAND...: run an integration step, count it, go on to the next one
  if "$@"; then EXTRA_PASSED=$((EXTRA_PASSED + 1)); else say "FAILED: $*"; EXTRA_FAILED=$((EXTRA_FAILED + 1)); fi
}
if command -v docker-compose >/dev/null; then
  step docker-compose -f docker-compose.yml config -q
  say "docker-compose.yml checked with docker-compose $(docker-compose version --short 2>/dev/null)"
else
  say "WARNING: docker-compose not installed and cannot be installed here: docker-compose.yml not validated"
  EXTRA_SKIPPED=$((EXTRA_SKIPPED + 1))
fi

say "3/4 retraining pipeline (scripts/it-retrain.sh)"
step scripts/it-retrain.sh
say "4/4 cluster integration test (scripts/it-cluster.sh)"
step scripts/it-cluster.sh
if ((EXTRA_FAILED)); then say "$EXTRA_FAILED step(s) failed after $((SECONDS - t0)) s"; else say "all tests passed in $((SECONDS - t0)) s"; fi
summary
exit $((EXTRA_FAILED > 0))
