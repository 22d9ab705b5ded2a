#!/usr/bin/env bash
# Runs the descent CLI on the driver JVM with Spark's JVM flags, e.g.
#   scripts/run.sh train --config conf/fashion-mnist-mlp.conf [--set key=value ...]
#   scripts/run.sh convert --idx /usr/share/datasets/fashion-mnist --out data/fashion-mnist
# Builds job classes and the runtime classpath (incl. Spark, which is 'provided') on first use, and again when a source changed.
# Extra JVM options: DESCENT_JAVA_OPTS (default: -Xmx sized from the input, see descent_heap below,
# GC_OPTS below (-XX:G1HeapRegionSize=16m, why: conf/spark-defaults.conf; a larger young generation) and the JIT
# thresholds and directives of JIT_OPTS below).
# DESCENT_MAIN_CLASS runs another main class on the same classpath and flags (scripts/bench-fmnist.sh: org.descent.job.bench.FmnistBench).
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=1 SPARK_LOCAL_IP=127.0.0.1
# OpenBLAS on CPUs it does not know: pick the right kernels (scripts/openblas-env.sh)
# shellcheck source=openblas-env.sh
. scripts/openblas-env.sh   # the working directory is the repository root (cd above)
descent_openblas_coretype

CP_FILE=job/target/classpath.txt
# A source newer than the class-path file (written, then touched, by the last build here) means the classes may be
# stale, e.g. after a git pull: rebuild (an incremental compile) rather than run old code. So does this script (how the
# class path is built may have changed).
if [[ ! -f job/target/classes/org/descent/job/Main.class || ! -f common-math/target/classes/org/descent/math/Matrix.class \
      || ! -f "$CP_FILE" || job/pom.xml -nt "$CP_FILE" || pom.xml -nt "$CP_FILE" || scripts/run.sh -nt "$CP_FILE" \
      || -n "$(find job/src/main common-math/src/main -newer "$CP_FILE" -type f -print -quit 2>/dev/null)" ]]; then
  echo "run.sh: building classes and classpath..." >&2
  # includeScope=compile is compile + provided + system scope: the run-time class path incl. provided Spark (191 jars
  # with spark-core, breeze, picocli) and no test jars (includeScope=runtime would drop Spark). The plugin's property
  # is includeScope: the former -Dmdep.includeScope was ignored and gave the test class path, whose spark-mllib jar
  # registers a Spark session extension (org.apache.spark.sql.ml.InternalFunctionRegistration: Spark Connect ML's SQL
  # functions, built with Scala runtime reflection) that cost every session start ~1.6 s and ~3 CPU seconds on 2 cores
  # (issue 17). compile and build-classpath run in one reactor session so that common-math resolves to the sibling
  # module (nothing is installed into ~/.m2).
  MVN_CP=(-B -q -Dstyle.color=never -pl job -am compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
    -DincludeScope=compile)
  # Debian's Maven 3.8 prints ANSI resets (ESC[0m) even with -B -q -Dstyle.color=never: strip them
  mvn_plain() { mvn "$@" 2>&1 | sed -u 's/\x1b\[[0-9;]*m//g' >&2; }
  mvn_plain -o "${MVN_CP[@]}" || mvn_plain "${MVN_CP[@]}"
  touch "$CP_FILE" # the plugin leaves an unchanged file alone: without this every later run would rebuild
  # the job's own sibling module as classes rather than an installed jar
  sed -i 's#[^:]*descent-common-math[^:]*\.jar#'"$PWD"'/common-math/target/classes#' "$CP_FILE"
