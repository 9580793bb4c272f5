#!/usr/bin/env bash
# P8 and Pushpin side by side on this machine, in one run: installs Debian's pushpin package
# when it is missing, builds p8.jar, and prints the table of docs/benchmarks.md.
# Options go to dev.p8.examples.bench.Compare: --quick, --no-pushpin, --only streams,fanout,...
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v pushpin >/dev/null; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  $sudo apt-get update -qq
  $sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pushpin
fi
mvn -B -q -DskipTests package
# 19,000 held streams need as many descriptors in the load generator and in each server.
ulimit -n 20000 2>/dev/null || true
# Run from a copy, so that rebuilding p8.jar during a run does not change the server under test.
jar="$(mktemp -d)/p8.jar"
cp p8-examples/target/p8.jar "$jar"
exec java -cp "$jar" dev.p8.examples.bench.Compare "$@"
