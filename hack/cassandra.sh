#!/usr/bin/env bash
# Local Apache Cassandra test clusters for the cqlsync integration tests.
#
# Runs three independent single-node clusters of REAL Cassandra 5.0 on loopback addresses:
#
#   name      address     port  cluster_name  datacenter/rack  security
#   cluster1  127.0.0.1   9042  cluster1      dc1/rack1        none
#   cluster2  127.0.0.2   9042  cluster2      dc2/rack1        none
#   cluster3  127.0.0.3   9042  cluster3      dc3/rack1        PasswordAuthenticator (cassandra/cassandra)
#                                                              + TLS required on the native port (PEM certs
#                                                              generated here with openssl)
#
# and one cluster of two nodes, for the tests that need a node to disagree or to be down (started
# only when named, with a smaller heap: CASSANDRA_PAIR_HEAP_MAX, default 512m):
#
#   pair1     127.0.0.4   9042  pair          dc4/rack1        none (the seed)
#   pair2     127.0.0.5   9042  pair          dc5/rack1        none
#
# The pair spans two datacenters, so that NetworkTopologyStrategy keyspaces over both, and adding
# or removing a datacenter, are tested against real Cassandra.
#
# and two single-node clusters of older releases, for the compatibility tests (`make test-compat`;
# started only when named):
#
#   v40       127.0.0.6   9042  v40           dc6/rack1        none, Cassandra $CASSANDRA_V40_VERSION (4.0.19)
#   v41       127.0.0.7   9042  v41           dc7/rack1        none, Cassandra $CASSANDRA_V41_VERSION (4.1.10)
#
# Maven Central has no Cassandra 5.0 binary tarball, so `fetch` assembles the classpath from
# cassandra-all and its runtime dependencies (hack/cassandra/pom.xml, with the version of each
# node) and this script writes the configuration Cassandra's own bin/cassandra and conf/ would
# otherwise provide, with the differences between the releases (4.0 and 4.1 run on JDK 17 with
# three more --add-opens for their jamm 0.3.2 agent; 4.0 spells durations the old way).
#
# Usage: hack/cassandra.sh <command> [cluster...]
#   fetch  [names]        copy the Cassandra jars of the nodes' releases (default: 5.0) into
#                         bin/cassandra/lib (5.0) and bin/cassandra/lib-<version> (others), once
#   start  [names]        start the nodes (default: all) and wait until each answers CQL
#   stop   [names]        stop the nodes (SIGTERM, SIGKILL after 30s)
#   status                one line per cluster: name, address, pid, running/stopped, ready
#   missing [names]       print, one per line, the named nodes (default: all) that are not running
#   with [names] -- command [args...]
#                         run a command with the nodes (default: all) up, and stop again only what
#                         was started for it: start the named nodes that are not running, wait until
#                         each answers CQL, export the `env` lines and CQLSYNC_RIG_STARTED (the nodes
#                         started here, comma-separated), run the command, and when it exits (pass,
#                         fail or signal; or when a start fails) stop the nodes started here, by the
#                         PID of their pid files (a node the command restarted is stopped too). Nodes
#                         already running are left running. Exits with the command's status. The
#                         command runs in a process group of its own: a SIGINT, SIGTERM or SIGHUP to
#                         this script (a Ctrl-C) reaches it once, passed on to that group.
#                         hack/test.sh, hack/bench.sh and hack/localenv (`make run`) run in it.
#   logs   <name>         tail of the node's system.log
#   wipe   [names]        stop the nodes and delete their data (jars and certificates are kept)
#   env                   print `export` lines for the tests
#
# Environment:
#   CASSANDRA_RUN_DIR        root of the per-node run dirs (default: <repo>/bin/cassandra/run)
#   CASSANDRA_START_TIMEOUT  seconds `start` waits for all requested nodes (default: 240)
#   CASSANDRA_STOP_TIMEOUT   seconds `stop` waits after SIGTERM before SIGKILL (default: 30)
#   CASSANDRA_HEAP_MIN/MAX   JVM heap per node (default: 256m / 768m)
#   CASSANDRA_JVM_EXTRA_OPTS extra JVM flags, split on whitespace
#   CASSANDRA_LOG_LINES      lines shown by `logs` and on start failures (default: 100)
#   JAVA_HOME                JDK 17 to use (default: `java` on PATH)
#
# Layout of a node's run dir (<run root>/<name>/):
#   conf/cassandra.yaml, conf/cassandra-rackdc.properties   regenerated on every start
#   data/ commitlog/ saved_caches/ hints/ cdc_raw/ triggers/ the node's data (deleted by wipe)
#   tmp/                                                    java.io.tmpdir (native libs unpacked here)
#   logs/system.log, logs/stdout.log                        Cassandra's log, the JVM's stdout/stderr
#   cassandra.pid                                           PID of the running JVM
#   ca.pem ca.key server.crt server.key server-keystore.pem cluster3 only: generated TLS material
set -euo pipefail

