# Shared by deploy/kafka/broker.sh and deploy/corenlp/corenlp.sh (sourced, not run): waiting for a server
# this project started, and stopping it, by the pid file it wrote.

# wait_started NAME PIDFILE LOG SECONDS CHECK: poll CHECK (a command) every 0.25 s until it succeeds
# ("NAME: ready"); if the process exits first or SECONDS pass, show the log's tail and exit 1.
wait_started() {
  local name="$1" pidfile="$2" log="$3" seconds="$4" check="$5"
  for _ in $(seq 1 $((seconds * 4))); do
    if "$check"; then echo "$name: ready"; return; fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      tail -n 40 "$log" >&2; echo "$name: exited during start" >&2; exit 1
    fi
    sleep 0.25
  done
  tail -n 40 "$log" >&2; echo "$name: not ready after $seconds s" >&2; exit 1
}

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
