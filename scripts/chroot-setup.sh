#!/usr/bin/env bash
#
# chroot-setup.sh
#	Make sure DIR holds a Debian SUITE chroot with PostgreSQL MAJOR's
#	server, headers and PGXS and what the tests need, creating it with
#	debootstrap when it is missing or broken.
#
# A chroot counts as ready when its stamp file names the suite and the major
# and its pg_config answers; anything else is removed and built again.  A
# new chroot is built in DIR.new and renamed when complete, so an interrupted
# build never looks ready.  Nothing is ever removed while something is
# mounted under it.  On a ready chroot, scripts/install-deps.sh runs inside
# it again (idempotent: it installs only what is missing or out of date).
#
# Inside the chroot, services are never started (policy-rc.d exits 101) and
# postgresql-common creates no cluster: the tests make their own.  The
# mirror is the one the host's apt uses (DECODER_RAW_MIRROR overrides it).
#
# Usage: scripts/chroot-setup.sh [--rebuild] [--no-update] MAJOR SUITE DIR
#	--rebuild	build the chroot from nothing even when it is ready
#	--no-update	on a ready chroot, install nothing
# As root.

set -euo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$srcdir/scripts/chroot-lib.sh"

rebuild=0
update=1
while [ $# -gt 0 ]; do
	case "$1" in
		--rebuild) rebuild=1 ;;
		--no-update) update=0 ;;
		*) break ;;
	esac
	shift
done
if [ $# -ne 3 ]; then
	echo "usage: $0 [--rebuild] [--no-update] MAJOR SUITE DIR" >&2
	exit 2
fi
major=$1
suite=$2
dir=$3

if [ "$(id -u)" -ne 0 ]; then
	echo "chroot-setup.sh: must be run as root (debootstrap, chroot, mount)" >&2
	exit 1
fi

# The stamp file is written last, when the chroot is complete.
ready()
{
	local stamp="$1/etc/decoder_raw-chroot"

	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$suite $major" ] &&
		chroot "$1" "/usr/lib/postgresql/$major/bin/pg_config" --version \
			>/dev/null 2>&1
}

# Run install-deps.sh inside the chroot, with /proc mounted for the
# packages' maintainer scripts.
install_inside()
{
	local root=$1

	mkdir -p "$root/root/decoder_raw"
	cp "$srcdir/scripts/install-deps.sh" "$root/root/decoder_raw/"
	# shellcheck disable=SC2064 # expanded now: $root is local
	trap "chroot_umount '$root'" EXIT
	trap 'exit 130' INT TERM HUP
	chroot_mount "$root"
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 bash /root/decoder_raw/install-deps.sh --major "$major"
	chroot_umount "$root"
	trap - EXIT INT TERM HUP
}

# One user of a chroot at a time; run-tests.sh holds this lock already.
if [ -z "${DECODER_RAW_CHROOT_LOCKED:-}" ]; then
	mkdir -p "$(dirname "$dir")"
	exec {lock_fd}>"$dir.lock"
	flock "$lock_fd"
fi

# Mounts left by a run that was killed outright: under the lock, nothing
# else uses the chroot.
for d in "$dir" "$dir.new"; do
	if [ -n "$(chroot_mounts "$d")" ]; then
		echo "chroot-setup.sh: unmounting what an earlier run left mounted in $d"
		chroot_umount "$d"
	fi
done

if [ $rebuild -eq 0 ] && [ -d "$dir" ] && ready "$dir"; then
	echo "chroot-setup.sh: reusing $dir ($suite, PostgreSQL $major)"
	[ $update -eq 1 ] && install_inside "$dir"
	exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
	echo "chroot-setup.sh: debootstrap is missing (scripts/install-deps.sh --debootstrap)" >&2
	exit 1
fi

mirror=${DECODER_RAW_MIRROR:-$(host_mirror)}
if [ -z "$mirror" ]; then
	echo "chroot-setup.sh: cannot tell which Debian mirror the host uses; set DECODER_RAW_MIRROR" >&2
	exit 1
fi

new="$dir.new"
remove_chroot "$new"
if [ $rebuild -eq 1 ]; then
	echo "chroot-setup.sh: building $dir from nothing"
elif [ -e "$dir" ]; then
	echo "chroot-setup.sh: $dir is not a ready $suite chroot for PostgreSQL $major; building it again"
fi
echo "chroot-setup.sh: debootstrap $suite into $new"
mkdir -p "$(dirname "$new")"
log=$(mktemp)
include=()
case "$mirror" in
	https:*) include=(--include=ca-certificates) ;;
esac
if ! debootstrap --variant=minbase "${include[@]}" "$suite" "$new" "$mirror" >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	rm -f "$log"
	remove_chroot "$new" || true
	echo "chroot-setup.sh: debootstrap of $suite failed" >&2
	exit 1
fi
rm -f "$log"

# No service starts inside the chroot, and no cluster is created: only the
# tests' own throwaway instances run there.
printf '#!/bin/sh\nexit 101\n' >"$new/usr/sbin/policy-rc.d"
chmod 755 "$new/usr/sbin/policy-rc.d"
# (dpkg keeps this file when postgresql-common installs its own: --force-confold.)
mkdir -p "$new/etc/postgresql-common"
echo "create_main_cluster = false" >"$new/etc/postgresql-common/createcluster.conf"
# A suite's Release file can outlive its Valid-Until on a mirror snapshot.
echo 'Acquire::Check-Valid-Until "false";' >"$new/etc/apt/apt.conf.d/99decoder_raw"
echo 'APT::Install-Recommends "false";' >>"$new/etc/apt/apt.conf.d/99decoder_raw"

install_inside "$new"
echo "$suite $major" >"$new/etc/decoder_raw-chroot"
if ! ready "$new"; then
	echo "chroot-setup.sh: $new has no working PostgreSQL $major" >&2
	exit 1
fi
remove_chroot "$dir"
if [ -n "$(chroot_mounts "$new")" ]; then
	echo "chroot-setup.sh: $new still has mounts; not moving it" >&2
	exit 1
fi
mv "$new" "$dir"
echo "chroot-setup.sh: $dir ready ($suite, $(chroot "$dir" "/usr/lib/postgresql/$major/bin/pg_config" --version))"
