#!/usr/bin/env bash
# Stanford CoreNLP server (GPL-3.0, a separate process) for the languages spaCy and natasha do not serve.
#   corenlp.sh resolve   resolve CoreNLP and the model jars of $WIRESTREAM_CORENLP_LANGS via Maven (once)
#   corenlp.sh start     resolve, start one server for all those languages, wait until it answers (idempotent)
#   corenlp.sh stop      stop the server this script started
#   corenlp.sh status    exit 0 when a server answers on the port
# Jars (from Maven Central, cached in ~/.m2), pid and log live in git-ignored folders beside this script.
# Languages: WIRESTREAM_CORENLP_LANGS, space- or comma-separated Maven profiles of pom.xml (default
# "german spanish"; italian (86 MB, slow) and chinese (1.6 GB) are opt-in: `make setup CORENLP_LANGS="german spanish italian"`).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../process.sh
source "$here/../process.sh"
host="${WIRESTREAM_CORENLP_HOST:-127.0.0.1}"
port="${WIRESTREAM_CORENLP_PORT:-9000}"
langs="$(echo "${WIRESTREAM_CORENLP_LANGS:-german spanish}" | tr ',' ' ' | xargs -n1 | sort -u | xargs)"
heap="${WIRESTREAM_CORENLP_HEAP:-3g}"
threads="${WIRESTREAM_CORENLP_THREADS:-2}"
lib="$here/lib"
run="$here/run"
logs="$here/logs"
pidfile="$run/server-$port.pid"
log="$logs/server-$port.log"

answering() {  # the server's liveness page answers 200 (curl, or plain bash where curl is missing)
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 2 "http://$host:$port/live" >/dev/null 2>&1
  else
    (exec 3<>"/dev/tcp/$host/$port" && printf 'GET /live HTTP/1.0\r\n\r\n' >&3 && head -n 1 <&3 | grep -q " 200") 2>/dev/null
  fi
}

resolve() {
  local stamp="$lib/.complete-${langs// /-}"
  if [ -f "$stamp" ]; then return; fi
  mkdir -p "$run"
  echo "corenlp: resolving CoreNLP 4.5.10 and models for: ${langs:-none} (Maven Central, cached in ~/.m2)"
  rm -rf "$lib"
  mvn -q -B -f "$here/pom.xml" ${langs:+-P "${langs// /,}"} dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$lib" >"$run/maven.log" 2>&1 \
    || { cat "$run/maven.log" >&2; echo "corenlp: maven failed" >&2; exit 1; }
  touch "$stamp"
}

start() {
  mkdir -p "$run" "$logs"
  exec 9>"$run/start-$port.lock"
  flock 9  # a worker and a script starting it at once: one server
  if answering; then echo "corenlp: already running on $host:$port"; return; fi
  resolve
  echo "corenlp: starting the CoreNLP server on $host:$port for: $langs (log: $log)"
  # models load on each language's first request; -maxCharLength fits a batch of stories per request
  nohup java -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true -cp "$lib/*" \
    edu.stanford.nlp.pipeline.StanfordCoreNLPServer -port "$port" -threads "$threads" \
    -timeout 120000 -maxCharLength 1000000 -quiet true >"$log" 2>&1 9>&- &
  echo $! >"$pidfile"
  wait_started corenlp "$pidfile" "$log" 60 answering
}

stop() { stop_process corenlp "$pidfile" 10; }

case "${1:-}" in
  resolve) resolve ;;
  start) start ;;
  stop) stop ;;
  status) answering ;;
  *) echo "usage: $0 resolve|start|stop|status" >&2; exit 2 ;;
esac
