# Shared by deploy/kafka/broker.sh and deploy/corenlp/corenlp.sh (sourced, not run): stopping a server
# this project started, by the pid file it wrote.

# stop_process NAME PIDFILE SECONDS: TERM the process, wait up to SECONDS for it to exit, then KILL it.
stop_process() {
  local name="$1" pidfile="$2" seconds="$3"
  if [ ! -f "$pidfile" ]; then echo "$name: not started by this script"; return; fi
  local pid; pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 $((seconds * 4))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pidfile"
  echo "$name: stopped"
}