# ---------------------------------------------------------------------------------------------
# Paths and settings
# ---------------------------------------------------------------------------------------------
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SCRIPT_PATH="$SCRIPT_DIR/$(basename "${BASH_SOURCE[0]}")"
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd -P)
ASSETS_DIR="$SCRIPT_DIR/cassandra" # pom.xml, jvm.options, logback.xml
POM="$ASSETS_DIR/pom.xml"
DEFAULT_LIB_DIR="$REPO_ROOT/bin/cassandra/lib" # the jars of the pom's version (5.0)
V40_VERSION=${CASSANDRA_V40_VERSION:-4.0.19}
V41_VERSION=${CASSANDRA_V41_VERSION:-4.1.10}
CQLPING="$REPO_ROOT/bin/cqlping"

# The run root may be relative to the caller's cwd; make it absolute once.
RUN_ROOT=${CASSANDRA_RUN_DIR:-$REPO_ROOT/bin/cassandra/run}
case "$RUN_ROOT" in /*) ;; *) RUN_ROOT="$PWD/$RUN_ROOT" ;; esac

START_TIMEOUT=${CASSANDRA_START_TIMEOUT:-240}
STOP_TIMEOUT=${CASSANDRA_STOP_TIMEOUT:-30}
HEAP_MIN=${CASSANDRA_HEAP_MIN:-256m}
HEAP_MAX=${CASSANDRA_HEAP_MAX:-768m}
LOG_LINES=${CASSANDRA_LOG_LINES:-100}
if [[ -n "${JAVA_HOME:-}" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

ALL_CLUSTERS=(cluster1 cluster2 cluster3) # what start, stop and wipe do without names
PAIR_NODES=(pair1 pair2)
OLD_NODES=(v40 v41)
KNOWN_NODES=("${ALL_CLUSTERS[@]}" "${PAIR_NODES[@]}" "${OLD_NODES[@]}")
PAIR_HEAP_MAX=${CASSANDRA_PAIR_HEAP_MAX:-512m}
CQL_PORT=9042
STORAGE_PORT=7000 # every node has its own IP, so the same ports do not clash
SUPERUSER=cassandra
SUPERUSER_PASSWORD=cassandra

# Scratch file for cqlping's last error while waiting; removed however the script ends.
ERR_FILE=""
# The nodes `with` started (start_wave adds each one it launches, under the lock, when WITH_OWNS is
# set): stopped again however the script ends.
WITH_OWNS=0
WITH_STARTED=()
on_exit() {
  local rc=$?
  rm -f "$ERR_FILE"
  if ((${#WITH_STARTED[@]})); then
    # Stopping is not interrupted: a second Ctrl-C must not leave a node running.
    trap '' INT TERM HUP
    log "cassandra.sh: stopping the nodes started for the command: ${WITH_STARTED[*]}"
    take_lock
    stop_nodes "${WITH_STARTED[@]}" || rc=1
    release_lock
  fi
  exit "$rc"
}
trap on_exit EXIT

log() { printf '%s\n' "$*" >&2; }
die() { log "cassandra.sh: $*"; exit 1; }

# cluster_facts NAME: sets ADDR, DC, SECURE (1 = auth + TLS), CLUSTER_NAME, SEED, HEAP, VERSION,
# MAJOR (e.g. 4.1), LIB_DIR and RUN_DIR for a node (a single-node cluster is named after its
# cluster).
cluster_facts() {
  CLUSTER_NAME=$1 HEAP=$HEAP_MAX VERSION=$(cassandra_version)
  case "$1" in
    cluster1) ADDR=127.0.0.1 DC=dc1 SECURE=0 ;;
    cluster2) ADDR=127.0.0.2 DC=dc2 SECURE=0 ;;
    cluster3) ADDR=127.0.0.3 DC=dc3 SECURE=1 ;;
    pair1) ADDR=127.0.0.4 DC=dc4 SECURE=0 CLUSTER_NAME=pair HEAP=$PAIR_HEAP_MAX ;;
    pair2) ADDR=127.0.0.5 DC=dc5 SECURE=0 CLUSTER_NAME=pair HEAP=$PAIR_HEAP_MAX ;;
    v40) ADDR=127.0.0.6 DC=dc6 SECURE=0 VERSION=$V40_VERSION ;;
    v41) ADDR=127.0.0.7 DC=dc7 SECURE=0 VERSION=$V41_VERSION ;;
    *) die "unknown cluster '$1' (expected one of: ${KNOWN_NODES[*]})" ;;
  esac
  SEED=$ADDR
  if [[ "$CLUSTER_NAME" == pair ]]; then SEED=127.0.0.4; fi
  MAJOR=$(cut -d. -f1,2 <<<"$VERSION")
  LIB_DIR=$(lib_dir "$VERSION")
  RUN_DIR="$RUN_ROOT/$1"
  PID_FILE="$RUN_DIR/cassandra.pid"
  LOG_FILE="$RUN_DIR/logs/system.log"
}

# select_names ARGS...: sets NAMES to the given cluster names (validated), or to all of them.
select_names() {
  local n
  if [[ $# -eq 0 ]]; then set -- "${ALL_CLUSTERS[@]}"; fi
  NAMES=()
  for n in "$@"; do
    cluster_facts "$n" # dies on unknown names
    NAMES+=("$n")
  done
}

# Serialise start/stop/wipe between concurrent invocations (e.g. parallel test packages), so a
# node is never launched twice. The JVMs are started with this descriptor closed.
take_lock() {
  mkdir -p "$RUN_ROOT"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$RUN_ROOT/.lock"
    flock -w 600 9 || die "could not lock $RUN_ROOT/.lock"
  fi
}
release_lock() {
  exec 9>&-
}

# ---------------------------------------------------------------------------------------------
# Prerequisites: jars, cqlping, java
# ---------------------------------------------------------------------------------------------
# cassandra_version: the default release (5.0), the pom's <cassandra.version>.
POM_VERSION=""
cassandra_version() {
  if [[ -z "$POM_VERSION" ]]; then
    POM_VERSION=$(sed -n 's:.*<cassandra.version>\(.*\)</cassandra.version>.*:\1:p' "$POM" | head -n1)
    [[ -n "$POM_VERSION" ]] || die "no <cassandra.version> in $POM"
  fi
  printf '%s\n' "$POM_VERSION"
}

# lib_dir VERSION: where the jars of a release go.
lib_dir() {
  if [[ "$1" == "$(cassandra_version)" ]]; then
    printf '%s\n' "$DEFAULT_LIB_DIR"
  else
    printf '%s\n' "$REPO_ROOT/bin/cassandra/lib-$1"
  fi
}

# fetch_version VERSION: copies cassandra-all VERSION and its runtime dependencies into its lib dir
# (once; a .complete marker holds the version).
fetch_version() {
  local version=$1 dir tmp
  dir=$(lib_dir "$version")
  if [[ -f "$dir/.complete" && "$(cat "$dir/.complete")" == "$version" && -f "$dir/cassandra-all-$version.jar" ]]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn (Maven) is needed to fetch Cassandra $version"
  log "Fetching Cassandra $version jars into $dir ..."
  mkdir -p "$(dirname "$dir")"
  # Copy into a temporary dir next to the target and move it into place only when complete.
  tmp=$(mktemp -d "$(dirname "$dir")/.lib.XXXXXX")
  if ! mvn -B -q -f "$POM" dependency:copy-dependencies -Dcassandra.version="$version" -DoutputDirectory="$tmp" </dev/null >&2; then
    rm -rf "$tmp"
    die "mvn dependency:copy-dependencies failed"
  fi
  if [[ ! -f "$tmp/cassandra-all-$version.jar" ]]; then
    rm -rf "$tmp"
    die "cassandra-all-$version.jar missing after the copy"
  fi
  rm -rf "$dir"
  mv "$tmp" "$dir"
  printf '%s\n' "$version" >"$dir/.complete"
  log "Fetched $(find "$dir" -name '*.jar' | wc -l) jars."
}

# cmd_fetch [NAMES]: the jars of the named nodes' releases (default: the 5.0 clusters').
cmd_fetch() {
  local name
  local -A done=()
  select_names "$@"
  for name in "${NAMES[@]}"; do
    cluster_facts "$name"
    [[ -n "${done[$VERSION]:-}" ]] && continue
    fetch_version "$VERSION"
    done[$VERSION]=1
  done
}

# build_cqlping: (re)build bin/cqlping when missing or older than its sources.
build_cqlping() {
  local src="$REPO_ROOT/hack/cqlping/main.go"
  if [[ -x "$CQLPING" && "$CQLPING" -nt "$src" ]]; then return 0; fi
  command -v go >/dev/null 2>&1 || die "go is needed to build $CQLPING"
  log "Building $CQLPING ..."
  (cd "$REPO_ROOT" && go build -o "$CQLPING" ./hack/cqlping) || die "building cqlping failed"
}

check_java() {
  local major
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (set JAVA_HOME to a JDK 17)"
  major=$("$JAVA" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java.specification.version = *//p' | head -n1)
  if [[ "$major" != "17" ]]; then
    log "cassandra.sh: warning: $JAVA is Java '$major'; these options are for Cassandra on JDK 17"
  fi
}

# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------

# gen_certs DIR: CA and server certificate for cluster3, created with openssl on first use.
# Nothing is committed: the material lives only in the run dir.
gen_certs() {
  local dir=$1 ext
  if [[ ! -s "$dir/ca.pem" || ! -s "$dir/ca.key" ]]; then
    log "Generating a test CA in $dir ..."
    (
      umask 077
      openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" \
        -subj "/O=cqlsync tests/CN=cqlsync test CA ($(basename "$dir"))" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    ) || die "openssl failed to create the CA"
    chmod 644 "$dir/ca.pem"
    rm -f "$dir/server.crt" # a new CA needs a new server certificate
  fi
  if [[ -s "$dir/server-keystore.pem" && -s "$dir/server.crt" && "$dir/server.crt" -nt "$dir/ca.pem" ]]; then
    return 0
  fi
  log "Generating the server certificate in $dir ..."
  ext="$dir/server.ext"
  cat >"$ext" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.3, IP:127.0.0.1, DNS:localhost
EOF
  (
    umask 077
    # `req -nodes` writes an unencrypted PKCS#8 key ("BEGIN PRIVATE KEY"), which is what
    # Cassandra's PEMBasedSslContextFactory reads.
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$dir/server.key" -out "$dir/server.csr" \
      -subj "/O=cqlsync tests/CN=127.0.0.3" 2>/dev/null &&
      openssl x509 -req -sha256 -days 3650 -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
        -set_serial "0x$(openssl rand -hex 16)" -extfile "$ext" -out "$dir/server.crt" 2>/dev/null &&
      # The PEM "keystore": private key followed by the certificate chain.
      cat "$dir/server.key" "$dir/server.crt" "$dir/ca.pem" >"$dir/server-keystore.pem"
  ) || die "openssl failed to create the server certificate"
  rm -f "$dir/server.csr" "$ext"
}

# gen_config NAME: writes the node's configuration (every start, so changes here apply).
gen_config() {
  local name=$1
  cluster_facts "$name"
  mkdir -p "$RUN_DIR"/{conf,data,commitlog,saved_caches,hints,cdc_raw,logs,triggers,tmp}

  # GossipingPropertyFileSnitch reads this file; Cassandra 5.0 takes its location as a URL from
  # -Dcassandra-rackdc.properties (else from the classpath).
  cat >"$RUN_DIR/conf/cassandra-rackdc.properties" <<EOF
dc=$DC
rack=rack1
EOF

  local auth security=""
  if [[ "$SECURE" == 1 ]]; then
    gen_certs "$RUN_DIR"
    auth=$(
      cat <<EOF
authenticator:
  class_name: org.apache.cassandra.auth.PasswordAuthenticator
authorizer:
  class_name: org.apache.cassandra.auth.CassandraAuthorizer
role_manager:
  class_name: org.apache.cassandra.auth.CassandraRoleManager
EOF
    )
    # TLS is required on the native port (optional: false). PEM files: the keystore holds the
    # unencrypted private key and the certificate chain; clients are not asked for certificates.
    security=$(
      cat <<EOF
client_encryption_options:
  enabled: true
  optional: false
  ssl_context_factory:
    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory
  keystore: $RUN_DIR/server-keystore.pem
  truststore: $RUN_DIR/ca.pem
  require_client_auth: false
EOF
    )
  elif [[ "$MAJOR" == 4.* ]]; then
    # 4.x names the classes with a plain string (5.0 also takes the class_name form).
    auth=$(
      cat <<EOF
authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
role_manager: CassandraRoleManager
EOF
    )
  else
    auth=$(
      cat <<EOF
authenticator:
  class_name: org.apache.cassandra.auth.AllowAllAuthenticator
authorizer:
  class_name: org.apache.cassandra.auth.AllowAllAuthorizer
role_manager:
  class_name: org.apache.cassandra.auth.CassandraRoleManager
EOF
    )
  fi

  # cluster3 (with roles) also logs DCL (CREATE/ALTER ROLE, GRANT): a test checks that no password
  # reaches the audit log.
  local audit_categories=DDL
  if [[ "$SECURE" == 1 ]]; then audit_categories=DDL,DCL; fi

  # What differs between the releases: 4.0 reads durations as *_in_ms integers; guardrails came
  # in 4.1; dynamic data masking (column masks) in 5.0, off unless enabled.
  local by_version
  case "$MAJOR" in
    4.0) by_version="commitlog_sync_period_in_ms: 10000" ;;
    4.1) by_version=$(
      cat <<'EOF'
commitlog_sync_period: 10000ms
columns_per_table_warn_threshold: 40
EOF
    ) ;;
    *) by_version=$(
      cat <<'EOF'
commitlog_sync_period: 10000ms

# A guardrail that warns (never fails) on a table of more than 40 columns: cqlsync turns the
# warnings Cassandra answers DDL with into events, and a test proves it. Guardrails apply to
# ordinary users only: the test logs in to cluster3 (with auth) as a role that is not a superuser.
columns_per_table_warn_threshold: 40

# Column masks (MASKED WITH): a test reads masked values as a role without UNMASK on cluster3.
# User-defined functions: a test masks a column with one.
dynamic_data_masking_enabled: true
user_defined_functions_enabled: true
EOF
    ) ;;
  esac

  # A minimal cassandra.yaml: the keys without usable defaults plus what a single-node test
  # cluster needs. Everything else keeps Cassandra's built-in defaults (Config.java).
  cat >"$RUN_DIR/conf/cassandra.yaml" <<EOF
