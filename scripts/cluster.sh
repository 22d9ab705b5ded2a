#!/usr/bin/env bash
# A real (small) cluster on 127.0.0.1, from jars resolved by Maven: no Spark or Hadoop tarball.
#
#   scripts/cluster.sh start       Spark standalone master + N workers, HDFS NameNode + DataNode; waits until ready
#   scripts/cluster.sh stop        stops exactly the processes this run directory started (and their executors)
#   scripts/cluster.sh status      each process, its PID and URL; exit 0 only if all run
#   (stop, status and executors work from what `start` recorded in the run directory: its pid files and
#    cluster.recorded, whatever DESCENT_WORKERS says now; a pid file is removed only once its process is gone)
#   scripts/cluster.sh hdfs ARGS   HDFS FsShell with the cluster's conf (e.g. hdfs -put f /data/f, hdfs -ls /)
#   scripts/cluster.sh executors [-v]  PIDs of executor JVMs (CoarseGrainedExecutorBackend) under our workers
#   scripts/cluster.sh prepare     only resolve jars and write the conf (SPARK_HOME for scripts/submit.sh)
#   scripts/cluster.sh env         prints SPARK_HOME=..., SPARK_MASTER_URL=..., HDFS_URL=... (shell-sourceable)
#
# Everything lives under the run directory ($DESCENT_CLUSTER_DIR, default <repo>/target/cluster):
#   spark-home/{jars,conf}  hadoop/{lib,conf}  hdfs/{name,data}  work/worker-N  logs/*.log  pids/*.pid
# Note: a top-level `mvn clean` deletes <repo>/target; stop the cluster first or set DESCENT_CLUSTER_DIR.
#
# Settings (environment):
#   DESCENT_CLUSTER_DIR       run directory                               (<repo>/target/cluster)
#   DESCENT_WORKERS           number of Spark workers                     (2)
#   DESCENT_WORKER_CORES      cores offered by each worker                (1)
#   DESCENT_WORKER_MEMORY     memory offered by each worker               (2g)
#   DESCENT_DAEMON_HEAP       -Xmx of master/worker/NameNode/DataNode     (512m)
#   DESCENT_DAEMON_JAVA_OPTS  more JVM options for those daemons          (-XX:TieredStopAtLevel=1 -XX:+UseSerialGC)
#   DESCENT_SPARK_MASTER_PORT master RPC port                             (7077)
#   DESCENT_SPARK_MASTER_UI_PORT  master web UI                           (8080)
#   DESCENT_SPARK_WORKER_PORT     first worker RPC port, +1 per worker    (7078)
#   DESCENT_SPARK_WORKER_UI_PORT  first worker web UI, +1 per worker      (8081)
#   DESCENT_HDFS_NAMENODE_PORT    NameNode RPC, fs.defaultFS              (9000)
#   DESCENT_HDFS_NAMENODE_HTTP_PORT NameNode web UI                       (9870)
#   DESCENT_HDFS_DATANODE_PORT    DataNode data transfer                  (9866)
#   DESCENT_HDFS_DATANODE_HTTP_PORT DataNode web UI                       (9864)
#   DESCENT_HDFS_DATANODE_IPC_PORT  DataNode IPC                          (9867)
#   DESCENT_CLUSTER_TIMEOUT   seconds to wait for each component          (90)
#   DESCENT_NO_HDFS=1         Spark only
# The same ports are used by docker-compose.yml.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN="${DESCENT_CLUSTER_DIR:-$REPO/target/cluster}"
mkdir -p "$RUN" 2>/dev/null || true
RUN="$(cd "$RUN" 2>/dev/null && pwd || echo "$RUN")"

