#!/bin/sh
# Install every Debian package that replcopy's build, tests, demo and
# benchmarks need. Idempotent and non-interactive.
set -eu
pkgs="
	build-essential pkg-config
	linux-image-amd64 linux-headers-amd64
	libmnl-dev libkmod-dev kmod libcmocka-dev
	qemu-system-x86 busybox-static cpio
	iproute2 nftables iputils-ping procps python3 python3-prometheus-client
	nginx-light curl hey wrk hping3
	redis-server redis-tools memcached libmemcached-tools
	bpfcc-tools python3-bpfcc trace-cmd gnuplot-nox strace libpcap-dev
	dkms linux-source
	debhelper dh-dkms dpkg-dev fakeroot lintian systemd
	clang libclang-rt-dev
"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: need root to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
# The distribution's services are not wanted running on a build machine;
# the tests start their own instances inside the VM.
for s in nginx redis-server memcached; do
	systemctl disable --now "$s" >/dev/null 2>&1 || true
done
echo "deps: installed:$missing"