# Generated by hack/cassandra.sh for $name (Cassandra $VERSION); regenerated on every start, do not edit.
cluster_name: '$CLUSTER_NAME'
num_tokens: 1
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: GossipingPropertyFileSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "$SEED:$STORAGE_PORT"
listen_address: $ADDR
rpc_address: $ADDR
storage_port: $STORAGE_PORT
native_transport_port: $CQL_PORT
start_native_transport: true
auto_bootstrap: false

data_file_directories:
  - $RUN_DIR/data
commitlog_directory: $RUN_DIR/commitlog
saved_caches_directory: $RUN_DIR/saved_caches
hints_directory: $RUN_DIR/hints
cdc_raw_directory: $RUN_DIR/cdc_raw
commitlog_sync: periodic
$by_version

# Tests drop and truncate a lot; snapshots of that would only fill the disk.
auto_snapshot: false

# Every schema change (category DDL; and role change, DCL, on cluster3) is logged, one line each
# with the user, the client and the statement, to logs/audit.log (hack/cassandra/logback.xml): the
# fault suite checks that each statement run was one the plan called for.
audit_logging_options:
  enabled: true
  logger:
    - class_name: FileAuditLogger
  included_categories: $audit_categories

$auth
$security
EOF
}

# jvm_args NAME: prints the JVM arguments for a node, one per line.
jvm_args() {
  local name=$1 line jamm
  cluster_facts "$name"
  jamm=$(find "$LIB_DIR" -maxdepth 1 -name 'jamm-*.jar' | head -n1)
  [[ -n "$jamm" ]] || die "jamm jar missing in $LIB_DIR"
  printf '%s\n' "-Xms$HEAP_MIN" "-Xmx$HEAP"
  while IFS= read -r line; do
    case "$line" in -*) printf '%s\n' "$line" ;; esac
  done <"$ASSETS_DIR/jvm.options"
  if [[ "$MAJOR" == 4.* ]]; then
    # jamm 0.3.2 (Cassandra 4.x) measures objects by reflection into these packages on JDK 17.
    printf '%s\n' \
      --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
      --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
      --add-opens=java.base/java.nio=ALL-UNNAMED
  fi
  printf '%s\n' \
    "-javaagent:$jamm" \
    "-XX:ErrorFile=$RUN_DIR/logs/hs_err_%p.log" \
    "-Dcassandra.config=file://$RUN_DIR/conf/cassandra.yaml" \
    "-Dcassandra-rackdc.properties=file://$RUN_DIR/conf/cassandra-rackdc.properties" \
    "-Dcassandra.storagedir=$RUN_DIR" \
    "-Dcassandra.triggers_dir=$RUN_DIR/triggers" \
    "-Djava.io.tmpdir=$RUN_DIR/tmp" \
    "-Dcassandra.logdir=$RUN_DIR/logs" \
    "-Dlogback.configurationFile=file://$ASSETS_DIR/logback.xml"
  # No JMX: without -Dcassandra.jmx.local.port / remote port Cassandra starts no JMX server.
  if [[ -n "${CASSANDRA_JVM_EXTRA_OPTS:-}" ]]; then
    # shellcheck disable=SC2086 # split on whitespace on purpose
    printf '%s\n' $CASSANDRA_JVM_EXTRA_OPTS
  fi
}

