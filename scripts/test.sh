#!/usr/bin/env bash
# Runs the whole test suite (README command two). Java 17 and Maven are all it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=1 SPARK_LOCAL_IP=127.0.0.1
exec mvn -B -ntp verify "$@"
