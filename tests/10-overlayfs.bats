#!/usr/bin/env bats
# Step 10 — overlayfs: ROOTFS is a read-only image; each container writes to a layer
# of its own, thrown away when it exits.
#
# Claims under test (shared/seeds/001_85251f729294c705.txt, "Union File Systems"):
#   "Layered filesystem (copy-on-write)"
#   "Read-only base layers"
#   "Writable container layer"
# and "Measured in megabytes" (same file): a container costs only what it writes
# (the lesson measures it against the image's size).

load helpers

# A digest of a directory tree: names, types, modes, owners, sizes and contents.
tree_digest() {
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %l\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum
}

# A state directory the container's root can reach.
private_state() {
	mkdir -p "$BATS_TEST_TMPDIR/state"
	open_test_tmpdir
	echo "$BATS_TEST_TMPDIR/state"
}

@test "the image is byte-identical after a container writes, appends to and deletes files" {
	image=$(private_rootfs)
	before=$(tree_digest "$image")
	run "$BOX" run "$image" /bin/sh -c \
		'echo new >/etc/new && echo more >>/etc/hostname && rm /etc/passwd && mkdir /var2 && cat /etc/hostname'
	assert_success
	assert_output "$(printf 'box\nmore')"
	assert_equal "$(tree_digest "$image")" "$before"
}

@test "a deletion leaves a whiteout in the container's own upper layer (--keep)" {
	state=$(private_state)
	run --separate-stderr "$BOX" run --keep --state "$state" "$ROOTFS" /bin/sh -c 'rm /etc/passwd; echo x >/etc/new'
	assert_success
	upper=$(echo "$state"/box-*/upper)
	assert_equal "$stderr" "box: kept the container's changes in $upper"
	# A whiteout is a character device 0:0 standing for the deleted file.
	assert_equal "$(stat -c '%F %t:%T' "$upper/etc/passwd")" "character special file 0:0"
	assert_equal "$(cat "$upper/etc/new")" x
	assert_file_exists "$ROOTFS/etc/passwd"
}

@test "two containers from one image never see each other's writes" {
	marker=$(random_name w-)
	out=$BATS_TEST_TMPDIR/out
	"$BOX" run --stop-timeout 1 "$ROOTFS" /bin/sh -c "echo a >/$marker && echo ready && sleep 30" >"$out" &
	box=$!
	wait_for_text "$out" ready
	run box_probe -- exists "/$marker"
	kill -TERM "$box"
	wait "$box" || true
	assert_output no
}

@test "the next container starts clean, and the writable layer is gone" {
	marker=$(random_name w-)
	run "$BOX" run "$ROOTFS" /bin/sh -c "echo a >/$marker && cat /$marker"
	assert_output a
	run box_probe -- exists "/$marker"
	assert_output no
	run find /var/lib/box -mindepth 1 -maxdepth 1 -name 'box-*'
	assert_output ""
}

@test "--layer stacks a read-only app layer on the image, the last one on top" {
	app=$BATS_TEST_TMPDIR/app
	patch=$BATS_TEST_TMPDIR/patch
	mkdir -p "$app/etc" "$patch/etc"
	echo app >"$app/etc/app.conf"
	echo patched >"$patch/etc/app.conf"
	echo layered >"$app/etc/hostname"
	run "$BOX" run --layer "$app" --layer "$patch" "$ROOTFS" /bin/sh -c \
		'cat /etc/app.conf /etc/hostname; echo changed >/etc/app.conf; cat /etc/app.conf'
	assert_success
	assert_output "$(printf 'patched\nlayered\nchanged')"
	assert_equal "$(cat "$patch/etc/app.conf")" patched
}

# bats test_tags=given
@test "a layer that is not a directory, or a relative --state, is refused with exit 125" {
	run --separate-stderr "$BOX" run --layer /etc/passwd "$ROOTFS" /bin/true
	assert_equal "$status" 125
	assert_equal "$stderr" "box: use as ROOTFS /etc/passwd: Not a directory"
	run --separate-stderr "$BOX" run --state relative/dir "$ROOTFS" /bin/true
	assert_equal "$status" 125
	assert_equal "$stderr" "box: run: --state wants an absolute path, not relative/dir (see 'box run --help')"
}
