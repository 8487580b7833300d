# replcopy: kernel module (replcopy.ko) and its controller (replctl).
#
#   make            build replcopy.ko and user/replctl
#   make deps       install every Debian package build, tests, demo and bench need
#   make test       host unit tests, then the VM scenario suite
#   make demo       boot the VM and replicate real HTTP traffic
#   make install    install module (+depmod), replctl, man page, completion
#   make bench      benchmark in the VM (bench/results/, docs/BENCHMARKS.md)
#
# KVER / KDIR select the kernel to build for (default: scripts/kver).

KVER	?= $(shell $(CURDIR)/scripts/kver)
KDIR	?= /lib/modules/$(KVER)/build
PREFIX	?= /usr/local
DESTDIR	?=
TESTS	?=

export KVER

.PHONY: all module replctl deps test test-unit test-vm demo install uninstall \
	dkms-install clean checkpatch bench

all: module replctl

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

replctl:
	$(MAKE) -C user

deps:
	scripts/deps.sh

test: deps all
	tests/run.sh $(TESTS)

test-unit: replctl
	$(MAKE) -C user check

test-vm: deps all
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

checkpatch:
	scripts/checkpatch.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C user clean
	rm -rf build