WORKERS="${DESCENT_WORKERS:-2}"
WORKER_CORES="${DESCENT_WORKER_CORES:-1}"
WORKER_MEMORY="${DESCENT_WORKER_MEMORY:-2g}"
DAEMON_HEAP="${DESCENT_DAEMON_HEAP:-512m}"
# C1 only + serial GC: the daemons are IO-bound; this halves their start-up CPU on a busy 2-core machine
DAEMON_JAVA_OPTS="${DESCENT_DAEMON_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"
MASTER_PORT="${DESCENT_SPARK_MASTER_PORT:-7077}"
MASTER_UI_PORT="${DESCENT_SPARK_MASTER_UI_PORT:-8080}"
WORKER_PORT="${DESCENT_SPARK_WORKER_PORT:-7078}"
WORKER_UI_PORT="${DESCENT_SPARK_WORKER_UI_PORT:-8081}"
NN_PORT="${DESCENT_HDFS_NAMENODE_PORT:-9000}"
NN_HTTP_PORT="${DESCENT_HDFS_NAMENODE_HTTP_PORT:-9870}"
DN_PORT="${DESCENT_HDFS_DATANODE_PORT:-9866}"
DN_HTTP_PORT="${DESCENT_HDFS_DATANODE_HTTP_PORT:-9864}"
DN_IPC_PORT="${DESCENT_HDFS_DATANODE_IPC_PORT:-9867}"
TIMEOUT="${DESCENT_CLUSTER_TIMEOUT:-90}"
NO_HDFS="${DESCENT_NO_HDFS:-0}"
HOST=127.0.0.1
# what the last `start` in this run directory recorded; every other command uses it (not the environment)
RECORDED="$RUN/cluster.recorded"
if [[ "${1:-}" != start && -f "$RECORDED" ]]; then
  rec_workers="$(sed -n 's/^workers=\([0-9]*\)$/\1/p' "$RECORDED")"
  rec_no_hdfs="$(sed -n 's/^no_hdfs=\([01]\)$/\1/p' "$RECORDED")"
  if [[ -n "$rec_workers" && "$rec_workers" != "$WORKERS" && -n "${DESCENT_WORKERS:-}" ]]; then
    echo "cluster.sh: note: DESCENT_WORKERS=$DESCENT_WORKERS ignored: the cluster in $RUN was started with $rec_workers workers" >&2
  fi
  WORKERS="${rec_workers:-$WORKERS}"
  NO_HDFS="${rec_no_hdfs:-$NO_HDFS}"
fi

SPARK_HOME_DIR="$RUN/spark-home"
HADOOP_DIR="$RUN/hadoop"
HCONF="$HADOOP_DIR/conf"
LOGS="$RUN/logs"
PIDS="$RUN/pids"
MASTER_URL="spark://$HOST:$MASTER_PORT"
HDFS_URL="hdfs://$HOST:$NN_PORT"

die() { echo "cluster.sh: error: $*" >&2; exit 1; }
say() { echo "cluster.sh: $*" >&2; }

[[ "$WORKERS" =~ ^[1-9][0-9]*$ ]] || die "DESCENT_WORKERS must be a positive integer, got '$WORKERS'"

# Spark's JVM flags (--add-opens ...) from the parent pom, one source of truth.
jvm_flags() {
  local f
  f="$(sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' "$REPO/pom.xml" 2>/dev/null | head -1)"
  [[ -n "$f" ]] || die "cannot read <spark.jvm.flags> from $REPO/pom.xml"
  echo "$f"
}
# the same without --add-modules=jdk.incubator.vector (Hadoop does not use it; avoids the JVM's warning line)
hadoop_jvm_flags() { local f; f="$(jvm_flags)"; echo "${f//--add-modules=jdk.incubator.vector/}"; }

# ---------------------------------------------------------------- roles, pids
roles() {
  echo master
  local i
  for ((i = 1; i <= WORKERS; i++)); do echo "worker-$i"; done
  if [[ "$NO_HDFS" != 1 ]]; then echo namenode; echo datanode; fi
}
# the roles that have a pid file (what a start recorded), in start order; used by stop, status, executors
recorded_roles() {
  local f
  [[ -f "$PIDS/master.pid" ]] && echo master
  for f in "$PIDS"/worker-*.pid; do [[ -e "$f" ]] && basename "$f" .pid; done | sort -t- -k2,2n
  [[ -f "$PIDS/namenode.pid" ]] && echo namenode
  [[ -f "$PIDS/datanode.pid" ]] && echo datanode
  return 0
}
# the configured roles plus any recorded one (a worker-N beyond WORKERS that a pid file still names)
known_roles() { { roles; recorded_roles; } | awk '!seen[$0]++'; }
pidfile() { echo "$PIDS/$1.pid"; }
logfile() { echo "$LOGS/$1.log"; }

# PID of a role if its process is alive AND is really ours (cmdline carries our marker), else empty.
live_pid() {
  local f pid
  f="$(pidfile "$1")"
  [[ -s "$f" ]] || return 0
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  [[ -r "/proc/$pid/cmdline" ]] || return 0
  if tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "-Ddescent.cluster.role=$1@$RUN"; then
    echo "$pid"
  fi
}

