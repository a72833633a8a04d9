#!/usr/bin/env bash
# Local Apache Kafka (KRaft, single broker+controller) without Docker.
#   broker.sh start   resolve jars (once), format storage (once), start, wait until it accepts connections
#   broker.sh stop    stop the broker this script started
#   broker.sh status  exit 0 when a broker accepts connections on the port
# Jars, data and logs live in git-ignored folders beside this script.
#
# WIRESTREAM_KAFKA_SECURITY=sasl_ssl starts it with one SASL_SSL listener (SCRAM-SHA-512) and ACLs
# (sasl-ssl.properties.in): WIRESTREAM_KAFKA_CERTS names certs.sh's folder (made there when missing),
# WIRESTREAM_KAFKA_ADMIN_PASSWORD is the super user `admin`'s password, and WIRESTREAM_KAFKA_SCRAM_USERS
# ("name=password,...") the other users, stored when the storage is formatted. See docs/security.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../process.sh
source "$here/../process.sh"
host="${WIRESTREAM_KAFKA_HOST:-127.0.0.1}"
port="${WIRESTREAM_KAFKA_PORT:-9092}"
controller_port="${WIRESTREAM_KAFKA_CONTROLLER_PORT:-9093}"
lib="$here/lib"
# several brokers may run side by side (tests restart a broker of their own): files are per port
suffix=""; [ "$port" = 9092 ] || suffix="-$port"
data="${WIRESTREAM_KAFKA_DATA:-$here/data$suffix}"
logs="$here/logs"
run="$here/run"
pidfile="$run/broker$suffix.pid"
log="$logs/broker$suffix.log"
props="$run/server$suffix.properties"
heap="${WIRESTREAM_KAFKA_HEAP:-768m}"
security="${WIRESTREAM_KAFKA_SECURITY:-plaintext}"
certs="${WIRESTREAM_KAFKA_CERTS:-$run/certs$suffix}"

accepting() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }
started() { accepting && grep -q "Kafka Server started" "$log"; }

resolve() {
  if [ -f "$lib/.complete" ]; then return; fi
  echo "broker: resolving Apache Kafka from Maven Central into $lib"
  rm -rf "$lib"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$lib" >"$run/maven.log" 2>&1 \
    || { cat "$run/maven.log" >&2; echo "broker: maven failed" >&2; exit 1; }
  touch "$lib/.complete"
}

configure() {
  local templates=("$here/server.properties.in") store_password=""
  case "$security" in
    plaintext) ;;
    sasl_ssl)
      : "${WIRESTREAM_KAFKA_ADMIN_PASSWORD:?sasl_ssl needs WIRESTREAM_KAFKA_ADMIN_PASSWORD}"
      [ -f "$certs/broker.p12" ] || "$here/certs.sh" "$certs"
      store_password="$(cat "$certs/password")"
      templates+=("$here/sasl-ssl.properties.in") ;;
    *) echo "broker: WIRESTREAM_KAFKA_SECURITY is plaintext or sasl_ssl, not $security" >&2; exit 2 ;;
  esac
  (umask 077; cat "${templates[@]}" | sed -e "s#@HOST@#$host#g" -e "s#@PORT@#$port#g" \
      -e "s#@CONTROLLER_PORT@#$controller_port#g" -e "s#@DATA@#$data#g" -e "s#@CERTS@#$certs#g" \
      -e "s#@STORE_PASSWORD@#$store_password#g" \
      -e "s#@ADMIN_PASSWORD@#${WIRESTREAM_KAFKA_ADMIN_PASSWORD:-}#g" >"$props")
}

scram_users() {  # --add-scram arguments for admin and WIRESTREAM_KAFKA_SCRAM_USERS (name=password,...)
  [ "$security" = sasl_ssl ] || return 0
  local entry
  echo "--add-scram"; echo "SCRAM-SHA-512=[name=admin,password=$WIRESTREAM_KAFKA_ADMIN_PASSWORD]"
  IFS=, read -ra entries <<<"${WIRESTREAM_KAFKA_SCRAM_USERS:-}"
  for entry in "${entries[@]}"; do
    [ -n "$entry" ] || continue
    echo "--add-scram"; echo "SCRAM-SHA-512=[name=${entry%%=*},password=${entry#*=}]"
  done
}

format() {
  if [ -f "$data/meta.properties" ]; then return; fi
  mkdir -p "$data"
  local cluster
  cluster="$(java -cp "$lib/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  local scram=()
  mapfile -t scram < <(scram_users)
  java -cp "$lib/*" kafka.tools.StorageTool format -t "$cluster" -c "$props" ${scram[@]+"${scram[@]}"} \
    >"$logs/format$suffix.log" 2>&1 \
    || { cat "$logs/format$suffix.log" >&2; exit 1; }
}

start() {
  if accepting; then echo "broker: already running on $host:$port"; return; fi
  mkdir -p "$run" "$logs"
  resolve
  configure
  format
  echo "broker: starting Apache Kafka on $host:$port (log: $log)"
  nohup java -Xms256m -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$here/log4j2.yaml" \
    -cp "$lib/*" kafka.Kafka "$props" >"$log" 2>&1 &
  echo $! >"$pidfile"
  wait_started broker "$pidfile" "$log" 60 started
}

stop() { stop_process broker "$pidfile" 30; }

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) accepting ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
