# shellcheck shell=bash
# chroot-lib.sh
#	Functions shared by chroot-setup.sh and run-tests.sh (sourced).
#
# A chroot gets /proc and a tmpfs on /dev/shm (the server's dynamic shared
# memory) and nothing else: no bind mount of the host's directories, so that
# removing a chroot can never reach the host.  Removal refuses to run while
# anything is mounted under the directory.

# Mount points at or under $1, deepest first (from /proc/mounts).
chroot_mounts()
{
	local root
	root=$(readlink -f "$1")
	awk -v root="$root" '$2 == root || index($2, root "/") == 1 { print $2 }' \
		/proc/mounts | sort -r
}

chroot_mount()
{
	local root=$1

	mkdir -p "$root/proc" "$root/dev/shm"
	if ! mountpoint -q "$root/proc"; then
		mount -t proc proc "$root/proc"
	fi
	if ! mountpoint -q "$root/dev/shm"; then
		mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"
	fi
}

# Stop what still runs inside the chroot (a server a crashed test left
# behind), then unmount everything under it.  Safe to call more than once.
chroot_umount()
{
	local root pid mnt n
	root=$(readlink -f "$1")

	for n in 1 2 3 4 5 6 7 8 9 10; do
		local pids=()
		for pid in /proc/[0-9]*; do
			[ "$(readlink "$pid/root" 2>/dev/null)" = "$root" ] && pids+=("${pid#/proc/}")
		done
		[ ${#pids[@]} -eq 0 ] && break
		if [ "$n" -lt 5 ]; then
			kill -TERM "${pids[@]}" 2>/dev/null || true
		else
			kill -KILL "${pids[@]}" 2>/dev/null || true
		fi
		sleep 1
	done
	for mnt in $(chroot_mounts "$root"); do
		umount "$mnt" 2>/dev/null || umount -l "$mnt"
	done
}

# rm -rf, but only when nothing is mounted under the directory.
remove_chroot()
{
	local dir=$1 mounted

	[ -e "$dir" ] || return 0
	mounted=$(chroot_mounts "$dir")
	if [ -n "$mounted" ]; then
		echo "chroot: not removing $dir: mounted under it: $mounted" >&2
		return 1
	fi
	rm -rf --one-file-system "$dir"
}

# The Debian mirror that the host's apt fetches its own suite from.
host_mirror()
{
	local codename
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	apt-cache policy 2>/dev/null |
		awk -v s="$codename/main" '$3 == s && $2 ~ /^https?:/ { print $2; exit }'
}