role_url() {
  case "$1" in
    master) echo "$MASTER_URL  ui http://$HOST:$MASTER_UI_PORT" ;;
    worker-*) local i="${1#worker-}"; echo "ui http://$HOST:$((WORKER_UI_PORT + i - 1))" ;;
    namenode) echo "$HDFS_URL  ui http://$HOST:$NN_HTTP_PORT" ;;
    datanode) echo "ui http://$HOST:$DN_HTTP_PORT" ;;
  esac
}

role_ports() {
  case "$1" in
    master) echo "$MASTER_PORT $MASTER_UI_PORT" ;;
    worker-*) local i="${1#worker-}"; echo "$((WORKER_PORT + i - 1)) $((WORKER_UI_PORT + i - 1))" ;;
    namenode) echo "$NN_PORT $NN_HTTP_PORT" ;;
    datanode) echo "$DN_PORT $DN_HTTP_PORT $DN_IPC_PORT" ;;
  esac
}

port_in_use() {
  # any listener on that port, whatever the address
  ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null && return 0
  return 1
}

# ---------------------------------------------------------------- prepare
resolve_jars() { # profile outdir
  local profile="$1" out="$2" stamp="$2/.resolved"
  if [[ -f "$stamp" && "$stamp" -nt "$REPO/scripts/cluster/pom.xml" ]]; then return 0; fi
  say "resolving $profile jars with Maven into $out"
  rm -rf "$out"; mkdir -p "$out"
  local mvn=(mvn -B -ntp -q -f "$REPO/scripts/cluster/pom.xml" -P "$profile" dependency:copy-dependencies
             "-DoutputDirectory=$out" -DincludeScope=runtime)
  # offline first (everything is usually in ~/.m2 already), then online
  if ! "${mvn[@]}" -o >"$LOGS/mvn-$profile.log" 2>&1; then
    "${mvn[@]}" >"$LOGS/mvn-$profile.log" 2>&1 || die "Maven could not resolve the $profile jars; see $LOGS/mvn-$profile.log"
  fi
  touch "$stamp"
}

write_spark_conf() {
  local c="$SPARK_HOME_DIR/conf"
  mkdir -p "$c"
  # Executors (started by the workers) and drivers started with scripts/submit.sh read this one.
  cat > "$c/log4j2.properties" <<'EOF'
# descent local cluster: executors and spark-submit drivers (console = the executor's stderr file
# under work/worker-N/<app>/<exec>/ or the driver's terminal). Written by scripts/cluster.sh.
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n%ex
# executor loss / replacement and task retries are visible at info
logger.sched.name = org.apache.spark.scheduler
logger.sched.level = info
logger.client.name = org.apache.spark.deploy.client
logger.client.level = info
logger.exec.name = org.apache.spark.executor.CoarseGrainedExecutorBackend
logger.exec.level = info
logger.bm.name = org.apache.spark.storage.BlockManagerMasterEndpoint
logger.bm.level = info
logger.descent.name = org.descent
logger.descent.level = info
EOF
  # The daemons themselves (master, workers) log at info into logs/<role>.log.
  cat > "$c/log4j2-daemon.properties" <<'EOF'
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_OUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n%ex
logger.jetty.name = org.sparkproject.jetty
logger.jetty.level = warn
EOF
  cat > "$c/spark-env.sh" <<EOF
# informational: scripts/cluster.sh exports these for the daemons it starts
export SPARK_HOME="$SPARK_HOME_DIR"
export SPARK_SCALA_VERSION=2.13
export SPARK_LOCAL_IP=$HOST
EOF
}

