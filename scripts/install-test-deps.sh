#!/usr/bin/env bash
# Installs the Debian packages virga's tests drive, when they are missing:
# awscli (the aws CLI v2 from Debian, /usr/bin/aws), python3-boto3,
# python3-requests and python3-cryptography (virga deploy packages the
# host's copies of a Python function's requirements when pip cannot
# install them; its tests need some to package), ruby
# and bundler (Ruby functions run on the host's ruby; virga deploy bundles
# a Ruby function's Gemfile), containerd and runc (the node agent's tests
# run real containers), default-jdk-headless (java and javac: the Java
# runtimes' tests compile and run Java handlers), cargo (virga deploy
# builds a Rust function with BuildMethod rust-cargolambda), and
# postgresql (the PostgreSQL store's tests start throwaway servers with
# its initdb and postgres).
# Under CI=true a tool that cannot be installed fails the run.
set -euo pipefail

missing=()
[ -x /usr/bin/aws ] || missing+=(awscli)
/usr/bin/python3 -c 'import boto3' >/dev/null 2>&1 || missing+=(python3-boto3)
/usr/bin/python3 -c 'import requests' >/dev/null 2>&1 || missing+=(python3-requests)
/usr/bin/python3 -c 'import cryptography, _cffi_backend' >/dev/null 2>&1 || missing+=(python3-cryptography)
command -v ruby >/dev/null 2>&1 || missing+=(ruby)
command -v bundle >/dev/null 2>&1 || missing+=(bundler)
command -v containerd >/dev/null 2>&1 || [ -x /usr/bin/containerd ] || missing+=(containerd)
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || missing+=(runc)
has_postgres() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1; }
has_postgres || missing+=(postgresql)
has_jdk() { command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1; }
has_jdk || missing+=(default-jdk-headless)
command -v cargo >/dev/null 2>&1 || missing+=(cargo)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing Debian packages the tests need: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
fi
if command -v apt-get >/dev/null 2>&1 && { [ -z "$sudo" ] && [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; }; then
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

status=0
[ -x /usr/bin/aws ] || { echo "missing: /usr/bin/aws (Debian package awscli)"; status=1; }
/usr/bin/python3 -c 'import boto3' >/dev/null 2>&1 || { echo "missing: boto3 for /usr/bin/python3 (Debian package python3-boto3)"; status=1; }
/usr/bin/python3 -c 'import requests' >/dev/null 2>&1 || { echo "missing: requests for /usr/bin/python3 (Debian package python3-requests)"; status=1; }
/usr/bin/python3 -c 'import cryptography, _cffi_backend' >/dev/null 2>&1 || { echo "missing: cryptography for /usr/bin/python3 (Debian package python3-cryptography)"; status=1; }
command -v ruby >/dev/null 2>&1 || { echo "missing: ruby (Debian package ruby)"; status=1; }
command -v bundle >/dev/null 2>&1 || { echo "missing: bundle (Debian package bundler)"; status=1; }
command -v containerd >/dev/null 2>&1 || [ -x /usr/bin/containerd ] || { echo "missing: containerd (Debian package containerd)"; status=1; }
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || { echo "missing: runc (Debian package runc)"; status=1; }
has_postgres || { echo "missing: PostgreSQL's initdb and postgres (Debian package postgresql)"; status=1; }
has_jdk || { echo "missing: java and javac (Debian package default-jdk-headless)"; status=1; }
command -v cargo >/dev/null 2>&1 || { echo "missing: cargo (Debian package cargo)"; status=1; }
if [ $status -ne 0 ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "CI=true: the tests need these tools; failing." >&2
    exit 1
  fi
  echo "warning: tests that need these tools will be skipped" >&2
fi
exit 0