# ---------------------------------------------------------------------------------------------
# Process handling
# ---------------------------------------------------------------------------------------------

# node_pid NAME: prints the PID of the node's running JVM and succeeds, or fails. A PID counts
# only if the process is alive and is our Cassandra for this run dir (guards against PID reuse
# and zombies); a stale pid file is removed.
node_pid() {
  local pid args
  cluster_facts "$1"
  [[ -f "$PID_FILE" ]] || return 1
  pid=$(tr -dc '0-9' <"$PID_FILE")
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    args=$(ps -ww -p "$pid" -o args= 2>/dev/null || true)
    if [[ "$args" == *CassandraDaemon* && "$args" == *"$RUN_DIR/conf/cassandra.yaml"* ]]; then
      printf '%s\n' "$pid"
      return 0
    fi
  fi
  rm -f "$PID_FILE"
  return 1
}

# port_in_use ADDR PORT: succeeds if something accepts TCP connections there.
port_in_use() {
  # shellcheck disable=SC2016 # $1/$2 are expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# launch NAME: starts the node's JVM in the background, detached (own session, no stdin, no
# hangup), and records its PID.
launch() {
  local name=$1 pid
  local -a args
  cluster_facts "$name"
  mapfile -t args < <(jvm_args "$name")
  # The subshell execs setsid, which execs nohup, which execs java: $! is the JVM's PID
  # (setsid does not fork because the subshell is no process-group leader).
  (
    cd "$RUN_DIR"
    exec setsid nohup "$JAVA" "${args[@]}" -cp "$LIB_DIR/*" org.apache.cassandra.service.CassandraDaemon \
      >>"$RUN_DIR/logs/stdout.log" 2>&1 </dev/null 9>&-
  ) &
  pid=$!
  # Until the execs are done, the process is still a copy of this script and node_pid would
  # take it for a stale PID; wait (briefly) until it is java.
  for _ in {1..100}; do
    [[ "$(ps -ww -p "$pid" -o args= 2>/dev/null || true)" == *CassandraDaemon* ]] && break
    sleep 0.05
  done
  printf '%s\n' "$pid" >"$PID_FILE"
  log "$name: started (pid $pid, $ADDR:$CQL_PORT, log $LOG_FILE)"
}

# ping NAME SECONDS: one readiness check with cqlping; prints the Cassandra version.
ping_node() {
  local name=$1 timeout=$2
  local -a args
  cluster_facts "$name"
  args=(-host "$ADDR" -port "$CQL_PORT" -timeout "${timeout}s")
  if [[ "$SECURE" == 1 ]]; then
    args+=(-user "$SUPERUSER" -password "$SUPERUSER_PASSWORD" -ca "$RUN_DIR/ca.pem")
  fi
  "$CQLPING" "${args[@]}"
}

show_log_tail() {
  cluster_facts "$1"
  log "----- last $LOG_LINES lines of $LOG_FILE -----"
  if [[ -f "$LOG_FILE" ]]; then tail -n "$LOG_LINES" "$LOG_FILE" >&2; fi
  if [[ -s "$RUN_DIR/logs/stdout.log" ]]; then
    log "----- last 20 lines of $RUN_DIR/logs/stdout.log -----"
    tail -n 20 "$RUN_DIR/logs/stdout.log" >&2
  fi
  log "-----"
}

# wait_ready NAME DEADLINE STARTED: polls with cqlping until the node answers CQL, the JVM dies,
# or the deadline (epoch seconds) passes.
wait_ready() {
  local name=$1 deadline=$2 started=$3 now remaining version err
  [[ -n "$ERR_FILE" ]] || ERR_FILE=$(mktemp)
  err=$ERR_FILE
  : >"$err"
  while true; do
    if ! node_pid "$name" >/dev/null; then
      cat "$err" >&2
      log "$name: the Cassandra process exited during start-up"
      show_log_tail "$name"
      return 1
    fi
    now=$(date +%s)
    remaining=$((deadline - now))
    if ((remaining <= 0)); then
      cat "$err" >&2
      log "$name: not ready after ${START_TIMEOUT}s (CASSANDRA_START_TIMEOUT)"
      show_log_tail "$name"
      return 1
    fi
    # Short attempts, so that a dying JVM is noticed quickly.
    if version=$(ping_node "$name" $((remaining < 5 ? remaining : 5)) 2>"$err"); then
      cluster_facts "$name"
      log "$name: ready after $(($(date +%s) - started))s ($ADDR:$CQL_PORT, Cassandra $version)"
      return 0
    fi
    sleep 1 # cqlping only returns early on errors it cannot retry; do not spin
  done
}

# stop_nodes NAMES...: SIGTERM to every running node at once (Cassandra drains and shuts down
# cleanly), wait up to STOP_TIMEOUT seconds for all of them, then SIGKILL what is left.
# Idempotent: nodes that are not running are skipped.
stop_nodes() {
  local name pid deadline i
  local -a stopping=() pids=()
  for name in "$@"; do
    if pid=$(node_pid "$name"); then
      log "$name: stopping (pid $pid) ..."
      kill -TERM "$pid" 2>/dev/null || true
      stopping+=("$name")
      pids+=("$pid")
    else
      log "$name: not running"
    fi
  done
  deadline=$(($(date +%s) + STOP_TIMEOUT))
  for i in "${!stopping[@]}"; do
    name=${stopping[$i]} pid=${pids[$i]}
    while node_pid "$name" >/dev/null && (($(date +%s) < deadline)); do sleep 0.25; done
    if node_pid "$name" >/dev/null; then
      log "$name: still running after ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for _ in {1..40}; do
        node_pid "$name" >/dev/null || break
        sleep 0.25
      done
      if node_pid "$name" >/dev/null; then die "$name: pid $pid survived SIGKILL"; fi
    fi
    cluster_facts "$name"
    rm -f "$PID_FILE"
    log "$name: stopped"
  done
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------
# start_wave DEADLINE T0 NAMES...: starts the nodes that are not running, then waits for each.
start_wave() {
  local deadline=$1 t0=$2 name pid rc=0
  shift 2
  ((${#@})) || return 0
  take_lock
  for name in "$@"; do
    if pid=$(node_pid "$name"); then
      log "$name: already running (pid $pid)"
    else
      # Something else on our address would make cqlping report a false "ready".
      cluster_facts "$name"
      if port_in_use "$ADDR" "$CQL_PORT"; then
        die "$name: $ADDR:$CQL_PORT is already in use by a process this script did not start"
      fi
      if ((WITH_OWNS)); then WITH_STARTED+=("$name"); fi
      gen_config "$name"
      launch "$name"
    fi
  done
  release_lock
  for name in "$@"; do
    wait_ready "$name" "$deadline" "$t0" || rc=1
  done
  return $rc
}

# PAIR_LAYOUT is the datacenter of each pair node. A node refuses to start in another datacenter
# than the one its data was written in, and a node wiped alone cannot rejoin a peer that remembers
# it: when the layout changed since the pair's data was written (a rig of an older checkout), both
# nodes' data is wiped before they start.
PAIR_LAYOUT="pair1=dc4 pair2=dc5"

check_pair_layout() {
  local f="$RUN_ROOT/pair.layout"
  if [[ ! -d "$RUN_ROOT/pair1/data" && ! -d "$RUN_ROOT/pair2/data" ]]; then
    mkdir -p "$RUN_ROOT" && printf '%s\n' "$PAIR_LAYOUT" >"$f"
    return
  fi
  [[ "$(cat "$f" 2>/dev/null)" == "$PAIR_LAYOUT" ]] && return
  log "pair: its datacenters are now ($PAIR_LAYOUT): stopping it and wiping its data, written with another layout"
  take_lock
  stop_nodes pair1 pair2
  rm -rf "$RUN_ROOT"/pair1/{data,commitlog,saved_caches,hints,cdc_raw} "$RUN_ROOT"/pair2/{data,commitlog,saved_caches,hints,cdc_raw}
  printf '%s\n' "$PAIR_LAYOUT" >"$f"
  release_lock
}

cmd_start() {
  local name pid t0 deadline rc=0
  select_names "$@"
  check_java
  command -v openssl >/dev/null 2>&1 || die "openssl is needed"
  cmd_fetch "${NAMES[@]}"
  build_cqlping

  if [[ " ${NAMES[*]} " == *" pair"[12]" "* ]]; then check_pair_layout; fi
  t0=$(date +%s)
  deadline=$((t0 + START_TIMEOUT))
  # Seeds first, then the nodes that join through them: every requested node of a wave is started
  # (they boot in parallel), then each is waited for.
  local -a seeds=() joining=()
  for name in "${NAMES[@]}"; do
    cluster_facts "$name"
    if [[ "$SEED" == "$ADDR" ]]; then seeds+=("$name"); else joining+=("$name"); fi
  done
  start_wave "$deadline" "$t0" "${seeds[@]}" || rc=1
  if ((${#joining[@]})) && ((rc == 0)); then
    start_wave "$deadline" "$t0" "${joining[@]}" || rc=1
  fi
  if ((rc != 0)); then die "start failed"; fi
  log "All requested clusters ready after $(($(date +%s) - t0))s: ${NAMES[*]}"
}

cmd_stop() {
  select_names "$@"
  take_lock
  stop_nodes "${NAMES[@]}"
  release_lock
}

cmd_status() {
  local name pid state ready
  [[ $# -eq 0 ]] || die "status takes no arguments"
  for name in "${KNOWN_NODES[@]}"; do
    cluster_facts "$name"
    ready=no
    if pid=$(node_pid "$name"); then
      state=running
      if [[ -x "$CQLPING" ]] && ping_node "$name" 3 >/dev/null 2>&1; then ready=yes; fi
    else
      pid=-
      state=stopped
    fi
    printf '%-9s %-15s pid=%-8s %-8s ready=%s\n' "$name" "$ADDR:$CQL_PORT" "$pid" "$state" "$ready"
  done
}

cmd_missing() {
  local name
  select_names "$@"
  for name in "${NAMES[@]}"; do
    node_pid "$name" >/dev/null || echo "$name"
  done
}

cmd_logs() {
  [[ $# -eq 1 ]] || die "usage: $0 logs <name>"
  cluster_facts "$1"
  [[ -f "$LOG_FILE" ]] || die "no log yet: $LOG_FILE"
  tail -n "$LOG_LINES" "$LOG_FILE"
}

cmd_wipe() {
  local name
  select_names "$@"
  take_lock
  stop_nodes "${NAMES[@]}"
  for name in "${NAMES[@]}"; do
    cluster_facts "$name"
    # Data, logs and generated config go; the TLS material (and the jars) stay, so the CA path
    # exported by `env` keeps its content across wipes.
    rm -rf "$RUN_DIR"/{conf,data,commitlog,saved_caches,hints,cdc_raw,logs,triggers,tmp}
    log "$name: wiped $RUN_DIR"
  done
  release_lock
}

# env_vars: the variables of `env`, one name then its value per line.
env_vars() {
  printf '%s\n' \
    CQLSYNC_CLUSTER1_HOST 127.0.0.1 \
    CQLSYNC_CLUSTER2_HOST 127.0.0.2 \
    CQLSYNC_CLUSTER3_HOST 127.0.0.3 \
    CQLSYNC_CLUSTER3_CA "$RUN_ROOT/cluster3/ca.pem" \
    CQLSYNC_CLUSTER3_USER "$SUPERUSER" \
    CQLSYNC_CLUSTER3_PASSWORD "$SUPERUSER_PASSWORD" \
    CQLSYNC_CASSANDRA_SCRIPT "$SCRIPT_PATH" \
    CQLSYNC_CASSANDRA_RUN "$RUN_ROOT" \
    CQLSYNC_CLUSTER1_DC dc1 \
    CQLSYNC_CLUSTER2_DC dc2 \
    CQLSYNC_CLUSTER3_DC dc3 \
    CQLSYNC_PAIR_HOSTS 127.0.0.4,127.0.0.5 \
    CQLSYNC_PAIR_NODES pair1,pair2 \
    CQLSYNC_PAIR_DC dc4 \
    CQLSYNC_PAIR_DCS dc4,dc5 \
    CQLSYNC_V40_HOST 127.0.0.6 \
    CQLSYNC_V40_DC dc6 \
    CQLSYNC_V41_HOST 127.0.0.7 \
    CQLSYNC_V41_DC dc7
}

cmd_env() {
  [[ $# -eq 0 ]] || die "env takes no arguments"
  local name value
  while IFS= read -r name && IFS= read -r value; do
    printf 'export %s=%q\n' "$name" "$value"
  done < <(env_vars)
}

# The command run by `with`, and a signal that came before it was started.
WITH_CHILD="" WITH_PENDING="" WITH_FORWARDED=0

# with_forward SIG: passes a signal on to the command's process group (once it runs).
with_forward() {
  WITH_FORWARDED=1
  if [[ -z "$WITH_CHILD" ]]; then
    WITH_PENDING=$1
    return
  fi
  log "cassandra.sh: passing SIG$1 on to the command (process group $WITH_CHILD)"
  kill -"$1" -- "-$WITH_CHILD" 2>/dev/null || true
}

cmd_with() {
  local name value rc
  local -a names=()
  while [[ $# -gt 0 && "$1" != -- ]]; do
    names+=("$1")
    shift
  done
  [[ $# -ge 2 ]] || die "usage: $0 with [names] -- command [args...]"
  shift
  select_names "${names[@]}"
  names=("${NAMES[@]}")

  # A signal while the nodes start stops the ones started so far (on_exit).
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  local -a missing
  mapfile -t missing < <(cmd_missing "${names[@]}")
  if ((${#missing[@]})); then
    log "cassandra.sh: starting ${missing[*]} (stopped again when the command exits)"
  fi
  WITH_OWNS=1
  cmd_start "${names[@]}" # the nodes already running: this only waits until each answers CQL
  WITH_OWNS=0

  while IFS= read -r name && IFS= read -r value; do
    export "$name=$value"
  done < <(env_vars)
  CQLSYNC_RIG_STARTED=$(IFS=,; printf '%s' "${WITH_STARTED[*]}")
  export CQLSYNC_RIG_STARTED

  # Monitor mode only to start the command in a process group of its own (and with SIGINT not
  # ignored, as it would be for a background job without it): the terminal's Ctrl-C then reaches
  # it through with_forward only, once.
  trap 'with_forward INT' INT
  trap 'with_forward TERM' TERM
  trap 'with_forward HUP' HUP
  set -m
  "$@" &
  WITH_CHILD=$!
  set +m
  if [[ -n "$WITH_PENDING" ]]; then with_forward "$WITH_PENDING"; fi
  # wait returns early when a trapped signal comes; then wait again for the command's own status.
  while true; do
    WITH_FORWARDED=0
    rc=0
    wait "$WITH_CHILD" || rc=$?
    ((WITH_FORWARDED)) || break
  done
  exit "$rc"
}

usage() {
  sed -n '2,/^set -euo pipefail/p' "$SCRIPT_PATH" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

main() {
  [[ $# -ge 1 ]] || usage
  local cmd=$1
  shift
  case "$cmd" in
    fetch) cmd_fetch "$@" ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status "$@" ;;
    missing) cmd_missing "$@" ;;
    logs) cmd_logs "$@" ;;
    wipe) cmd_wipe "$@" ;;
    env) cmd_env "$@" ;;
    with) cmd_with "$@" ;;
    -h | --help | help) usage ;;
    *) log "unknown command: $cmd"; usage ;;
  esac
}

main "$@"
