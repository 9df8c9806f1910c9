#!/usr/bin/env bash
# world-up.sh: make real ZFS (zfs-fuse) ready for jcage's system tests on a
# Linux machine, and sweep what earlier runs left behind. Run as root before
# `go test`; safe to run again at any time.
#
#   1. install zfs-fuse (and xz-utils, libarchive-tools for bsdtar, git for
#      the plugin repositories, and mandoc, zsh and bash-completion for the
#      man page and completion tests) with apt-get when missing;
#   2. make sure /dev/fuse and the kernel's FUSE support are there;
#   3. start the zfs-fuse daemon when it isn't running (CI containers have
#      no init system) and wait until `zpool list` answers;
#   4. sweep: destroy every pool whose name starts with the test prefix,
#      unmount stray mounts of such pools, and remove their vdev files and
#      mountpoint directories (those holding only empty directories).
#
# With --sweep-only (what world-down.sh runs) it does step 4 alone and
# never starts anything.
#
# Only names starting with the prefix (jcagetest, as internal/testworld/pool
# names pools) and files under its directory are ever touched. For testing
# this script, JCAGE_POOL_PREFIX and JCAGE_POOL_DIR override both; the real
# tools are JCAGE_REAL_ZFS and JCAGE_REAL_ZPOOL, as for the zfs shim.
set -euo pipefail

me=$(basename "$0" .sh)
prefix=${JCAGE_POOL_PREFIX:-jcagetest}
dir=${JCAGE_POOL_DIR:-/var/tmp/jcagetest}
zpool=${JCAGE_REAL_ZPOOL:-/usr/sbin/zpool}
zfs=${JCAGE_REAL_ZFS:-/usr/sbin/zfs}
pidfile=/var/run/zfs-fuse.pid

# The zfs tools run umount(8) through PATH; tests put simulators first.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { printf '%s: %s\n' "$me" "$*"; }
die() {
	printf '%s: error: %s\n' "$me" "$*" >&2
	exit 1
}

mode=up
case "${1:-}" in
--sweep-only)
	mode=sweep
	me=world-down
	;;
'') ;;
*) die "usage: $0 [--sweep-only]" ;;
esac

case "$prefix" in
jcagetest*) ;;
*) die "JCAGE_POOL_PREFIX=$prefix: the prefix must start with jcagetest, so that no other pool is ever swept" ;;
esac

is_root() { [ "$(id -u)" = 0 ]; }

