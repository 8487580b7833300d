#!/bin/bash
# timeout: 900
# After `make install`, replctl loads the module by itself (libkmod), and the
# generic netlink family alias loads it too. (make install's depmod -a reads
# every module of the kernel over 9p: minutes under TCG.)
source "$(dirname "$0")/../lib.sh"
dmesg_mark
[ ! -d /sys/module/replcopy ] || rmmod replcopy || die "rmmod replcopy (before the test)"
# The guest's root is a writable overlay: installing here changes nothing on
# the host. Install what the build produced, as `make install` would, for
# the running kernel.
if [ "$MODULE" = "$TOP/replcopy.ko" ]; then
	make -s -C "$TOP" install -o all -o module -o replctl PREFIX=/usr/local \
		KVER="$(uname -r)"
else
	# Another kernel's build (make test-debug: build/debug-src/): make
	# install would install the top directory's module, built for the
	# stock kernel. Its module step by hand, the rest by make install.
	install -D -m 644 "$MODULE" "/lib/modules/$(uname -r)/extra/replcopy.ko" &&
		depmod -a &&
		make -s -C "$TOP/user" install PREFIX=/usr/local
fi >"$WORK/install.log" 2>&1 || {
	cat "$WORK/install.log"
	die "installing failed"
}
on_exit module_unload
check "module installed under extra/" test -f "/lib/modules/$(uname -r)/extra/replcopy.ko"
check "modinfo finds it" modinfo replcopy
check "replctl installed" test -x /usr/local/sbin/replctl
check "man page installed" test -f /usr/local/share/man/man8/replctl.8

out=$(/usr/local/sbin/replctl list 2>&1) || fail "replctl list with the module unloaded: $out"
check "replctl loaded the module" test -d /sys/module/replcopy
ver=$(/usr/local/sbin/replctl version --json)
log "$ver"
check_eq "libkmod reports the module live" live "$(json_get "$ver" 'j["module"]["state"]')"

check "rmmod before the family-alias test" rmmod replcopy
check "module gone" test ! -d /sys/module/replcopy
# The family alias: a genl request for "replcopy" makes the kernel modprobe it.
python3 - <<'PY' || fail "genl family request did not autoload the module"
import socket, struct
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)  # NETLINK_GENERIC
name = b"replcopy\0"
attr = struct.pack("HH", 4 + len(name), 2) + name + b"\0" * ((4 - len(name) % 4) % 4)
hdr = struct.pack("BBH", 3, 1, 0)  # CTRL_CMD_GETFAMILY
msg = struct.pack("IHHII", 16 + len(hdr) + len(attr), 0x10, 1 | 4, 1, 0) + hdr + attr
s.send(msg)
data = s.recv(65536)
_, typ, _, _, _ = struct.unpack("IHHII", data[:16])
err = struct.unpack("i", data[16:20])[0] if typ == 2 else 0
raise SystemExit(1 if err else 0)
PY
check "module present after the family request" test -d /sys/module/replcopy
check_dmesg_clean
finish
