# Tests and invariant checks. `make test` is what CI runs (via .ci/run).

UNIT_SRCS := $(wildcard lib/tests/test_*.c)
UNIT_PROGS := $(UNIT_SRCS:lib/tests/%.c=$(BUILD)/lib/tests/%)
# Each unit test names the functions it fakes in a "// WRAP: f g" line, linked
# with -Wl,--wrap=f so the test can make a system call fail on purpose.
unit_wraps = $(addprefix -Wl$(comma)--wrap=,$(shell sed -n 's|^// WRAP: ||p' $(1)))
comma := ,

$(BUILD)/lib/tests/%: lib/tests/%.c $(LIB_SRCS) lib/ws.h $(wildcard lib/tests/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -o $@ $< $(LIB_SRCS) $(call unit_wraps,$<) -lcmocka

.PHONY: unit
unit: $(UNIT_PROGS)
	@for t in $(UNIT_PROGS); do $$t || exit 1; done

# ASan + UBSan builds of every solution, tested by the "asan" suite.
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
.PHONY: asan
asan:
	$(MAKE) BUILD=$(BUILD)/asan CFLAGS="$(ASAN_FLAGS)" LDFLAGS="$(ASAN_FLAGS)" solutions

.PHONY: test
test: deps all $(UNIT_PROGS)
	tools/test-all

# make check LESSON=NN: your lab of step NN against step NN's tests, then those of
# the earlier steps (ONLY=1: step NN's tests alone).
.PHONY: check
check: rootfs
	@ONLY=$(ONLY) tools/check-lesson "$(LESSON)"

.PHONY: check-steps check-labs check-tests-fail
check-steps:
	tools/labgen check-steps
check-labs:
	tools/labgen check-labs
check-tests-fail: labs-build rootfs
	tools/check-tests-fail

.PHONY: format check-format
format:
	git ls-files -co --exclude-standard '*.c' '*.h' | xargs clang-format -i
check-format:
	tools/test-all format

.PHONY: demo
demo: deps all
	tools/demo

# Start-up latency against runc, crun and unshare, peak and idle memory (prints a
# table; not a test). Needs root, and crun/runc from Debian (make deps installs them).
.PHONY: bench
bench: deps all
	tools/bench
