# Every step directory in solutions/ and labs/ builds one program from its *.c
# files and the shared library. The program is named after the file that holds
# main(): box.c gives box (steps 00-10), vmm.c gives vmm (steps 11-13).

STEP_LDLIBS := $(PKG_LDLIBS) -lm

# $(call step_prog,DIR) -> build path of the step's program
step_prog = $(BUILD)/$(1)/$(if $(wildcard $(1)/vmm.c),vmm,box)

# A lab is work in progress: an unused function or parameter is a hint, not an error.
LAB_WARN := -Wno-error=unused-function -Wno-error=unused-parameter -Wno-error=unused-variable \
	-Wno-error=unused-but-set-variable -Wno-error=unused-const-variable

define step_rules
$(call step_prog,$(1)): $(wildcard $(1)/*.c) $(wildcard $(1)/*.h) $(LIBWS) lib/ws.h
	@mkdir -p $$(@D)
	$$(CC) $$(CPPFLAGS) -I$(1) $$(PKG_CFLAGS) $$(WARN) $(if $(filter labs/%,$(1)),$$(LAB_WARN)) $$(CFLAGS) -o $$@ $(wildcard $(1)/*.c) $$(LIBWS) $$(STEP_LDLIBS) $$(LDFLAGS)
endef

STEP_DIRS := $(addprefix solutions/,$(SOLUTIONS)) $(addprefix labs/,$(LABS))
$(foreach d,$(STEP_DIRS),$(eval $(call step_rules,$(d))))

SOLUTION_PROGS := $(foreach d,$(addprefix solutions/,$(SOLUTIONS)),$(call step_prog,$(d)))
LAB_PROGS := $(foreach d,$(addprefix labs/,$(LABS)),$(call step_prog,$(d)))

.PHONY: solutions labs-build labs
solutions: $(SOLUTION_PROGS)
labs-build: $(LAB_PROGS)

# Regenerate labs/ from solutions/ (tools/labgen); commit the result.
labs:
	tools/labgen labs