# daemon_pid prints the pid of a running zfs-fuse, if any. /proc is read
# directly: minimal images may lack pgrep.
daemon_pid() {
	local comm
	for comm in /proc/[0-9]*/comm; do
		if [ "$(cat "$comm" 2>/dev/null)" = zfs-fuse ]; then
			comm=${comm#/proc/}
			echo "${comm%/comm}"
			return 0
		fi
	done
	return 1
}

zpool_answers() { timeout 10 "$zpool" list -H -o name >/dev/null 2>&1; }

install_packages() {
	local missing=() pkg
	[ -x /usr/sbin/zfs-fuse ] || command -v zfs-fuse >/dev/null || missing+=(zfs-fuse)
	command -v xz >/dev/null || missing+=(xz-utils)
	# The man page is linted with mandoc; the completion scripts are
	# driven in real bash (with bash-completion) and zsh.
	command -v mandoc >/dev/null || missing+=(mandoc)
	command -v zsh >/dev/null || missing+=(zsh)
	[ -r /usr/share/bash-completion/bash_completion ] || missing+=(bash-completion)
	# bsdtar: the FreeBSD extraction flags are tested against the real one.
	command -v bsdtar >/dev/null || missing+=(libarchive-tools)
	# git is not simulated: plugins are cloned with the host's own, and the
	# plugin server answers with git http-backend.
	command -v git >/dev/null || missing+=(git)
	[ ${#missing[@]} = 0 ] && return 0
	is_root || die "${missing[*]} not installed, and installing needs root: run 'sudo $0' or 'apt-get install ${missing[*]}'"
	command -v apt-get >/dev/null || die "${missing[*]} not installed and there is no apt-get here: install zfs-fuse (ZFS on FUSE) by hand"
	for pkg in "${missing[@]}"; do
		if ! apt-cache show "$pkg" >/dev/null 2>&1; then
			say "running apt-get update (the package lists don't know $pkg yet)"
			apt-get update -qq || die "apt-get update failed"
			break
		fi
	done
	say "installing ${missing[*]}"
	# The package's init script would start the daemon with its own
	# flags, which fails in containers; this script starts it below.
	local policy=/usr/sbin/policy-rc.d own_policy=
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		own_policy=1
	fi
	local rc=0
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
	[ -n "$own_policy" ] && rm -f "$policy"
	[ "$rc" = 0 ] || die "apt-get install ${missing[*]} failed (exit $rc)"
	[ -x /usr/sbin/zfs-fuse ] || die "zfs-fuse still missing after apt-get install"
}

ensure_fuse() {
	if [ ! -e /dev/fuse ]; then
		mknod -m 0666 /dev/fuse c 10 229 || die "cannot create /dev/fuse: run the container with --device /dev/fuse"
		say "created /dev/fuse"
	fi
	if ! grep -qw fuse /proc/filesystems; then
		if modprobe fuse 2>/dev/null && grep -qw fuse /proc/filesystems; then
			say "loaded the fuse kernel module"
		else
			die "the kernel offers no FUSE (no 'fuse' in /proc/filesystems and 'modprobe fuse' failed): load it on the host, or run the container with --device /dev/fuse --cap-add SYS_ADMIN"
		fi
	fi
}

start_daemon() {
	local pid
	if pid=$(daemon_pid); then
		say "zfs-fuse already running (pid $pid)"
	else
		is_root || die "the zfs-fuse daemon is not running and starting it needs root"
		mkdir -p /var/run/zfs /var/lock/zfs /etc/zfs
		# A socket left by a daemon that died would make the new one fail.
		rm -f /var/run/zfs/zfs_socket "$pidfile"
		# --no-kstat-mount: no /zfs-kstat FUSE mount, which containers
		# often refuse. It daemonizes by itself.
		zfs-fuse --no-kstat-mount --pidfile "$pidfile" || die "zfs-fuse failed to start"
		sleep 0.5
		pid=$(daemon_pid) || die "zfs-fuse exited right after starting (see syslog, or run 'zfs-fuse -n --no-kstat-mount' to see why)"
		say "started zfs-fuse (pid $pid)"
	fi
	local i
	for i in $(seq 1 60); do
		zpool_answers && return 0
		sleep 0.5
	done
	die "zfs-fuse (pid $pid) does not answer 'zpool list' after 30s"
}

# destroy_pool destroys one leftover pool, retrying while zfs-fuse reports
# it busy (it still holds datasets it has just unmounted; unmounting them,
# children first, and waiting clears that), and falls back to a forced
# export for a pool whose vdev is gone.
destroy_pool() {
	local p=$1 i out name mounted
	for i in $(seq 1 20); do
		if out=$("$zpool" destroy -f "$p" 2>&1); then
			say "destroyed leftover pool $p"
			return 0
		fi
		"$zfs" list -H -o name,mounted -r -t filesystem "$p" 2>/dev/null | tac |
			while IFS=$'\t' read -r name mounted; do
				[ "$mounted" = yes ] && "$zfs" umount -f "$name" >/dev/null 2>&1
			done || true
		sleep 0.25
	done
	if "$zpool" export -f "$p" >/dev/null 2>&1; then
		say "exported leftover pool $p (destroy failed: $out)"
		return 0
	fi
	# A pool zfs-fuse will not let go of must not stop the tests: each run
	# makes pools with fresh names, so a stuck leftover only costs space.
	say "warning: leftover pool $p left in place: $out"
	return 0
}

sweep() {
	local p src mnt rest f d imported=" "
	if daemon_pid >/dev/null && zpool_answers; then
		for p in $("$zpool" list -H -o name); do
			case "$p" in "$prefix"*) destroy_pool "$p" ;; esac
		done
		imported=" $("$zpool" list -H -o name 2>/dev/null | tr '\n' ' ' || true)"
	elif [ "$mode" = sweep ]; then
		say "zfs-fuse is not running: no pools to destroy"
	fi
	# Mounts left by a daemon that died ("transport endpoint is not
	# connected"), deepest first: those of a test pool, or under the
	# test directory, whose pool zfs-fuse doesn't have (any more).
	while read -r src mnt rest; do
		case "$src" in
		"$prefix"*) ;;
		*) case "$mnt" in "$dir"/*) ;; *) continue ;; esac ;;
		esac
		case "$imported" in *" ${src%%/*} "*) continue ;; esac
		if umount -l "$mnt" 2>/dev/null; then
			say "unmounted stray mount $mnt ($src)"
		else
			die "cannot unmount stray mount $mnt ($src)"
		fi
	done < <(tac /proc/mounts)
	[ -d "$dir" ] || return 0
	for f in "$dir/$prefix"*.img; do
		[ -e "$f" ] || continue
		rm -f "$f"
		say "removed vdev file $f"
	done
	for d in "$dir/mnt/$prefix"*; do
		[ -d "$d" ] || continue
		# Only a tree of directories goes (the mountpoints a dead pool's
		# datasets leave behind), deepest first, never rm -r: a file
		# anywhere in it, or a mount on it, may be a live filesystem.
		if ! mounted_under "$d" && [ -z "$(find "$d" -xdev ! -type d -print -quit)" ] &&
			find "$d" -xdev -depth -type d -delete 2>/dev/null; then
			say "removed mountpoint directory $d"
		else
			die "mountpoint directory $d is not empty; look at it and remove it by hand"
		fi
	done
}

# mounted_under succeeds when something is mounted on $1 or below it.
mounted_under() {
	awk -v d="$1" '$2 == d || index($2, d "/") == 1 { found = 1 } END { exit !found }' /proc/mounts
}

if [ "$mode" = up ]; then
	install_packages
	is_root || die "setting up zfs-fuse needs root (running as uid $(id -u))"
	ensure_fuse
	start_daemon
	mkdir -p "$dir/mnt"
fi
sweep
if [ "$mode" = up ]; then
	say "ready: zfs-fuse answers, test pools go under $dir"
else
	say "done: no $prefix* pools or files left"
fi
