# Guests of the vmm steps (11-13): every step directory in solutions/ and labs/
# that has a guests/ subdirectory builds them into $(BUILD)/<dir>/guests/:
#
#   guests/NAME.S    a real-mode guest (.code16, GNU as through cpp): NAME.elf,
#                    linked at 0x1000 where vmm loads it, and NAME.bin, its flat image
#   guests/NAME.c    a 64-bit guest in freestanding C (step 12 on), linked with the
#                    guest runtime guests/runtime/*.c *.S by guests/runtime/guest.lds.S
#
# The .elf files stay beside the images: `objdump -d`, `nm` (the tests read the
# address of a guest's variables there).

GUEST_LD ?= ld
guest_comma := ,
OBJCOPY ?= objcopy
# Freestanding: no libc, no red zone (an interrupt or exception would clobber it),
# no SSE (the guest does not enable it), no stack protector (no TLS to hold the
# canary), absolute addresses (the guest runs where it is linked).
GUEST_CFLAGS := -m64 -O2 -g -std=gnu11 -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
	-mno-red-zone -mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fcf-protection=none
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack
# A guest's one segment is code and data at once (it has no memory protection of its
# own): binutils 2.39 and later warn about that, unless told it is meant.
GUEST_LDFLAGS += $(if $(shell $(GUEST_LD) --help 2>/dev/null | grep -e --no-warn-rwx-segments),-Wl$(guest_comma)--no-warn-rwx-segments)

# $(call guest_rules,STEP_DIR)
define guest_rules
$(1)_GUEST_RUNTIME := $(filter-out %.lds.S,$(wildcard $(1)/guests/runtime/*.c $(1)/guests/runtime/*.S))
$(1)_GUEST_DEPS := $(wildcard $(1)/guests/runtime/*.h $(1)/guests/*.h)

$(BUILD)/$(1)/guests/%.elf: $(1)/guests/%.S
	@mkdir -p $$(@D)
	$$(CC) -m32 -c -o $$(@:.elf=.o) $$<
	$$(GUEST_LD) -m elf_i386 -Ttext=0x1000 -e _start -o $$@ $$(@:.elf=.o)

$(BUILD)/$(1)/guests/%.elf: $(1)/guests/%.c $$($(1)_GUEST_RUNTIME) $$($(1)_GUEST_DEPS) \
		$(BUILD)/$(1)/guests/guest.lds
	@mkdir -p $$(@D)
	$$(CC) $$(GUEST_CFLAGS) -I$(1)/guests/runtime $$(GUEST_LDFLAGS) -T $(BUILD)/$(1)/guests/guest.lds \
		-o $$@ $$< $$($(1)_GUEST_RUNTIME)

$(BUILD)/$(1)/guests/guest.lds: $(1)/guests/runtime/guest.lds.S
	@mkdir -p $$(@D)
	$$(CC) -E -P -o $$@ $$<

$(BUILD)/$(1)/guests/%.bin: $(BUILD)/$(1)/guests/%.elf
	$$(OBJCOPY) -O binary $$< $$@
endef

GUEST_STEP_DIRS := $(foreach d,$(STEP_DIRS),$(if $(wildcard $(d)/guests/),$(d)))
$(foreach d,$(GUEST_STEP_DIRS),$(eval $(call guest_rules,$(d))))

# $(call guests_of,STEP_DIR) -> the images its guests/ builds, and their ELF files
# (named, so that make does not delete them as intermediate files)
guests_of = $(foreach g,$(basename $(wildcard $(1)/guests/*.S $(1)/guests/*.c)), \
	$(patsubst $(1)/guests/%,$(BUILD)/$(1)/guests/%.bin,$(g)) \
	$(patsubst $(1)/guests/%,$(BUILD)/$(1)/guests/%.elf,$(g)))

SOLUTION_GUESTS := $(foreach d,$(filter solutions/%,$(GUEST_STEP_DIRS)),$(call guests_of,$(d)))
LAB_GUESTS := $(foreach d,$(filter labs/%,$(GUEST_STEP_DIRS)),$(call guests_of,$(d)))

.PHONY: guests
guests: $(SOLUTION_GUESTS) $(LAB_GUESTS)
solutions: $(SOLUTION_GUESTS)
labs-build: $(LAB_GUESTS)

# A step's vmm comes with its guests: `make build/labs/NN-name/vmm` (make check) builds
# both, as the tests need both.
$(foreach d,$(GUEST_STEP_DIRS),$(eval $(call step_prog,$(d)): | $(call guests_of,$(d))))

# Everything the tests need besides the programs under test: the container steps'
# root filesystem and, when there are vmm steps, vm-lab's guest (Debian's kernel,
# which step 13 boots too) and step 13's initramfs. The grader prepares its tree with
# it; make check runs it before the tests.
.PHONY: test-prereqs
test-prereqs: rootfs
ifneq ($(GUEST_STEP_DIRS),)
	@BUILD=$(BUILD) vm-lab/build-guest
	@BUILD=$(BUILD) tools/mkinitrd
endif
