# The workshop's build. `make help` lists the targets.
#
# Every step NN-name in solutions/ and labs/ builds to build/<dir>/NN-name/box.
# The shared library lib/ builds once, as build/lib/libws.a.

SHELL := /bin/bash
BUILD ?= build
CC ?= cc
CFLAGS ?= -O2 -g
WARN := -std=gnu11 -Wall -Wextra -Werror
CPPFLAGS += -Ilib -D_GNU_SOURCE
PKG_LIBS := libnl-route-3.0 libcap libseccomp
PKG_CFLAGS := $(shell pkg-config --cflags $(PKG_LIBS) 2>/dev/null)
PKG_LDLIBS := $(shell pkg-config --libs $(PKG_LIBS) 2>/dev/null)

SOLUTIONS := $(sort $(notdir $(wildcard solutions/[0-9][0-9]-*)))
LABS := $(sort $(notdir $(wildcard labs/[0-9][0-9]-*)))
LAST := $(lastword $(SOLUTIONS))

.PHONY: all
all: solutions labs-build rootfs

include mk/lib.mk
include mk/steps.mk
include mk/guests.mk
include mk/rootfs.mk
include mk/checks.mk
include mk/unit-steps.mk
include mk/slides.mk
include mk/vm-bench.mk
-include mk/grader.mk

.PHONY: help
help:
	@echo 'make demo            build everything and show host vs container side by side (root)'
	@echo 'make test            every test: unit, invariants, all steps, sanitizers, grader, slides, vm-lab (root)'
	@echo 'make check LESSON=NN build your lab of step NN and run its tests and the earlier ones'
	@echo '                     (ONLY=1: just step NN'"'"'s tests)'
	@echo 'make labs            regenerate labs/ from solutions/ (never edit labs by hand)'
	@echo 'make slides          render slides/*.md to build/slides/ (HTML)'
	@echo 'make format          clang-format every C file'
	@echo 'make bench           start-up time and memory of box against runc, crun and unshare (root)'
	@echo 'make vm-bench        vmm against QEMU -M microvm: time to first output and to init, memory (KVM, or nested)'
	@echo 'make grade           grade your own labs as the instructor'"'"'s grader does (root; LESSON="NN...")'
	@echo 'make student-release the learner-facing tree without solutions (instructors; check-release proves it)'
	@echo 'make grade-class SUBMISSIONS=DIR  grade a folder of submissions into a CSV gradebook (root)'
	@echo 'make gradescope      the Gradescope autograder bundle'
	@echo 'make deps            install the Debian/npm packages the workshop needs (root)'
	@echo 'make clean           remove build/'

.PHONY: deps
deps:
	@tools/install-deps

.PHONY: clean
clean:
	rm -rf $(BUILD)
