# Class-data sharing for scripts/run.sh (issue 17: JVM start). Sourced, not run; the working directory is the
# repository root. Loading ~11k classes from 200+ jars is the largest part of the JVM + Spark session start, and
# a CDS archive maps them pre-parsed and pre-verified instead.
#
# JDK 17 cannot archive classes from a class path directory (a dump fails on a used, non-empty directory) and
# run.sh keeps the job's classes as directories (target/classes: no jar to rebuild after each compile). So the
# archive holds the JDK and the jars' classes only: a static archive (-Xshare:dump) over the jars alone, from the
# list of classes a real run loaded (-XX:DumpLoadedClassList). At run time the class path is those jars in the
# same order followed by the directories (the JVM accepts extra entries after the archive's).
#   1. no archive: the first `train` records what it loads (job/target/cds/classes-PID.lst; no cost to that run)
#   2. the next `train` first writes job/target/cds/app.jsa from that list (once; about a minute on 2 busy cores), so a
#      one-off train (scripts/quickstart.sh) never pays for an archive it does not use
#   3. later runs of every command start with -XX:SharedArchiveFile=job/target/cds/app.jsa
# The archive holds what that first train loaded: its input format's reader too. An archive recorded on the LIBSVM
# example halves Fashion-MNIST's JVM + Spark start but not its Parquet read; one recorded on Fashion-MNIST does both
# (load 14-18, medians: JVM + Spark start 34 -> 18 / 16 s, read 35 -> 43 / 27 s). `rm -r job/target/cds` records anew.
# Stale: the key (java binary, JDK modules, each jar's path, size and mtime, the JVM module flags) is stored beside
# the archive; a different key deletes the archive and starts again at 1. The JVM itself also checks the jars and
# its own build and, on a mismatch, runs without the archive (its message is info-level: nothing printed). A failed
# dump says so in one line and is not retried for that key (dump.log says why). DESCENT_CDS=0 turns all of it off.
CDS_DIR=job/target/cds

# cds_key JARS MODULE_FLAGS...: a digest of everything that makes an archive stale
cds_key() {
  local jars=$1 java home
  shift
  java=$(readlink -f "$(command -v java)")
  home=$(dirname "$(dirname "$java")")
  {
    echo "$java" "$*"
    stat -L -c '%n %s %Y' "$home/lib/modules" "$home/lib/server/libjvm.so" 2>/dev/null
    tr ':' '\n' <<< "$jars" | xargs -d '\n' stat -L -c '%n %s %Y' 2>&1
  } | md5sum | cut -d' ' -f1
}

# cds_flags JARS FIRST_ARG MODULE_FLAGS...: prints the JVM options for this run (none, record, or use), one a line,
# after writing the archive if a recorded list is waiting for it. Never fails the run.
cds_flags() {
  local jars=$1 cmd=$2
  shift 2
  [[ "${DESCENT_CDS:-1}" == 0 ]] && return 0
  # the user's own sharing options win
  [[ "${DESCENT_JAVA_OPTS:-}" =~ Xshare|SharedArchiveFile|ArchiveClassesAtExit|DumpLoadedClassList ]] && return 0
  mkdir -p "$CDS_DIR" 2>/dev/null || return 0
  local key
  key=$(cds_key "$jars" "$@") || return 0
  if [[ "$(cat "$CDS_DIR/key" 2>/dev/null)" != "$key" ]]; then
    rm -f "$CDS_DIR"/app.jsa "$CDS_DIR"/classes-*.lst "$CDS_DIR"/failed "$CDS_DIR"/relocation
    # a JVM that does not take these options (not HotSpot) must never see them in a real run
    java -XX:DumpLoadedClassList=/dev/null '-Xlog:cds*=off' '-Xlog:cds*=warning:stderr' -version > /dev/null 2>&1 \
      || touch "$CDS_DIR/failed"
    echo "$key" > "$CDS_DIR/key"
  fi
  if [[ "$cmd" == train && ! -f "$CDS_DIR/app.jsa" && ! -f "$CDS_DIR/failed" ]] \
      && compgen -G "$CDS_DIR/classes-*.lst" > /dev/null; then
    cds_dump "$jars" "$@"
  fi
  if [[ -f "$CDS_DIR/app.jsa" ]]; then
    # a JVM warning about the archive goes to stderr, not into the command's stdout
    printf '%s\n' "-XX:SharedArchiveFile=$PWD/$CDS_DIR/app.jsa" '-Xlog:cds*=off' '-Xlog:cds*=warning:stderr'
    cds_map_at_base
  elif [[ "$cmd" == train && ! -f "$CDS_DIR/failed" ]]; then
    printf '%s\n' "-XX:DumpLoadedClassList=$PWD/$CDS_DIR/classes-$$.lst"
  fi
}

