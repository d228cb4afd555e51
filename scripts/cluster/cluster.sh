#!/usr/bin/env bash
# Kanaal on a small cluster of its own, on loopback, without Docker: a standalone Artemis 2.40.0 primary/backup
# pair with replication, a standalone PostgreSQL, and three Kanaal instances (the jar, profile `cluster`).
# Everything lives under $KANAAL_CLUSTER_DIR (target/cluster): configuration, data, logs, pids, secrets.
#
#   scripts/cluster/cluster.sh up | down | status
#   scripts/cluster/cluster.sh kill-kanaal N | start-kanaal N        (N = 1..KANAAL_CLUSTER_INSTANCES)
#   scripts/cluster/cluster.sh kill-broker primary|backup | start-broker primary|backup
#   scripts/cluster/cluster.sh env                                   (the settings, for tests and scripts)
#
# Settings (environment; defaults chosen not to clash with the tests, which take free ports):
#   KANAAL_CLUSTER_DIR (target/cluster), KANAAL_CLUSTER_INSTANCES (3)
#   KANAAL_CLUSTER_ARTEMIS_PRIMARY_PORT (61716), KANAAL_CLUSTER_ARTEMIS_BACKUP_PORT (61717)
#   KANAAL_CLUSTER_PG_PORT (55432)
#   KANAAL_CLUSTER_HTTP_PORT (18081: instance N listens on 18080+N), KANAAL_CLUSTER_MANAGEMENT_PORT (19081: idem)
#   KANAAL_CLUSTER_JAR (target/kanaal-*.jar), ARTEMIS_HOME (target/artemis/apache-artemis-2.40.0, else unpacked
#     from the local Maven repository)
#   KANAAL_CLUSTER_JAVA_OPTS (-Xmx512m -XX:+UseSerialGC), KANAAL_CLUSTER_BROKER_JAVA_ARGS (-Xms64M -Xmx512M ...)
#   KANAAL_CLUSTER_PROFILES (more Spring profiles after `cluster`, comma-separated)
#   KANAAL_CLUSTER_CONFIG (a YAML file of more settings for every instance: channels, delivery settings)
#   KANAAL_CLUSTER_ARGS (more --key=value arguments for every instance, split at spaces)
#   KANAAL_DB_PASSWORD, KANAAL_BROKER_PASSWORD (Kanaal's login), KANAAL_BROKER_ADMIN_PASSWORD,
#     KANAAL_BROKER_ERP_PASSWORD, KANAAL_API_KEYS_ERP, KANAAL_API_OPSKEYS_OPS: generated at the first `up` into
#     $KANAAL_CLUSTER_DIR/secrets.env (mode 600) unless set
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ARTEMIS_VERSION=2.40.0
DIR="${KANAAL_CLUSTER_DIR:-$ROOT/target/cluster}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
INSTANCES="${KANAAL_CLUSTER_INSTANCES:-3}"
PRIMARY_PORT="${KANAAL_CLUSTER_ARTEMIS_PRIMARY_PORT:-61716}"
BACKUP_PORT="${KANAAL_CLUSTER_ARTEMIS_BACKUP_PORT:-61717}"
PG_PORT="${KANAAL_CLUSTER_PG_PORT:-55432}"
HTTP_PORT="${KANAAL_CLUSTER_HTTP_PORT:-18081}"
MANAGEMENT_PORT="${KANAAL_CLUSTER_MANAGEMENT_PORT:-19081}"
JAVA_OPTS_KANAAL="${KANAAL_CLUSTER_JAVA_OPTS:--Xmx512m -XX:+UseSerialGC}"
BROKER_JAVA_ARGS="${KANAAL_CLUSTER_BROKER_JAVA_ARGS:--Xms64M -Xmx512M -XX:+UseSerialGC -Dlog4j2.disableJmx=true --add-opens java.base/jdk.internal.misc=ALL-UNNAMED}"
BROKER_USER=kanaal          # Kanaal's login; the broker's admin is `admin` (KANAAL_BROKER_ADMIN_PASSWORD)
DB_USER=kanaal
DB_NAME=kanaal
PG_BIN="${KANAAL_CLUSTER_PG_BIN:-}"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
random_hex() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
as_root() { if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

broker_url() {
  echo "(tcp://127.0.0.1:${PRIMARY_PORT},tcp://127.0.0.1:${BACKUP_PORT})?ha=true&reconnectAttempts=-1&retryInterval=500&retryIntervalMultiplier=1.5&maxRetryInterval=5000"
}
jdbc_url() { echo "jdbc:postgresql://127.0.0.1:${PG_PORT}/${DB_NAME}"; }
http_port() { echo $((HTTP_PORT + $1 - 1)); }
management_port() { echo $((MANAGEMENT_PORT + $1 - 1)); }

# ---- secrets: from the environment, else generated once and kept in secrets.env -----------------------------------
load_secrets() {
  local file="$DIR/secrets.env"
  if [[ ! -f "$file" ]]; then
    (umask 077
     {
       echo "KANAAL_DB_PASSWORD=${KANAAL_DB_PASSWORD:-$(random_hex)}"
       echo "KANAAL_BROKER_PASSWORD=${KANAAL_BROKER_PASSWORD:-$(random_hex)}"
       echo "KANAAL_BROKER_ADMIN_PASSWORD=${KANAAL_BROKER_ADMIN_PASSWORD:-$(random_hex)}"
       echo "KANAAL_BROKER_ERP_PASSWORD=${KANAAL_BROKER_ERP_PASSWORD:-$(random_hex)}"
       echo "KANAAL_BROKER_CLUSTER_PASSWORD=${KANAAL_BROKER_CLUSTER_PASSWORD:-$(random_hex)}"
       echo "KANAAL_API_KEYS_ERP=${KANAAL_API_KEYS_ERP:-$(random_hex)}"
       echo "KANAAL_API_OPSKEYS_OPS=${KANAAL_API_OPSKEYS_OPS:-$(random_hex)}"
     } > "$file")
  fi
  # shellcheck disable=SC1090
  set -a; source "$file"; set +a
}

# ---- process bookkeeping: one pid file per process ------------------------------------------------------------------
pid_of() { [[ -f "$DIR/pids/$1.pid" ]] && cat "$DIR/pids/$1.pid" || true; }
running() { local pid; pid="$(pid_of "$1")"; [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }
stop_pid() { # name signal
  local name="$1" signal="${2:-TERM}" pid
  pid="$(pid_of "$name")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "-$signal" "$pid" 2>/dev/null || true
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then log "$name ($pid) still running after 60 s: SIGKILL"; kill -KILL "$pid" || true; fi
  fi
  rm -f "$DIR/pids/$name.pid"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { # description seconds command...
  local what="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    (( SECONDS < deadline )) || die "$what: not within ${seconds} s (logs in $DIR/logs)"
    sleep 1
  done
}

# ---- Artemis ---------------------------------------------------------------------------------------------------------
artemis_home() {
  local home="${ARTEMIS_HOME:-$ROOT/target/artemis/apache-artemis-$ARTEMIS_VERSION}"
  if [[ ! -x "$home/bin/artemis" ]]; then
    home="$DIR/artemis-dist/apache-artemis-$ARTEMIS_VERSION"
    if [[ ! -x "$home/bin/artemis" ]]; then
      local repo="${MAVEN_REPO:-$HOME/.m2/repository}"
      local tarball="$repo/org/apache/activemq/apache-artemis/$ARTEMIS_VERSION/apache-artemis-$ARTEMIS_VERSION-bin.tar.gz"
      if [[ ! -f "$tarball" ]]; then
        log "fetching apache-artemis $ARTEMIS_VERSION (bin tar.gz) into the local Maven repository"
        (cd "$ROOT" && ./mvnw -B -q dependency:get -Dartifact="org.apache.activemq:apache-artemis:$ARTEMIS_VERSION:tar.gz:bin") >&2
      fi
      mkdir -p "$DIR/artemis-dist"
      tar -xzf "$tarball" -C "$DIR/artemis-dist"
    fi
  fi
  echo "$home"
}

# artemis create for one broker of the pair: replication, a static cluster connection to the other one on loopback;
# then Kanaal's broker.properties and the role's config/artemis/cluster/<role>.properties (failback on: the primary
# takes over again once it is back and in sync), both loaded by artemis run --properties
create_broker() { # role port other-port
  local role="$1" port="$2" other="$3" instance="$DIR/artemis-$1"
  [[ -f "$instance/etc/broker.xml" ]] && return 0
  local home; home="$(artemis_home)"
  local args=(create "$instance" --silent --force --name "kanaal-$role" --host 127.0.0.1 --default-port "$port"
    --replicated --clustered --static-cluster "tcp://127.0.0.1:$other"
    --cluster-user kanaal-cluster --cluster-password "$KANAAL_BROKER_CLUSTER_PASSWORD"
    --user admin --password "$KANAAL_BROKER_ADMIN_PASSWORD" --require-login
    --no-web --nio --no-amqp-acceptor --no-mqtt-acceptor --no-stomp-acceptor --no-hornetq-acceptor)
  [[ "$role" == backup ]] && args+=(--backup)
  log "artemis create $role on 127.0.0.1:$port"
  "$home/bin/artemis" "${args[@]}" > "$DIR/logs/artemis-$role-create.log" 2>&1 \
    || die "artemis create $role failed: $DIR/logs/artemis-$role-create.log"
  # Kanaal's address settings, its users' rights, and the role's HA policy (failback) on top of the one artemis
  # create wrote; Kanaal's users (kanaal, erp) beside the admin
  cp "$ROOT/config/artemis/broker.properties" "$instance/etc/broker.properties"
  cp "$ROOT/config/artemis/security.properties" "$instance/etc/security.properties"
  cp "$ROOT/config/artemis/cluster/$role.properties" "$instance/etc/$role.properties"
  "$ROOT/config/artemis/add-users.sh" "$instance"
}

start_broker() { # role
  local role="$1" instance="$DIR/artemis-$1"
  running "artemis-$role" && { log "artemis $role already running"; return 0; }
  log "starting artemis $role"
  JAVA_ARGS="$BROKER_JAVA_ARGS" setsid "$instance/bin/artemis" run \
    --properties "$instance/etc/broker.properties,$instance/etc/security.properties,$instance/etc/$role.properties" \
    >> "$DIR/logs/artemis-$role.log" 2>&1 < /dev/null &
  echo $! > "$DIR/pids/artemis-$role.pid"
}

broker_state() { # role: active | backup | down
  local role="$1" port
  if ! running "artemis-$role"; then echo down; return; fi
  port=$([[ "$role" == primary ]] && echo "$PRIMARY_PORT" || echo "$BACKUP_PORT")
  if port_open "$port"; then echo active; else echo backup; fi
}

backup_in_sync() { grep -q 'AMQ221024' "$DIR/artemis-backup/log/artemis.log" 2>/dev/null; }

# ---- PostgreSQL ------------------------------------------------------------------------------------------------------
pg_bin() {
  if [[ -n "$PG_BIN" ]]; then echo "$PG_BIN"; return; fi
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -z "$dir" || ! -x "$dir/initdb" ]]; then
    log "PostgreSQL not installed: installing Debian's postgresql"
    as_root apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    dir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  echo "$dir"
}

# PostgreSQL refuses to run as root: then it runs as the postgres user the Debian package created, from /
as_pg() { if [[ "$(id -u)" -eq 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

# The data directory: $DIR/postgres, or, when the postgres user cannot reach $DIR (root's clone under a private
# folder), a directory of its own under /var/tmp that $DIR/postgres links to; the link ties it to this cluster.
pg_data() {
  if [[ -L "$DIR/postgres" ]]; then readlink "$DIR/postgres"; else echo "$DIR/postgres"; fi
}

create_postgres() {
  local bin; bin="$(pg_bin)"
  [[ -f "$DIR/postgres/PG_VERSION" ]] && return 0
  local home="$DIR"
  if [[ "$(id -u)" -eq 0 ]] && ! runuser -u postgres -- test -w "$DIR" 2>/dev/null; then
    chown postgres "$DIR" 2>/dev/null || true
    if ! runuser -u postgres -- test -w "$DIR" 2>/dev/null; then
      home="/var/tmp/kanaal-cluster-$(printf '%s' "$DIR" | sha256sum | cut -c1-16)"
      rm -rf "$home"
      install -d -m 700 -o postgres "$home"
      rm -rf "$DIR/postgres"
      ln -s "$home/postgres" "$DIR/postgres"
    fi
  fi
  local data="$home/postgres" pwfile="$home/postgres-superuser.pw"
  log "initdb $data"
  mkdir -p "$data"
  [[ "$(id -u)" -eq 0 ]] && chown postgres "$data"
  (umask 077; random_hex > "$pwfile")
  [[ "$(id -u)" -eq 0 ]] && chown postgres "$pwfile"
  as_pg "$bin/initdb" -D "$data" -U postgres --pwfile="$pwfile" --auth-local=peer --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 > "$DIR/logs/postgres-initdb.log" 2>&1 || die "initdb failed: $DIR/logs/postgres-initdb.log"
  cat >> "$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$data'
max_connections = 200
shared_buffers = 128MB
fsync = on
CONF
}

start_postgres() {
  local data bin; data="$(pg_data)"; bin="$(pg_bin)"
  if as_pg "$bin/pg_ctl" -D "$data" status > /dev/null 2>&1; then log "postgres already running"; return 0; fi
  log "starting postgres on 127.0.0.1:$PG_PORT"
  as_pg "$bin/pg_ctl" -D "$data" -l "$data/postgres.log" -w -t 60 start > /dev/null \
    || die "postgres did not start: $data/postgres.log"
  # the application's role: owns its database, not a superuser
  as_pg "$bin/psql" -h "$data" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q > /dev/null <<SQL
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', '$DB_USER')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER') \gexec
ALTER ROLE $DB_USER PASSWORD '$KANAAL_DB_PASSWORD';
SELECT format('CREATE DATABASE %I OWNER %I', '$DB_NAME', '$DB_USER')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB_NAME') \gexec
SQL
}

stop_postgres() {
  local data bin; data="$(pg_data)"
  [[ -f "$data/PG_VERSION" ]] || return 0
  bin="$(pg_bin)"
  if as_pg "$bin/pg_ctl" -D "$data" status > /dev/null 2>&1; then
    log "stopping postgres"
    as_pg "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop > /dev/null || true
  fi
}

# ---- Kanaal ----------------------------------------------------------------------------------------------------------
kanaal_jar() {
  local jar="${KANAAL_CLUSTER_JAR:-}"
  if [[ -z "$jar" ]]; then
    jar="$(ls "$ROOT"/target/kanaal-*.jar 2>/dev/null | grep -v '\.original$' | head -n 1 || true)"
  fi
  [[ -n "$jar" && -f "$jar" ]] || die "no Kanaal jar in target/: build it first (./mvnw -B package -DskipTests)"
  echo "$jar"
}

start_kanaal() { # N
  local n="$1" name="kanaal-$1"
  running "$name" && { log "$name already running"; return 0; }
  local jar; jar="$(kanaal_jar)"
  local -a extra=()
  # shellcheck disable=SC2206
  [[ -n "${KANAAL_CLUSTER_ARGS:-}" ]] && extra=(${KANAAL_CLUSTER_ARGS})
  [[ -n "${KANAAL_CLUSTER_CONFIG:-}" ]] && extra+=("--spring.config.additional-location=file:$(cd "$(dirname "$KANAAL_CLUSTER_CONFIG")" && pwd)/$(basename "$KANAAL_CLUSTER_CONFIG")")
  mkdir -p "$DIR/$name"
  log "starting $name: http 127.0.0.1:$(http_port "$n"), management 127.0.0.1:$(management_port "$n")"
  # secrets by environment, not on the command line (ps shows arguments to every user)
  # shellcheck disable=SC2086
  (cd "$ROOT" && exec env \
    SPRING_PROFILES_ACTIVE="cluster${KANAAL_CLUSTER_PROFILES:+,$KANAAL_CLUSTER_PROFILES}" \
    SPRING_DATASOURCE_URL="$(jdbc_url)" SPRING_DATASOURCE_USERNAME="$DB_USER" SPRING_DATASOURCE_PASSWORD="$KANAAL_DB_PASSWORD" \
    SPRING_ARTEMIS_BROKER_URL="$(broker_url)" SPRING_ARTEMIS_USER="$BROKER_USER" SPRING_ARTEMIS_PASSWORD="$KANAAL_BROKER_PASSWORD" \
    KANAAL_API_KEYS_ERP="$KANAAL_API_KEYS_ERP" KANAAL_API_OPSKEYS_OPS="$KANAAL_API_OPSKEYS_OPS" \
    setsid java $JAVA_OPTS_KANAAL -jar "$jar" \
      --server.address=127.0.0.1 --server.port="$(http_port "$n")" \
      --management.server.address=127.0.0.1 --management.server.port="$(management_port "$n")" \
      --kanaal.data-dir="$DIR/$name/data" \
      --kanaal.broker.acceptor= \
      --logging.file.name="$DIR/logs/$name-spring.log" \
      "${extra[@]}" \
    >> "$DIR/logs/$name.log" 2>&1 < /dev/null) &
  echo $! > "$DIR/pids/$name.pid"
}

kanaal_health() { # N -> the health endpoint's status, or down
  local n="$1"
  running "kanaal-$n" || { echo down; return; }
  local body
  body="$(curl -s --max-time 3 "http://127.0.0.1:$(management_port "$n")/actuator/health" 2>/dev/null || true)"
  if [[ "$body" =~ \"status\":\"([A-Z_]+)\" ]]; then echo "${BASH_REMATCH[1]}"; else echo starting; fi
}
kanaal_up() {
  running "kanaal-$1" || die "kanaal-$1 exited: $DIR/logs/kanaal-$1.log"
  [[ "$(kanaal_health "$1")" == UP ]]
}

# ---- commands --------------------------------------------------------------------------------------------------------
cmd_up() {
  mkdir -p "$DIR/logs" "$DIR/pids"
  load_secrets
  create_broker primary "$PRIMARY_PORT" "$BACKUP_PORT"
  create_broker backup "$BACKUP_PORT" "$PRIMARY_PORT"
  create_postgres
  start_postgres
  start_broker primary
  wait_for "artemis primary on port $PRIMARY_PORT" 180 port_open "$PRIMARY_PORT"
  start_broker backup
  wait_for "artemis backup in sync with the primary" 180 backup_in_sync
  # all at once, also on an empty database: a Quartz route whose job another instance is storing starts again a
  # moment later (TemplatedRoutes, ScheduledRoutesConfiguration; docs/cluster.md)
  for n in $(seq 1 "$INSTANCES"); do start_kanaal "$n"; done
  for n in $(seq 1 "$INSTANCES"); do wait_for "kanaal-$n healthy" 420 kanaal_up "$n"; done
  # each part was seen up above; a health that flickers (OUT_OF_SERVICE while a route starts) does not fail `up`
  cmd_status || true
}

cmd_down() {
  for n in $(seq 1 "$INSTANCES"); do stop_pid "kanaal-$n" TERM; done
  stop_pid artemis-backup TERM
  stop_pid artemis-primary TERM
  stop_postgres
  log "cluster down"
}

cmd_status() {
  local rc=0
  printf '%-16s %-10s %-8s %s\n' component state pid address
  for role in primary backup; do
    local port; port=$([[ "$role" == primary ]] && echo "$PRIMARY_PORT" || echo "$BACKUP_PORT")
    printf '%-16s %-10s %-8s %s\n' "artemis-$role" "$(broker_state "$role")" "$(pid_of "artemis-$role")" "tcp://127.0.0.1:$port"
  done
  local pg=down
  if [[ -f "$DIR/postgres/PG_VERSION" ]] && "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then pg=up; fi
  [[ "$pg" == up ]] || rc=1
  printf '%-16s %-10s %-8s %s\n' postgres "$pg" "$(head -n 1 "$DIR/postgres/postmaster.pid" 2>/dev/null || true)" "$(jdbc_url)"
  for n in $(seq 1 "$INSTANCES"); do
    local health; health="$(kanaal_health "$n")"
    [[ "$health" == UP ]] || rc=1
    printf '%-16s %-10s %-8s %s\n' "kanaal-$n" "$health" "$(pid_of "kanaal-$n")" \
      "http://127.0.0.1:$(http_port "$n") (management :$(management_port "$n"))"
  done
  [[ "$(broker_state primary)" == active || "$(broker_state backup)" == active ]] || rc=1
  return $rc
}

cmd_env() {
  load_secrets
  echo "KANAAL_CLUSTER_DIR=$DIR"
  echo "KANAAL_CLUSTER_INSTANCES=$INSTANCES"
  echo "KANAAL_CLUSTER_BROKER_URL=$(broker_url)"
  echo "KANAAL_CLUSTER_ARTEMIS_PRIMARY_PORT=$PRIMARY_PORT"
  echo "KANAAL_CLUSTER_ARTEMIS_BACKUP_PORT=$BACKUP_PORT"
  echo "KANAAL_CLUSTER_JDBC_URL=$(jdbc_url)"
  echo "KANAAL_CLUSTER_HTTP_PORT=$HTTP_PORT"
  echo "KANAAL_CLUSTER_MANAGEMENT_PORT=$MANAGEMENT_PORT"
  echo "KANAAL_CLUSTER_BROKER_USER=$BROKER_USER"
  echo "KANAAL_CLUSTER_DB_USER=$DB_USER"
}

command="${1:-status}"
shift || true
mkdir -p "$DIR/logs" "$DIR/pids"
case "$command" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  kill-kanaal) stop_pid "kanaal-${1:?instance number}" KILL; log "kanaal-$1 killed (SIGKILL)" ;;
  start-kanaal) load_secrets; start_kanaal "${1:?instance number}"; wait_for "kanaal-$1 healthy" 420 kanaal_up "$1" ;;
  stop-kanaal) stop_pid "kanaal-${1:?instance number}" TERM ;;
  kill-broker) stop_pid "artemis-${1:?primary or backup}" KILL; log "artemis $1 killed (SIGKILL)" ;;
  start-broker) load_secrets; start_broker "${1:?primary or backup}" ;;
  *) die "unknown command '$command': up, down, status, env, kill-kanaal N, start-kanaal N, stop-kanaal N, kill-broker R, start-broker R" ;;
esac
