# Unit tests of the steps' own logic (tests/unit/test_*.c), for what the lab machine
# cannot run for real (cgroup v2 on a hybrid host, later seccomp filters, id maps, the
# KVM parsers). Each test is linked with lib/ and some sources of one step, and names
# them in a line
#     // STEP: 06-cgroups cgroups.c
# (the step directory, then its .c files; the test has main(), so never box.c). As in
# lib/tests/, a "// WRAP: f g" line names the functions the test fakes, and an optional
# "// LIBS: -lseccomp" line what else it links with.
#
# Include this after mk/lib.mk and mk/checks.mk: it reuses LIB_SRCS, WARN, unit_wraps.
# `make unit-steps` builds and runs them; tools/test-all runs them in the "unit" suite.
# UNIT_STEPS_FROM=labs builds them against the labs instead of the solutions.

ifeq ($(value unit_wraps),)
$(error mk/unit-steps.mk uses unit_wraps from mk/checks.mk: include it after that)
endif

UNIT_STEPS_FROM ?= solutions
UNIT_STEP_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_STEP_PROGS_BUILT :=

# $(call unit_line,KEY,FILE) -> the rest of FILE's "// KEY: ..." line
unit_line = $(shell sed -n 's|^// $(1): ||p' $(2))

# $(call unit_step_rules,TEST_SRC,STEP_DIR,STEP_SRCS)
# A test whose step directory is missing is left out, not an error: the student
# release has no solutions/ (there UNIT_STEPS_FROM=labs builds them against the labs).
define unit_step_rules
$(if $(and $(2),$(3)),,$(error $(1): wants a "// STEP: NN-name file.c..." line))
$(if $(wildcard $(2)/),$(call unit_step_build,$(1),$(2),$(3)))
endef

define unit_step_build
UNIT_STEP_PROGS_BUILT += $(BUILD)/unit/$(basename $(notdir $(1)))
$(BUILD)/unit/$(basename $(notdir $(1))): $(1) $(3) $(wildcard $(2)/*.h) $(LIB_SRCS) lib/ws.h \
		$(wildcard tests/unit/*.h) $(wildcard lib/tests/*.h)
	@mkdir -p $$(@D)
	$$(CC) $$(CPPFLAGS) -I$(2) $$(PKG_CFLAGS) $$(WARN) $(if $(filter labs,$(UNIT_STEPS_FROM)),$$(LAB_WARN)) $$(CFLAGS) \
		-o $$@ $$< $(3) $$(LIB_SRCS) $$(call unit_wraps,$$<) $(call unit_line,LIBS,$(1)) -lcmocka
endef

# $(call unit_step_of,TEST_SRC) -> the rules for it, from its "// STEP:" line
unit_step_of = $(call unit_step_rules,$(1),$(addprefix $(UNIT_STEPS_FROM)/,$(firstword \
	$(2))),$(addprefix $(UNIT_STEPS_FROM)/$(firstword $(2))/,$(wordlist 2,$(words $(2)),$(2))))
$(foreach t,$(UNIT_STEP_SRCS),$(eval $(call unit_step_of,$(t),$(call unit_line,STEP,$(t)))))

.PHONY: unit-steps
unit-steps: $(UNIT_STEP_PROGS_BUILT)
	@for t in $(UNIT_STEP_PROGS_BUILT); do $$t || exit 1; done

# `make test` builds them before tools/test-all runs them (checks.mk's test recipe).
test: $(UNIT_STEP_PROGS_BUILT)