fi
# Default heap: sized from the data the command names (--config FILE's data.train-path / data.validation-path, or
# --set overrides of them), not a fixed 6 GB: G1 grows a big heap (and the RSS) with garbage before it collects, and
# the peak RSS comes late, in training, near the heap G1 was allowed. At its peak the data stage holds every value
# twice: the parsed rows and the packed blocks, 1 byte a value each when a chunk / block takes at most 256 distinct
# values (pixels, counts, flags: coded, RowBlock / CodedRows), else 4 or 8 (parsed: float32-exact or not) and 8 or 4
# (blocks: float64 or float32); Spark keeps about 60% of (heap - 300 MB) for cached blocks. Text takes at most ~2 x
# its size (>= 8 bytes a real value on disk, 16 in the heap; small integers are coded): 512 MB + 4 x. Parquet can
# compress values we do not code 10-20 x (Fashion-MNIST's pixels: 0.64 bytes a value), so it keeps the former 12 x:
# 512 MB + 12 x. At least 640 MB, at most 3/4 of the machine's memory. Measured (FmnistBench float64, 5 epochs, loaded
# machine): Fashion-MNIST (35 MB of Parquet) gets 920 MB, peak RSS 0.86 GB (0.87-0.94 GB at the former 1 GB + 12 x =
# 1.4 GB; 1.16-1.22 GB before coded blocks); coded it needs no spill down to 512 MB (0.72-0.81 GB at 512-648 MB).
# The same data not coded (the build before coded blocks) ran out of heap at 648 MB and spills at 920 MB: it trains,
# slower (the cache is training.storage-level = memory-and-disk). The sparse text set of bench-sparse (70 MB of
# LIBSVM) gets 780 MB instead of 1.86 GB: the same model, peak RSS 0.99 instead of 1.37 GB, no spill. A run that
# spills or runs out of heap: set DESCENT_JAVA_OPTS=-Xmx...
# config_path KEY FILE: the first value of KEY (train-path, validation-path, format) in a HOCON file, in any of its layouts
# (one key a line inside data { }, several on one line separated by commas, or dotted data.KEY = ...), quoted or not
config_path() {
  grep -vE '^[[:space:]]*(#|//)' "$2" \
    | grep -oE "(^|[^[:alnum:]_-])(data\.)?$1[[:space:]]*[=:][[:space:]]*(\"[^\"]*\"|[^\",}#[:space:]]+)" | head -n 1 \
    | sed -E "s/^.*$1[[:space:]]*[=:][[:space:]]*//; s/^\"//; s/\"\$//"
}
descent_heap() {
  local prev="" a cfg="" train="" val="" fmt=""
  for a in "$@"; do
    [[ "$prev" == --config ]] && cfg=$a
    if [[ "$prev" == --set && "$a" =~ ^data\.(train|validation)-path=(.*)$ ]]; then
      if [[ ${BASH_REMATCH[1]} == train ]]; then train=${BASH_REMATCH[2]//\"/}; else val=${BASH_REMATCH[2]//\"/}; fi
    fi
    [[ "$prev" == --set && "$a" =~ ^data\.format=(.*)$ ]] && fmt=${BASH_REMATCH[1]//\"/}
    prev=$a
  done
  if [[ -n "$cfg" && -f "$cfg" ]]; then
    [[ -z "$train" ]] && train=$(config_path train-path "$cfg")
    [[ -z "$val" ]] && val=$(config_path validation-path "$cfg")
    [[ -z "$fmt" ]] && fmt=$(config_path format "$cfg")
  fi
  local parquet=0 text=0 p b
  for p in "$train" "$val"; do
    p=${p%"${p##*[![:space:]]}"}
    if [[ -n "$p" && -e "$p" ]] && b=$(du -sbL "$p" 2>/dev/null | cut -f1); then
      # data.format when the config names it (Hive and Trino write Parquet files without a .parquet suffix), else the
      # file names
      if [[ "${fmt,,}" == parquet || ( -z "$fmt" && ( "$p" == *.parquet \
            || -n "$(find -L "$p" -maxdepth 3 -name '*.parquet' -print -quit 2>/dev/null)" ) ) ]]; then
        parquet=$((parquet + b))
      else
        text=$((text + b))
      fi
    fi
  done
  local mb=$((512 + (12 * parquet + 4 * text) / 1048576)) ram
  ram=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo 2>/dev/null || echo 8192)
  (( mb < 640 )) && mb=640
  (( mb > ram * 3 / 4 )) && mb=$((ram * 3 / 4))
  echo "-Xmx${mb}m"
}

# The jars first, then conf/ and the job's class directories: a class-data sharing archive (scripts/cds.sh) can only
# hold classes from jars, and the JVM accepts it when its class path is a prefix of the run's. No jar has a class or
# root resource that conf/ or the directories also have (checked), so the order changes nothing else.
JARS=$(tr ':' '\n' < "$CP_FILE" | grep '\.jar$' | paste -sd:)
DIRS=$(tr ':' '\n' < "$CP_FILE" | { grep -v '\.jar$' || true; } | paste -sd:) # common-math/target/classes
CP="$JARS:$PWD/conf:$PWD/job/target/classes${DIRS:+:$DIRS}"

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

# Logging (conf/log4j2.properties): descent's warnings and errors on the console, Spark's and Hadoop's lines
# only in the log file (DESCENT_LOG_FILE, default logs/descent.log); DESCENT_LOG_CONSOLE=1 shows them too.
LOG_PROPS=("-Ddescent.log.file=${DESCENT_LOG_FILE:-$PWD/logs/descent.log}")
if [[ "${DESCENT_LOG_CONSOLE:-0}" == 1 ]]; then
  LOG_PROPS+=(-Ddescent.console.level=info -Ddescent.spark.console.level=warn)
fi

NATIVE_BLAS=0
if ldconfig -p 2>/dev/null | grep 'libblas\.so\.3\|libopenblas' >/dev/null; then # not -q: an early exit would SIGPIPE ldconfig (pipefail)
  # native BLAS: netlib uses it, so the Vector API module (and the JVM's warning about it) is not needed
  NATIVE_BLAS=1
  for i in "${!SPARK_FLAGS[@]}"; do
    if [[ "${SPARK_FLAGS[$i]}" == --add-modules=jdk.incubator.vector ]]; then unset 'SPARK_FLAGS[i]'; fi
  done
fi

# Class-data sharing (scripts/cds.sh): the first train records the classes it loads, the next train writes an archive
# of them, later runs of every command map it (JVM + Spark session start). DESCENT_CDS=0 turns it off.
# shellcheck source=cds.sh
. scripts/cds.sh
mapfile -t CDS_FLAGS < <(cds_flags "$JARS" "${1:-}" "${SPARK_FLAGS[@]}")

# JIT (issue 17: start-up on 2 cores): C2 compiles a method after 4x the default invocations (Tier4*Threshold; the loop
# back-edge threshold, which compiles hot loops such as the Parquet decoder's, stays). The JVM + Spark start runs
# thousands of methods a few thousand times each, and C2 spent whole seconds of a core on them (class loading, ASM,
# XML: JFR showed C2 compiles of 0.3-1.4 s each) while the same 2 cores did the start-up; the training's hot methods
# run millions of times and reach C2 a little later in epoch 1. Java 17 floating point is strict in every tier: the
# same bits. Measured (FmnistBench float64 5 epochs, 3 alternating pairs, load 12-21): process CPU 38.6 -> 33.1 s
# (median), read + validate CPU 9.0 -> 7.2 s, training s/epoch no worse.
# scripts/jit-startup.json keeps C2 off code that runs hot only while the JVM, Spark and the job start (class loading,
# Hadoop's XML configuration, Spark's closure cleaner, lambda spinning; C1 alone compiles it): C2 had spent ~2 of its ~5
# CPU seconds before the first step there. Measured (train, Fashion-MNIST, 3 epochs, 2 alternated pairs, load 4.4-5.0):
# CPU to the first step 12.2 / 12.9 -> 10.8 / 10.6 s, epochs 2-3 no slower. The JVM prints "1 compiler directives
# added" on its own output: DisplayVMOutputToStderr sends that to stderr, out of the command's output.
JIT_OPTS="-XX:Tier4InvocationThreshold=20000 -XX:Tier4MinInvocationThreshold=2400 -XX:Tier4CompileThreshold=60000
  -XX:+UnlockDiagnosticVMOptions -XX:+DisplayVMOutputToStderr -XX:CompilerDirectivesFile=scripts/jit-startup.json" # relative: the working directory is the repository root
# G1's young generation starts at 5% of the initial heap (416 MB here): one 16 MB region, so the start-up collected
# every 16 MB and copied the parsed chunks (live) from region to region, 15-19 young pauses before the first step.
# At least 20% (83 MB) of the heap young: 7 pauses. Measured (train, Fashion-MNIST, 3 epochs, load 4.5-4.9, 3 runs
# each): GC pauses to the first step 0.72-1.50 -> 0.54-0.78 s, CPU 10.0-11.1 -> 9.6-10.3 s, peak RSS 773-839 ->
# 732-767 MB, epochs the same.
GC_OPTS="-XX:G1HeapRegionSize=16m -XX:+UnlockExperimentalVMOptions -XX:G1NewSizePercent=20"
JAVA=(java ${DESCENT_JAVA_OPTS:-$(descent_heap "$@") $GC_OPTS $JIT_OPTS} "${CDS_FLAGS[@]}" "${SPARK_FLAGS[@]}"
  "${SPARK_PROPS[@]}" -Dlog4j2.configurationFile=conf/log4j2.properties "${LOG_PROPS[@]}"
  -cp "$CP" "${DESCENT_MAIN_CLASS:-org.descent.job.Main}" "$@")
# stderr without the JVM's note on the directives file ("1 compiler directives added", see JIT_OPTS) and, without
# native BLAS, without two more lines: netlib's VectorBLAS needs jdk.incubator.vector, and on every start the JVM
# announces it ("WARNING: Using incubator modules: jdk.incubator.vector") and netlib's JNI stub reports the missing
# libblas.so.3 (quickstart.sh installs OpenBLAS). Exactly those lines are dropped, nothing else.
DROP=(-e '[0-9]+ compiler directives added')
if [[ $NATIVE_BLAS == 0 ]]; then
  DROP+=(-e 'WARNING: Using incubator modules: jdk\.incubator\.vector'
    -e 'netlib-(blas|lapack|arpack): JNI_OnLoad: dlopen\(lib(blas|lapack|arpack)\.so\.3\) failed: .*')
fi
exec "${JAVA[@]}" 2> >(exec grep --line-buffered -v -x -E "${DROP[@]}" >&2)
