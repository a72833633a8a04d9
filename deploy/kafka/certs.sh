#!/usr/bin/env bash
# TLS material for a local SASL_SSL broker, made with openssl (Debian's) and nothing else:
#   certs.sh DIR [CN]
# writes into DIR: ca.pem + ca.key (a CA of its own: what clients trust, WIRESTREAM_SSL_CAFILE),
# broker.pem + broker.key (the broker's certificate, CN given or "wirestream-broker", valid for
# 127.0.0.1 and localhost, signed by that CA) and broker.p12 (the same as the PKCS12 keystore the broker
# reads, its password in DIR/password). Run it twice into two folders to get a CA the broker does not use
# (an "untrusted certificate" for the clients). Valid 30 days: for tests and local trials, not production.
set -euo pipefail
dir="${1:?usage: certs.sh DIR [CN]}"
cn="${2:-wirestream-broker}"
host="${WIRESTREAM_KAFKA_HOST:-127.0.0.1}"
mkdir -p "$dir"
cd "$dir"
umask 077
openssl rand -hex 16 >password
pw="$(cat password)"
quiet() { "$@" >/dev/null 2>openssl.log || { cat openssl.log >&2; exit 1; }; }
quiet openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$cn-ca" -keyout ca.key -out ca.pem
quiet openssl req -newkey rsa:2048 -nodes -subj "/CN=$cn" -keyout broker.key -out broker.csr
printf 'subjectAltName=IP:%s,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' "$host" >broker.ext
quiet openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
  -extfile broker.ext -out broker.pem
quiet openssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem -name broker \
  -passout "pass:$pw" -out broker.p12
rm -f broker.csr broker.ext ca.srl openssl.log
chmod 644 ca.pem broker.pem
