# SPDX-License-Identifier: GPL-2.0-only
# kvtep: the human entry points. Kbuild content lives in ./Kbuild.
#
#   make                 module(s) + kvtepctl
#   make module KVER=V   the module for one kernel (default: the running one
#                        if its headers are installed, else every supported
#                        kernel that has headers)
#   make modules-all     the module for every supported kernel with headers
#   make ctl             kvtepctl
#   make check [KVER=V]  install deps, build, host tests, VM selftests,
#                        and a subset of them under the debug kernel
#   make check-debug     the whole VM suite under the debug kernel
#   make debug-kernel    build/install the KASAN+lockdep kernel (cached)
#   make demo            boot a VM and show a kvtep device
#   make dkms-install    register the source with DKMS as kvtep/VERSION
#   make style | sparse  checkpatch / sparse over the module

VERSION := $(shell cat VERSION)
TOP := $(abspath .)
BUILD := $(TOP)/build

# Kernels kvtep supports: 6.1 LTS .. 6.12 LTS, same range as dkms.conf.
SUPPORTED_RE := ^6\.(1|[2-9]|1[0-2])\.
KVERS_ALL := $(shell for d in /lib/modules/*/build; do [ -e "$$d/Makefile" ] && basename "$$(dirname "$$d")"; done | grep -E '$(SUPPORTED_RE)' | sort -V)
# The debug kernel (scripts/debug-kernel.sh) is built for kvtep's own tests;
# `make check` runs it in a stage of its own, so it is not one of "all".
KVERS_ALL := $(filter-out %-kvtepdbg,$(KVERS_ALL))

RUNNING := $(shell uname -r)
ifeq ($(origin KVER),undefined)
  ifneq ($(wildcard /lib/modules/$(RUNNING)/build/Makefile),)
    MODULE_KVERS := $(RUNNING)
  else
    MODULE_KVERS := $(KVERS_ALL)
  endif
else
  MODULE_KVERS := $(KVER)
endif

KSRC_FILES := Kbuild VERSION $(wildcard kmod/*.c kmod/*.h) include/uapi/linux/kvtep.h

.PHONY: print-kvers all module modules-all ctl selftests kselftest-headers deps check demo \
	install dkms-install dkms-uninstall style sparse clean help bench \
	check-debug debug-kernel

all: module ctl

help:
	@sed -n '2,18s/^# \{0,1\}//p' Makefile

# Each kernel gets its own copy of the sources under build/KVER/src, so
# builds for several kernels never share object files.
define module_rule
$(BUILD)/$(1)/kvtep.ko: $(KSRC_FILES)
	@if [ -n "$(KDIR)" ]; then kdir="$(KDIR)"; else kdir=/lib/modules/$(1)/build; fi; \
	 [ -e "$$$$kdir/Makefile" ] || { echo "no kernel headers for $(1) at $$$$kdir (make deps)"; exit 1; }; \
	 rm -rf $(BUILD)/$(1)/src && mkdir -p $(BUILD)/$(1)/src && \
	 cp -a --parents $(KSRC_FILES) $(BUILD)/$(1)/src/ && \
	 $(MAKE) -C "$$$$kdir" M=$(BUILD)/$(1)/src W=1 KVTEP_WERROR=y modules && \
	 cp $(BUILD)/$(1)/src/kvtep.ko $$@
endef
$(foreach k,$(sort $(MODULE_KVERS) $(KVERS_ALL)),$(eval $(call module_rule,$(k))))

module: $(foreach k,$(MODULE_KVERS),$(BUILD)/$(k)/kvtep.ko)
	@for k in $(MODULE_KVERS); do echo "built $(BUILD)/$$k/kvtep.ko"; done

modules-all: $(foreach k,$(KVERS_ALL),$(BUILD)/$(k)/kvtep.ko)

ctl:
	$(MAKE) -C ctl

# kselftest_harness.h and kselftest.h come from Debian's linux-source
# package at build time; they are never committed.
KSFT_HDRS := $(BUILD)/kselftest/kselftest_harness.h $(BUILD)/kselftest/kselftest.h
kselftest-headers: $(KSFT_HDRS)
$(BUILD)/kselftest/%.h:
	@mkdir -p $(dir $@)
	@src=$$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1); \
	 [ -n "$$src" ] || { echo "no /usr/src/linux-source-*.tar.xz (make deps)"; exit 1; }; \
	 top=$$(basename $$src .tar.xz); \
	 tar -xOJf $$src $$top/tools/testing/selftests/$*.h > $@.tmp && mv $@.tmp $@

selftests: $(KSFT_HDRS) ctl
	$(MAKE) -C selftests

deps:
	./scripts/install-deps.sh

check:
	./scripts/check.sh $(if $(filter command line,$(origin KVER)),$(KVER))

check-debug:
	./scripts/check.sh --debug-only

debug-kernel:
	./scripts/debug-kernel.sh

demo: deps all
	./scripts/demo.sh $(if $(filter command line,$(origin KVER)),$(KVER))

bench:
	./scripts/bench.sh $(if $(filter command line,$(origin KVER)),$(KVER))

install: module ctl
	for k in $(MODULE_KVERS); do \
	  install -D -m 644 $(BUILD)/$$k/kvtep.ko $(DESTDIR)/lib/modules/$$k/updates/kvtep.ko; \
	  [ -n "$(DESTDIR)" ] || depmod -a $$k; \
	done
	install -D -m 755 ctl/kvtepctl $(DESTDIR)/usr/local/sbin/kvtepctl

DKMS_SRC := /usr/src/kvtep-$(VERSION)
dkms-install:
	rm -rf $(DKMS_SRC) && mkdir -p $(DKMS_SRC)
	cp -a --parents $(KSRC_FILES) $(DKMS_SRC)/
	sed 's/@VERSION@/$(VERSION)/' dkms.conf > $(DKMS_SRC)/dkms.conf
	dkms add -m kvtep -v $(VERSION) || dkms status -m kvtep -v $(VERSION) | grep -q kvtep
	@echo "registered kvtep/$(VERSION); now: dkms build|install -m kvtep -v $(VERSION) -k KVER"

dkms-uninstall:
	-dkms remove -m kvtep -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

# checkpatch.pl and its data files (read from its own directory) come from
# the linux-source package too.
CHECKPATCH_DIR := $(BUILD)/checkpatch
$(CHECKPATCH_DIR)/checkpatch.pl:
	@mkdir -p $(CHECKPATCH_DIR)
	@src=$$(ls /usr/src/linux-source-*.tar.xz | sort -V | tail -n1); top=$$(basename $$src .tar.xz); \
	 for f in scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch; do \
	   tar -xOJf $$src $$top/$$f > $(CHECKPATCH_DIR)/$$(basename $$f); done; \
	 chmod +x $@

style: $(CHECKPATCH_DIR)/checkpatch.pl
	$(CHECKPATCH_DIR)/checkpatch.pl --no-tree --strict --show-types --ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES \
	  -f kmod/*.c kmod/*.h include/uapi/linux/kvtep.h

sparse:
	@for k in $(MODULE_KVERS); do \
	  rm -rf $(BUILD)/$$k/sparse && mkdir -p $(BUILD)/$$k/sparse && \
	  cp -a --parents $(KSRC_FILES) $(BUILD)/$$k/sparse/ && \
	  $(MAKE) -C /lib/modules/$$k/build M=$(BUILD)/$$k/sparse C=2 CF=-D__CHECK_ENDIAN__ modules 2>&1 | tee $(BUILD)/$$k/sparse.log; \
	  ! grep -E 'warning:|error:' $(BUILD)/$$k/sparse.log || exit 1; \
	done

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C ctl clean
	-$(MAKE) -C selftests clean

print-kvers:
	@for k in $(KVERS_ALL); do echo $$k; done