write_hadoop_conf() {
  mkdir -p "$HCONF"/webapps/{hdfs,datanode,static,secondary} "$RUN/hdfs"
  cat > "$HCONF/core-site.xml" <<EOF
<?xml version="1.0"?>
<!-- written by scripts/cluster.sh -->
<configuration>
  <property><name>fs.defaultFS</name><value>$HDFS_URL</value></property>
  <property><name>hadoop.tmp.dir</name><value>$RUN/hdfs/tmp</value></property>
</configuration>
EOF
  cat > "$HCONF/hdfs-site.xml" <<EOF
<?xml version="1.0"?>
<!-- written by scripts/cluster.sh: one NameNode + one DataNode on $HOST -->
<configuration>
  <property><name>dfs.replication</name><value>1</value></property>
  <property><name>dfs.namenode.name.dir</name><value>file://$RUN/hdfs/name</value></property>
  <property><name>dfs.datanode.data.dir</name><value>file://$RUN/hdfs/data</value></property>
  <property><name>dfs.namenode.rpc-address</name><value>$HOST:$NN_PORT</value></property>
  <property><name>dfs.namenode.rpc-bind-host</name><value>$HOST</value></property>
  <property><name>dfs.namenode.http-address</name><value>$HOST:$NN_HTTP_PORT</value></property>
  <property><name>dfs.namenode.http-bind-host</name><value>$HOST</value></property>
  <property><name>dfs.namenode.secondary.http-address</name><value>$HOST:0</value></property>
  <property><name>dfs.datanode.address</name><value>$HOST:$DN_PORT</value></property>
  <property><name>dfs.datanode.http.address</name><value>$HOST:$DN_HTTP_PORT</value></property>
  <property><name>dfs.datanode.ipc.address</name><value>$HOST:$DN_IPC_PORT</value></property>
  <property><name>dfs.datanode.hostname</name><value>$HOST</value></property>
  <property><name>dfs.namenode.datanode.registration.ip-hostname-check</name><value>false</value></property>
  <property><name>dfs.namenode.safemode.extension</name><value>0</value></property>
  <property><name>dfs.permissions.enabled</name><value>false</value></property>
  <property><name>dfs.webhdfs.enabled</name><value>false</value></property>
</configuration>
EOF
  cat > "$HCONF/log4j.properties" <<'EOF'
# HDFS daemons (reload4j): stdout -> logs/<role>.log
log4j.rootLogger=INFO,console
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.target=System.out
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{HH:mm:ss.SSS} %p %c{1}: %m%n
log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR
log4j.logger.org.eclipse.jetty=WARN
log4j.logger.BlockStateChange=WARN
log4j.logger.org.apache.hadoop.hdfs.StateChange=WARN
EOF
  cat > "$HCONF/log4j-client.properties" <<'EOF'
# HDFS clients (FsShell, DFSAdmin): warnings only, on stderr
log4j.rootLogger=WARN,console
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.target=System.err
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%p %c{1}: %m%n
log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR
EOF
}

prepare() {
  mkdir -p "$LOGS" "$PIDS" "$RUN/work"
  command -v java >/dev/null || die "java not on PATH (Java 17 needed)"
  resolve_jars spark "$SPARK_HOME_DIR/jars"
  write_spark_conf
  if [[ "$NO_HDFS" != 1 ]]; then
    resolve_jars hadoop "$HADOOP_DIR/lib"
    write_hadoop_conf
  fi
}

