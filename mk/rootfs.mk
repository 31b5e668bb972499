# The test root filesystem: Debian's static busybox, a symlink per applet, and the
# static probe at /bin/probe that tests run inside containers (tests/probe/probe.c).
# ROOTFS, ROOTFS_STAMP and PROBE are exported for the tests.

PROBE := $(BUILD)/probe/probe
ROOTFS := $(BUILD)/rootfs
# The stamp lives inside the tree (tools/mkrootfs replaces the whole directory), so
# a deleted tree is rebuilt, not taken for up to date.
ROOTFS_STAMP := $(ROOTFS)/.built

export PROBE ROOTFS ROOTFS_STAMP

# Static: the root filesystem has no shared libraries.
$(PROBE): tests/probe/probe.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -static -o $@ $<

$(ROOTFS_STAMP): $(PROBE) tools/mkrootfs
	tools/mkrootfs $(ROOTFS) $(PROBE)
	@touch $@

.PHONY: rootfs
rootfs: $(ROOTFS_STAMP)
