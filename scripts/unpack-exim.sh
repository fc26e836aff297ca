#!/usr/bin/env bash
# Unpacks Debian's Exim without installing it (exim4 conflicts with postfix), for the relay suite's
# configuration check (exim4 -bV -C FILE). Usage: scripts/unpack-exim.sh [DIR]
# DIR defaults to $SEALPOST_EXIM_ROOT or /var/tmp/sealpost-exim4; the binaries land in DIR/root.
set -euo pipefail
dir=${1:-${SEALPOST_EXIM_ROOT:-/var/tmp/sealpost-exim4}}
# The daemon, Debian's configuration template, the libraries it needs that a Thunderbird/Postfix
# machine may lack, and nss_wrapper: Exim refuses to start unless its compiled-in user
# Debian-exim exists, and nss_wrapper lets the check supply it without touching /etc/passwd.
packages=(exim4-daemon-light exim4-base exim4-config libidn12 libgnutls-dane0 libunbound8 libevent-2.1-7 libnss-wrapper)

if [ -x "$dir/root/usr/sbin/exim4" ] && [ -n "$(find "$dir/root" -name libnss_wrapper.so -print -quit)" ]; then
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# apt-get download writes as the _apt user where it can.
chmod 755 "$work"
if ! (cd "$work" && apt-get download -qq "${packages[@]}" 2>"$work/apt.log"); then
  cat "$work/apt.log" >&2
  echo "cannot download ${packages[*]} with apt-get download (run apt-get update first?)" >&2
  exit 1
fi
rm -rf "$dir"
mkdir -p "$dir/root"
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done

wrapper=$(find "$dir/root" -name libnss_wrapper.so -print -quit)
libs=$(dirname "$wrapper")
missing=$(LD_LIBRARY_PATH="$libs" ldd "$dir/root/usr/sbin/exim4" | grep 'not found' || true)
if [ -n "$missing" ]; then
  echo "the unpacked exim4 lacks libraries:" >&2
  echo "$missing" >&2
  exit 1
fi
echo "exim4 unpacked in $dir/root"