# ---------------------------------------------------------------- launching
# launch ROLE MAINCLASS [java args...] -- [program args...]
launch() {
  local role="$1" main="$2"; shift 2
  local jargs=() pargs=()
  while [[ $# -gt 0 && "$1" != -- ]]; do jargs+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  pargs=("$@")
  local log; log="$(logfile "$role")"
  {
    echo "### $(date -Is) starting $role: $main ${pargs[*]}"
  } >> "$log"
  # shellcheck disable=SC2086
  nohup java $JVM_FLAGS $DAEMON_JAVA_OPTS "-Ddescent.cluster.role=$role@$RUN" "${jargs[@]}" "$main" "${pargs[@]}" \
    >> "$log" 2>&1 < /dev/null &
  echo $! > "$(pidfile "$role")"
}

spark_cp() { echo "$SPARK_HOME_DIR/conf:$SPARK_HOME_DIR/jars/*"; }
hadoop_cp() { echo "$HCONF:$HADOOP_DIR/lib/*"; }

start_master() {
  SPARK_HOME="$SPARK_HOME_DIR" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=$HOST \
  launch master org.apache.spark.deploy.master.Master \
    -cp "$(spark_cp)" "-Xmx$DAEMON_HEAP" \
    "-Dlog4j2.configurationFile=$SPARK_HOME_DIR/conf/log4j2-daemon.properties" \
    -Dspark.master.rest.enabled=false \
    -- --host $HOST --port "$MASTER_PORT" --webui-port "$MASTER_UI_PORT"
}

start_worker() {
  local i="$1" role="worker-$1"
  mkdir -p "$RUN/work/$role"
  SPARK_HOME="$SPARK_HOME_DIR" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=$HOST \
  launch "$role" org.apache.spark.deploy.worker.Worker \
    -cp "$(spark_cp)" "-Xmx$DAEMON_HEAP" \
    "-Dlog4j2.configurationFile=$SPARK_HOME_DIR/conf/log4j2-daemon.properties" \
    -- "$MASTER_URL" --host $HOST --port "$((WORKER_PORT + i - 1))" --webui-port "$((WORKER_UI_PORT + i - 1))" \
       --cores "$WORKER_CORES" --memory "$WORKER_MEMORY" --work-dir "$RUN/work/$role"
}

hadoop_java_props=()
set_hadoop_props() {
  hadoop_java_props=(-cp "$(hadoop_cp)" "-Dhadoop.home.dir=$HADOOP_DIR" "-Dhadoop.log.dir=$LOGS"
                     "-Dlog4j.configuration=file:$HCONF/log4j.properties")
}

format_namenode_if_needed() {
  [[ -f "$RUN/hdfs/name/current/VERSION" ]] && return 0
  say "formatting HDFS NameNode in $RUN/hdfs/name (first start)"
  set_hadoop_props
  # shellcheck disable=SC2086
  java $HJVM_FLAGS "-Xmx$DAEMON_HEAP" "${hadoop_java_props[@]}" \
    org.apache.hadoop.hdfs.server.namenode.NameNode -format -nonInteractive \
    >> "$LOGS/namenode-format.log" 2>&1 \
    || die "NameNode -format failed; see $LOGS/namenode-format.log"
}

start_namenode() {
  set_hadoop_props
  JVM_FLAGS="$HJVM_FLAGS" launch namenode org.apache.hadoop.hdfs.server.namenode.NameNode "-Xmx$DAEMON_HEAP" "${hadoop_java_props[@]}" --
}
start_datanode() {
  set_hadoop_props
  JVM_FLAGS="$HJVM_FLAGS" launch datanode org.apache.hadoop.hdfs.server.datanode.DataNode "-Xmx$DAEMON_HEAP" "${hadoop_java_props[@]}" --
}

# ---------------------------------------------------------------- readiness
fail_role() { # role message
  local log; log="$(logfile "$1")"
  echo "cluster.sh: error: $1: $2; see $log" >&2
  if [[ -f "$log" ]]; then echo "---- last lines of $log ----" >&2; tail -n 15 "$log" >&2; echo "----" >&2; fi
  return 1
}

# wait_for ROLE DESCRIPTION CHECK-COMMAND...   (also fails fast if the role's process died)
wait_for() {
  local role="$1" what="$2"; shift 2
  local deadline=$((SECONDS + TIMEOUT))
  while ((SECONDS < deadline)); do
    [[ -n "$(live_pid "$role")" ]] || { fail_role "$role" "process exited while waiting for: $what"; return 1; }
    if "$@" >/dev/null 2>&1; then say "  ready after $((SECONDS - T0)) s: $role: $what"; return 0; fi
    sleep 0.5
  done
  fail_role "$role" "not ready after ${TIMEOUT}s (waiting for: $what)"
}

master_json() { curl -fsS --max-time 2 "http://$HOST:$MASTER_UI_PORT/json/"; }
master_alive() { master_json | grep -Eq '"status"[[:space:]]*:[[:space:]]*"ALIVE"'; }
alive_workers() { master_json | sed -n 's/.*"aliveworkers"[[:space:]]*:[[:space:]]*\([0-9]*\).*/\1/p' | head -1; }
workers_alive() { [[ "$(alive_workers)" -ge "$WORKERS" ]]; }
worker_ui_up() { curl -fsS --max-time 2 "http://$HOST:$((WORKER_UI_PORT + $1 - 1))/json/" >/dev/null; }
nn_state_jmx() { curl -fsS --max-time 2 "http://$HOST:$NN_HTTP_PORT/jmx?qry=Hadoop:service=NameNode,name=FSNamesystemState"; }
live_datanodes() { nn_state_jmx | sed -n 's/.*"NumLiveDataNodes"[[:space:]]*:[[:space:]]*\([0-9]*\).*/\1/p' | head -1; }
datanode_live() { [[ "$(live_datanodes)" -ge 1 ]]; }
namenode_up() { nn_state_jmx >/dev/null; }

# hdfs_client [timeout-seconds] MAINCLASS ARGS... : a short-lived HDFS client JVM with the cluster's conf
hdfs_client() {
  local pre=()
  if [[ "$1" =~ ^[0-9]+$ ]]; then pre=(timeout "$1"); shift; fi
  local main="$1"; shift
  # shellcheck disable=SC2086
  "${pre[@]}" java $HJVM_FLAGS -Xmx256m -XX:TieredStopAtLevel=1 -cp "$(hadoop_cp)" "-Dhadoop.home.dir=$HADOOP_DIR" \
    "-Dlog4j.configuration=file:$HCONF/log4j-client.properties" "$main" "$@"
}
safemode_off() {
  hdfs_client "$TIMEOUT" org.apache.hadoop.hdfs.tools.DFSAdmin -safemode wait >> "$LOGS/safemode.log" 2>&1
}

# ---------------------------------------------------------------- commands
cmd_start() {
  local r running=()
  for r in $(known_roles); do [[ -n "$(live_pid "$r")" ]] && running+=("$r"); done
  if ((${#running[@]})); then
    die "already running in $RUN: ${running[*]} (scripts/cluster.sh status / stop)"
  fi
  # every port free, before starting anything
  local busy=() p
  for r in $(roles); do
    for p in $(role_ports "$r"); do port_in_use "$p" && busy+=("$p ($r)"); done
  done
  if ((${#busy[@]})); then
    echo "cluster.sh: error: port(s) already in use: ${busy[*]}" >&2
    echo "  nothing was started. Free them or choose others, e.g. DESCENT_SPARK_MASTER_PORT, DESCENT_SPARK_MASTER_UI_PORT," >&2
    echo "  DESCENT_SPARK_WORKER_PORT, DESCENT_SPARK_WORKER_UI_PORT, DESCENT_HDFS_NAMENODE_PORT, DESCENT_HDFS_NAMENODE_HTTP_PORT," >&2
    echo "  DESCENT_HDFS_DATANODE_PORT, DESCENT_HDFS_DATANODE_HTTP_PORT, DESCENT_HDFS_DATANODE_IPC_PORT (see the header of $0)." >&2
    exit 1
  fi
  command -v curl >/dev/null || die "curl is needed to check readiness"
  T0=$SECONDS
  prepare
  JVM_FLAGS="$(jvm_flags)"; HJVM_FLAGS="$(hadoop_jvm_flags)"
  remove_dead_pidfiles # none is alive (checked above): these are stale records of an earlier run
  mkdir -p "$PIDS"
  printf 'workers=%s\nno_hdfs=%s\nstarted=%s\n' "$WORKERS" "$NO_HDFS" "$(date -Is)" > "$RECORDED"
  trap 'say "start failed: stopping what was started"; cmd_stop >/dev/null 2>&1 || true' ERR
  trap 'say "interrupted: stopping what was started"; cmd_stop >/dev/null 2>&1 || true; exit 130' INT TERM
  set -E

  [[ "$NO_HDFS" != 1 ]] && format_namenode_if_needed
  start_master
  [[ "$NO_HDFS" != 1 ]] && start_namenode
  wait_for master "master web UI http://$HOST:$MASTER_UI_PORT/json/ ALIVE" master_alive
  local i
  for ((i = 1; i <= WORKERS; i++)); do start_worker "$i"; done
  if [[ "$NO_HDFS" != 1 ]]; then
    wait_for namenode "NameNode web UI http://$HOST:$NN_HTTP_PORT" namenode_up
    start_datanode
  fi
  for ((i = 1; i <= WORKERS; i++)); do
    wait_for "worker-$i" "worker UI http://$HOST:$((WORKER_UI_PORT + i - 1))" worker_ui_up "$i"
  done
  wait_for master "$WORKERS ALIVE workers at http://$HOST:$MASTER_UI_PORT/json/" workers_alive
  if [[ "$NO_HDFS" != 1 ]]; then
    wait_for datanode "DataNode registered with the NameNode (NumLiveDataNodes >= 1)" datanode_live
    wait_for namenode "NameNode out of safe mode (DFSAdmin -safemode wait; $LOGS/safemode.log)" safemode_off
  fi
  trap - ERR INT TERM
  say "cluster up in $((SECONDS - T0)) s (run dir $RUN)"
  cmd_status
}

# stop_pid ROLE PID : TERM, wait, then KILL
stop_pid() {
  local role="$1" pid="$2" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= 150)); then # 15 s
      say "$role (pid $pid) ignored SIGTERM for 15 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.1; waited=$((waited + 1))
    ((waited > 250)) && break
  done
}

# removes the pid file of every recorded role whose process is gone; keeps (and names) the others
remove_dead_pidfiles() {
  local r pid left=()
  for r in $(recorded_roles); do
    pid="$(live_pid "$r")"
    if [[ -z "$pid" ]]; then rm -f "$(pidfile "$r")"; else left+=("$r (pid $pid)"); fi
  done
  if ((${#left[@]})); then say "still running, pid files kept: ${left[*]}"; return 1; fi
  return 0
}

cmd_stop() {
  local r pid any=0 t0=$SECONDS
  # executors of our workers, recorded before the workers go (a worker kills its executors on SIGTERM;
  # these are killed explicitly below only if they outlive their worker)
  local execs; execs="$(executor_pids)"
  # workers before the master, DataNode before the NameNode
  for r in $(recorded_roles | tac); do
    pid="$(live_pid "$r")"
    if [[ -n "$pid" ]]; then
      any=1; say "stopping $r (pid $pid)"
      stop_pid "$r" "$pid" &
    fi
  done
  wait
  for pid in $execs; do
    if kill -0 "$pid" 2>/dev/null; then say "executor pid $pid outlived its worker: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  done
  local rc=0
  remove_dead_pidfiles || rc=1
  if ((any)); then say "stopped in $((SECONDS - t0)) s"; else say "nothing running in $RUN"; fi
  return $rc
}

executor_pids() { # [-v]
  local verbose="${1:-}" r wpid
  declare -A wrole=()
  for r in $(recorded_roles); do
    [[ "$r" == worker-* ]] || continue
    wpid="$(live_pid "$r")"
    [[ -n "$wpid" ]] && wrole[$wpid]="$r"
  done
  ((${#wrole[@]})) || return 0
  local pid ppid args
  while read -r pid ppid; do
    [[ -n "${wrole[$ppid]:-}" ]] || continue
    args="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)" || continue
    [[ "$args" == *org.apache.spark.executor.CoarseGrainedExecutorBackend* ]] || continue
    if [[ "$verbose" == -v ]]; then
      local eid app
      eid="$(sed -n 's/.*--executor-id \([^ ]*\).*/\1/p' <<<"$args")"
      app="$(sed -n 's/.*--app-id \([^ ]*\).*/\1/p' <<<"$args")"
      printf '%s\t%s\t%s\texecutor %s\n' "$pid" "${wrole[$ppid]}" "$app" "$eid"
    else
      echo "$pid"
    fi
  done < <(ps -eo pid=,ppid=)
}

cmd_status() {
  local r pid all=0
  printf '%-10s %-8s %s\n' ROLE PID URL
  for r in $(known_roles); do
    pid="$(live_pid "$r")"
    if [[ -n "$pid" ]]; then
      printf '%-10s %-8s %s\n' "$r" "$pid" "$(role_url "$r")"
    else
      printf '%-10s %-8s %s\n' "$r" "-" "NOT RUNNING (log $(logfile "$r"))"; all=3
    fi
  done
  if [[ -n "$(live_pid master)" ]]; then
    echo "spark: $(alive_workers 2>/dev/null || echo '?') of $(known_roles | grep -c '^worker-') workers ALIVE; executors: $(executor_pids | wc -l)"
  fi
  if [[ "$NO_HDFS" != 1 && -n "$(live_pid namenode)" ]]; then
    echo "hdfs:  $HDFS_URL, live DataNodes: $(live_datanodes 2>/dev/null || echo '?')"
  fi
  echo "SPARK_HOME=$SPARK_HOME_DIR  logs: $LOGS"
  return $all
}

cmd_hdfs() {
  [[ -f "$HCONF/core-site.xml" ]] || die "no HDFS conf in $HCONF; run scripts/cluster.sh start first"
  HJVM_FLAGS="$(hadoop_jvm_flags)"
  hdfs_client org.apache.hadoop.fs.FsShell "$@"
}

cmd_env() {
  cat <<EOF
SPARK_HOME=$SPARK_HOME_DIR
SPARK_SCALA_VERSION=2.13
SPARK_MASTER_URL=$MASTER_URL
HDFS_URL=$HDFS_URL
HADOOP_CONF_DIR=$HCONF
DESCENT_CLUSTER_DIR=$RUN
EOF
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  hdfs) shift; cmd_hdfs "$@" ;;
  executors) shift; executor_pids "${1:-}" ;;
  prepare) prepare; cmd_env ;;
  env) cmd_env ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
