#!/usr/bin/env bash
# Installs Debian's `prometheus` package (prometheus + promtool) when either is missing: the monitoring
# tests run `promtool check/test` and a real Prometheus. Called by `make setup`; needs apt and root (or
# passwordless sudo). It never fails the setup: when it cannot install, it says why and the monitoring
# tests will fail with a message pointing here.
set -u
if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  exit 0
fi
say() { echo "ops-deps: $*" >&2; }
if ! command -v apt-get >/dev/null 2>&1; then
  say "apt-get not found: install Prometheus (prometheus and promtool on PATH) for the monitoring tests"
  exit 0
fi
run=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    run=(sudo -n)
  else
    say "not root and no passwordless sudo: run 'apt-get install prometheus' as root for the monitoring tests"
    exit 0
  fi
fi
log=$(mktemp "${TMPDIR:-/tmp}/ops-deps.XXXXXX")
trap 'rm -f "$log"' EXIT
say "installing Debian's prometheus package (prometheus, promtool)"
export DEBIAN_FRONTEND=noninteractive
if ! ${run[@]+"${run[@]}"} apt-get update -q >"$log" 2>&1; then
  say "apt-get update failed (trying the install with the current package lists):"
  tail -n 5 "$log" >&2
fi
if ! ${run[@]+"${run[@]}"} apt-get install -y -q --no-install-recommends prometheus >"$log" 2>&1; then
  say "apt-get install prometheus failed; the monitoring tests will fail until it is installed:"
  tail -n 10 "$log" >&2
  exit 0
fi
# the package starts a system service on port 9090 where an init system runs; the tests start their own
${run[@]+"${run[@]}"} systemctl stop prometheus >/dev/null 2>&1 || ${run[@]+"${run[@]}"} service prometheus stop >/dev/null 2>&1 || true
if command -v promtool >/dev/null 2>&1; then
  say "$(promtool --version 2>&1 | head -n 1)"
else
  say "prometheus installed but promtool is not on PATH (look in /usr/bin)"
fi
exit 0
