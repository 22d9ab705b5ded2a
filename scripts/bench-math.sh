#!/usr/bin/env bash
# JMH benchmarks of common-math: GEMM 128x784 . 784x256 and one forward+backward of a
# 784-256-128-10 ReLU network (softmax CE) on 128 rows. Prints the BLAS implementation netlib
# picked and GFLOP/s (mean and median over measurement iterations).
#
# Runs once per BLAS mode in BENCH_BLAS (default "native java"):
#   native  netlib's default choice: the system libblas.so.3 (OpenBLAS if libopenblas0 is installed)
#   java    native library skipped (-Ddev.ludovic.netlib.blas.nativeLib=none): VectorBLAS
# Overrides: BENCH_WARMUP (iterations, 3), BENCH_ITER (5), BENCH_TIME (per iteration, 1s),
# BENCH_FORKS (1), MVN_FLAGS (e.g. -o). Extra arguments go to JMH (e.g. a benchmark regex).
# OPENBLAS_NUM_THREADS defaults to 1 (one Spark task per core in production).
set -euo pipefail
cd "$(dirname "$0")/.."

export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
# shellcheck source=openblas-env.sh
. scripts/openblas-env.sh
descent_openblas_coretype
warmup="${BENCH_WARMUP:-3}"
iterations="${BENCH_ITER:-5}"
time="${BENCH_TIME:-1s}"
forks="${BENCH_FORKS:-1}"
modes="${BENCH_BLAS:-native java}"

# Package (never install) common-math and bench; bench writes its runtime classpath.
# shellcheck disable=SC2086
mvn -B -q -ntp -Dstyle.color=never ${MVN_FLAGS:-} -pl bench -am package -DskipTests
cp="$(ls bench/target/descent-bench-*.jar):$(cat bench/target/classpath.txt)"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1)"
for mode in $modes; do
    case "$mode" in
        native) props=() ;;
        java) props=(-Ddev.ludovic.netlib.blas.nativeLib=none) ;;
        *) echo "unknown BENCH_BLAS mode '$mode' (use native or java)" >&2; exit 2 ;;
    esac
    echo
    echo "=== BLAS mode: $mode"
    # -jvmArgsAppend replaces the benchmarks' @Fork(jvmArgsAppend), so repeat --add-modules there.
    java --add-modules=jdk.incubator.vector "${props[@]}" -cp "$cp" org.descent.bench.BenchMain \
        -wi "$warmup" -i "$iterations" -w "$time" -r "$time" -f "$forks" \
        -jvmArgsAppend "--add-modules=jdk.incubator.vector ${props[*]:-}" "$@" 2>&1 \
        | grep -v -E '^WARNING: Using incubator modules|^# (Warmup|Measurement|Timeout|Threads|VM|JMH|Blackhole|Benchmark mode)' \
        | sed '/^REMEMBER: The numbers below/,/^$/d'
done

if python3 -c 'import numpy' 2>/dev/null; then
    echo
    echo "=== numpy reference (same shapes, float64, OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS)"
    python3 scripts/bench_numpy.py
else
    echo
    echo "(numpy not importable: numpy comparison skipped)"
fi
