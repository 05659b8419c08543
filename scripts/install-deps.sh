#!/usr/bin/env bash
#
# install-deps.sh
#	Install what is needed to build decoder_raw and run its tests: a
#	PostgreSQL server, its headers and PGXS, the TAP test support
#	(IPC::Run, prove), and a C toolchain.
#
# Idempotent: apt-get install runs only when a package is missing or older
# than the archive's candidate.  The server package is always brought to the
# candidate version too, so that the server that loads the plugin matches the
# headers it was built against.
#
# Usage: scripts/install-deps.sh [--major N] [--debootstrap] [--indent]
#	--major N	the PostgreSQL major to install (default 15, Debian 12's);
#			scripts/chroot-setup.sh runs this inside the chroot of
#			a newer Debian for 17 and 18
#	--debootstrap	also install debootstrap, which scripts/run-tests.sh
#			needs to create those chroots
#	--indent	also install pg-bsd-indent (Debian 12's is PostgreSQL
#			15's pg_bsd_indent 2.1.1), which scripts/pgindent.sh runs
# As root; re-executes itself via sudo.

set -euo pipefail

# runuser, dpkg and ldconfig live in sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

major=15
extra=()
args=("$@")
while [ $# -gt 0 ]; do
	case "$1" in
		--major)
			major=${2:-}
			shift
			;;
		--debootstrap) extra+=(debootstrap) ;;
		--indent) extra+=(pg-bsd-indent) ;;
		*)
			echo "usage: $0 [--major N] [--debootstrap] [--indent]" >&2
			exit 2
			;;
	esac
	shift
done
case "$major" in
	[1-9][0-9]) ;;
	*)
		echo "install-deps.sh: not a PostgreSQL major: $major" >&2
		exit 2
		;;
esac

# The TAP framework (PostgreSQL::Test::Cluster) comes with the client
# package on Debian, under the major's lib/pgxs/src/test/perl; prove is perl's.
PACKAGES=(
	"postgresql-$major"
	"postgresql-client-$major"
	"postgresql-server-dev-$major"
	libpq-dev
	libipc-run-perl
	perl
	make
	gcc
	libc6-dev
	util-linux
	"${extra[@]}"
)

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo -- bash "$0" "${args[@]}"
	fi
	echo "install-deps.sh: must be run as root (and sudo is not available)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# Refresh the package lists so that the candidate versions are current; a
# stale list would hide a newer server or point at files no longer served.
if ! apt-get update -qq >/dev/null; then
	echo "install-deps.sh: warning: apt-get update failed; using cached package lists" >&2
fi

# Collect the packages that are missing or not at the candidate version
# (one dpkg-query and one apt-cache call: both are slow per package).
declare -A installed candidate
while read -r pkg status ver; do
	[ "$status" = installed ] && installed[$pkg]=$ver
done < <(dpkg-query -W -f='${Package} ${db:Status-Status} ${Version}\n' \
			"${PACKAGES[@]}" 2>/dev/null || true)
while read -r pkg ver; do
	candidate[$pkg]=$ver
done < <(apt-cache policy "${PACKAGES[@]}" 2>/dev/null |
		 awk '/^[^ ]/ { sub(":$", "", $1); pkg = $1 }
			  /^  Candidate:/ { print pkg, $2 }')

needed=()
for pkg in "${PACKAGES[@]}"; do
	have=${installed[$pkg]:-}
	want=${candidate[$pkg]:-}
	if [ -n "$have" ] && { [ "$have" = "$want" ] || [ -z "$want" ] || [ "$want" = "(none)" ]; }; then
		continue
	fi
	needed+=("$pkg")
done

if [ ${#needed[@]} -eq 0 ]; then
	echo "install-deps.sh: all dependencies already installed"
	exit 0
fi

echo "install-deps.sh: installing ${needed[*]}"
# Keep the output short, but show all of it if the install fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! apt-get install -y -q --no-install-recommends \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
	"${needed[@]}" >"$log" 2>&1; then
	cat "$log" >&2
	echo "install-deps.sh: apt-get install failed" >&2
	exit 1
fi

# Sanity check: the major's pg_config must answer with that major.
pgver=$("/usr/lib/postgresql/$major/bin/pg_config" --version)
case "$pgver" in
	"PostgreSQL $major."*) ;;
	*)
		echo "install-deps.sh: unexpected pg_config version: $pgver" >&2
		exit 1
		;;
esac
echo "install-deps.sh: done ($pgver)"
