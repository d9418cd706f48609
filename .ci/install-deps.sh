#!/usr/bin/env bash
# System packages the test suite needs: Debian's Tomcat 10 (the real servlet container the "fake Jira"
# harness runs web.xml and jars in) and xmllint. Idempotent: installs only what is missing, and never
# leaves the system tomcat10 service running (the harness runs its own CATALINA_BASE; port 8080 must stay free).
set -euo pipefail

need=()
[ -d /usr/share/tomcat10/lib ] || need+=(tomcat10)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
# The harness compiles its test filters with javac; Tomcat itself only needs a JRE.
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)

if [ "${#need[@]}" -eq 0 ]; then
  echo "install-deps: tomcat10, xmllint and javac already present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${need[*]}; run this script as root to install them" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Tell maintainer scripts not to start services (exit 101 = "action forbidden" per policy-rc.d),
# so the package's postinst cannot start the system tomcat10 on port 8080. Remove our file afterwards.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  own_policy=1
fi
cleanup() { if [ "$own_policy" -eq 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

echo "install-deps: installing ${need[*]}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"

# Belt and braces: if systemd runs this machine and started the unit anyway, stop and disable it.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  systemctl stop tomcat10.service >/dev/null 2>&1 || true
  systemctl disable tomcat10.service >/dev/null 2>&1 || true
fi
echo "install-deps: done"
