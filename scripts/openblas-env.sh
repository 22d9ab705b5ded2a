# Sourced by scripts/run.sh and scripts/bench-fmnist.sh (not run directly).
#
# Debian's OpenBLAS 0.3.21 picks its kernels by CPU model. On CPUs newer than it knows (e.g. the "Intel Xeon
# Processor", family 6 model 207, of the development machines) it falls back to the generic "Prescott" (SSE3)
# kernels: measured 15 instead of 51 GFLOP/s for a float64 128x784x256 GEMM on one thread, 31 instead of 114 in
# float32. When that happens, and the CPU has the instructions, this sets OPENBLAS_CORETYPE to the best kernel
# set it supports (SkylakeX for AVX-512 F/BW/DQ/VL, Haswell for AVX2+FMA) for this process and its children
# (the Spark executors of a local run, torch in the bench). An OPENBLAS_CORETYPE already set is left alone;
# DESCENT_OPENBLAS_CORETYPE=none disables the probe. On a cluster set spark.executorEnv.OPENBLAS_CORETYPE
# yourself if its nodes have the same problem (docs/cluster.md).
descent_openblas_coretype() {
  [ -n "${OPENBLAS_CORETYPE:-}" ] && return 0
  [ "${DESCENT_OPENBLAS_CORETYPE:-auto}" = none ] && return 0
  if [ "${DESCENT_OPENBLAS_CORETYPE:-auto}" != auto ]; then export OPENBLAS_CORETYPE=$DESCENT_OPENBLAS_CORETYPE; return 0; fi
  local py core flags
  for py in /usr/bin/python3 python3; do
    command -v "$py" >/dev/null 2>&1 || continue
    # loading the library makes OpenBLAS report the kernel set it chose
    core=$(OPENBLAS_VERBOSE=2 "$py" -c 'import ctypes; ctypes.CDLL("libblas.so.3")' 2>&1 | sed -n 's/^Core: //p' | head -n 1) || core=
    break
  done
  [ "${core:-}" = Prescott ] || return 0
  flags=" $(grep -m 1 '^flags' /proc/cpuinfo 2>/dev/null || true) "
  if [[ $flags == *" avx512f "* && $flags == *" avx512bw "* && $flags == *" avx512dq "* && $flags == *" avx512vl "* ]]; then
    export OPENBLAS_CORETYPE=SkylakeX
  elif [[ $flags == *" avx2 "* && $flags == *" fma "* ]]; then
    export OPENBLAS_CORETYPE=Haswell
  else
    return 0
  fi
  printf '[descent] OpenBLAS does not know this CPU and would use its generic Prescott kernels; using OPENBLAS_CORETYPE=%s (DESCENT_OPENBLAS_CORETYPE=none: do not)\n' \
    "$OPENBLAS_CORETYPE" >&2
}
