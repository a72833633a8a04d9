#!/usr/bin/env bash
# Installs Debian's prometheus package (prometheus + promtool) when missing: the monitoring tests run
# `promtool test rules` and a real Prometheus. Needs root and apt; says why when it cannot.
set -u
if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ops-deps: apt-get not found; install Prometheus (promtool) yourself for the monitoring tests" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
    echo "ops-deps: not root and no sudo; install the 'prometheus' package for the monitoring tests" >&2
    exit 0
  fi
fi
echo "ops-deps: installing Debian's prometheus package (promtool, prometheus)"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null 2>&1 || true
if ! $sudo apt-get install -y -q --no-install-recommends prometheus >/dev/null 2>&1; then
  echo "ops-deps: apt-get install prometheus failed; the monitoring tests will say so" >&2
fi
# the package may start a system service on some machines: the tests run their own instance
$sudo systemctl stop prometheus >/dev/null 2>&1 || true
exit 0