# cds_map_at_base: the options that map the archives at the address they were written for, when this JVM takes them.
# JDK 17.0.15 (Debian) maps them at a random address by default (ArchiveRelocationMode=1: address-space randomisation
# of the archived metadata) and then rewrites every pointer in them: with this ~130 MB archive 0.4-0.5 s of the main
# thread before main() (issue 17; `java -version` with the archive 0.75-0.97 s -> 0.36-0.42 s). Mode 0 maps at the
# archive's own base address and relocates only when that range is taken. The cost: the archived classes sit at a
# known address, as on every JDK before that default changed. Probed once per key (a JVM without the option would
# refuse to start).
cds_map_at_base() {
  local opts=(-XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0)
  if [[ ! -f "$CDS_DIR/relocation" ]]; then
    if java "${opts[@]}" -version > /dev/null 2>&1; then echo 0 > "$CDS_DIR/relocation"; else echo - > "$CDS_DIR/relocation"; fi
  fi
  [[ "$(cat "$CDS_DIR/relocation" 2>/dev/null)" == 0 ]] && printf '%s\n' "${opts[@]}"
  return 0
}

# cds_dump JARS MODULE_FLAGS...: the archive from the largest recorded list (one line on stderr, two if it fails). A list
# of a run that ended before its Spark session started (a config error: ~1.5k classes of ~11k) is dropped instead.
cds_dump() {
  local jars=$1 list
  shift
  list=$(ls -S "$CDS_DIR"/classes-*.lst | head -n 1)
  if (( $(wc -l < "$list") < 5000 )); then
    rm -f "$CDS_DIR"/classes-*.lst
    return 0
  fi
  (
    # one writer at a time: a second run.sh meanwhile just runs without the archive
    flock -n 9 || exit 0
    [[ -f "$CDS_DIR/app.jsa" ]] && exit 0
    # a last line cut short by a killed run is dropped; the job's own classes are not on the dump's class path
    if [[ -n "$(tail -c 1 "$list")" ]]; then sed '$ d' "$list"; else cat "$list"; fi \
      | grep -v 'org/descent/' > "$CDS_DIR/dump.lst"
    echo "run.sh: writing a class-data sharing archive for faster JVM starts (once, about a minute;" \
      "DESCENT_CDS=0 turns it off)" >&2
    if java -Xshare:dump -XX:SharedClassListFile="$CDS_DIR/dump.lst" -XX:SharedArchiveFile="$CDS_DIR/app.jsa.tmp" \
        "$@" -cp "$jars" > "$CDS_DIR/dump.log" 2>&1 && [[ -s "$CDS_DIR/app.jsa.tmp" ]]; then
      mv -f "$CDS_DIR/app.jsa.tmp" "$CDS_DIR/app.jsa"
      rm -f "$CDS_DIR"/classes-*.lst
    else
      rm -f "$CDS_DIR/app.jsa.tmp"
      touch "$CDS_DIR/failed"
      echo "run.sh: could not write a class-data sharing archive (see $CDS_DIR/dump.log); running without it" >&2
    fi
  ) 9> "$CDS_DIR/lock" || true
}
