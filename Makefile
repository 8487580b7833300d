# replcopy: kernel module (replcopy.ko) and its controller (replctl).
#
#   make            build replcopy.ko and user/replctl
#   make deps       install every Debian package build, tests, demo and bench need
#   make test       host unit tests and fuzzing, then the VM scenario suite
#   make test-full  the same plus the extended (stress) scenarios
#   make test-debug the VM suite on ../shared/debug-kernel (KASAN, lockdep, kmemleak)
#   make test-debug-quick  every scenario once on it, light load (CI's pass)
#   make demo       boot the VM and replicate real HTTP traffic
#   make install    install module (+depmod), replctl, man page, completion,
#                   replcopy.service (not enabled), /etc/replcopy/replcopy.conf
#   make deb        Debian packages replcopy-dkms and replctl in build/deb/
#                   (built from a copy under build/deb-src/; lintian errors fail)
#   make bench      the online host's cost, two VMs (bench/results/, docs/BENCHMARKS.md)
#
# KVER / KDIR select the kernel to build for (default: scripts/kver).

KVER	?= $(shell $(CURDIR)/scripts/kver)
KDIR	?= /lib/modules/$(KVER)/build
PREFIX	?= /usr/local
DESTDIR	?=
TESTS	?=

export KVER

.PHONY: all module replctl deps test test-unit test-vm demo install uninstall \
	dkms-install clean checkpatch bench fuzz test-full test-fuzz test-debug \
	test-debug-quick deb

all: module replctl

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

replctl:
	$(MAKE) -C user

deps:
	scripts/deps.sh

test: deps all fuzz
	tests/run.sh $(TESTS)

test-full: deps all fuzz
	EXTENDED=1 tests/run.sh $(TESTS)

fuzz:
	$(MAKE) -C tests/fuzz

test-fuzz: fuzz
	$(MAKE) -C tests/fuzz run-parse FUZZ_TIME=30

test-debug: deps replctl fuzz
	scripts/test-debug.sh $(TESTS)

test-debug-quick: deps replctl fuzz
	scripts/test-debug.sh --quick $(TESTS)

test-unit: replctl
	$(MAKE) -C user check

test-vm: deps all fuzz
	tests/run.sh --vm-only $(TESTS)

bench: deps all
	bench/run.sh

demo: deps all
	tests/vm/vm-run -t 300 -- tests/demo.sh

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra INSTALL_MOD_PATH=$(DESTDIR) modules_install
	$(if $(DESTDIR),,depmod -a $(KVER))
	$(MAKE) -C user install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KVER)/extra/replcopy.ko
	$(if $(DESTDIR),,depmod -a $(KVER))
	$(MAKE) -C user uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

# Register the source with DKMS so the module is rebuilt on kernel upgrades.
dkms-install:
	scripts/dkms-install.sh

# Build the packages from a copy of the files git knows, as they are in
# the working tree: nothing is built in this tree.
deb:
	scripts/make-deb.sh

checkpatch:
	scripts/checkpatch.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C user clean
	$(MAKE) -C tests/fuzz clean
	rm -rf build
