#!/usr/bin/env bash
#
# run-tests.sh
#	Build decoder_raw with warnings as errors, install it, and run the
#	pg_regress suite and the TAP suite, on every supported PostgreSQL major.
#
# PostgreSQL 15 is the host's (Debian 12).  17 and 18 are not packaged for
# Debian 12: their suites run in a Debian trixie (17) and a Debian sid (18)
# chroot made by scripts/chroot-setup.sh under the chroot cache, with a copy
# of the tree and this same script inside.  Each major prints one summary
# line; the last line printed is "N passed, N failed" over all of them,
# counting pg_regress tests and TAP test files, plus one check before
# them all: the pgindent layout of the tree (scripts/pgindent.sh --check;
# DECODER_RAW_SKIP_INDENT=1 skips it).  A major whose build or chroot could
# not be set up counts as one failure.  The exit status is
# non-zero when anything failed.
#
# The tests run as the unprivileged "postgres" user (initdb refuses root) in
# a throwaway copy of the source tree, so the caller's tree is never written
# to and no existing cluster is touched.  Installing into the host's
# PostgreSQL holds the lock /tmp/decoder_raw-pg15.lock (a lock the caller
# already holds, as with "flock /tmp/decoder_raw-pg15.lock run-tests.sh",
# is used as it is).
#
# Usage: scripts/run-tests.sh [options] [TAP test files...]
#	--major LIST	comma-separated majors to test: 15, 17, 18 (default all)
#	--reuse-chroots	reuse the cached chroots, updating their packages
#			(a missing or broken one is built again); without it
#			each chroot is built from nothing
#	--chroot-cache DIR  where the chroots live
#			(default /var/cache/decoder_raw/chroots)
#	--regress-only	run only the pg_regress suite
#	--tap-only	run only the TAP suite
#	--no-deps	install no packages (on the host, nor in a reused chroot)
#	--keep		keep the temporary tree (it is kept anyway on failure,
#			except under CI)
# TAP test files (e.g. t/001_smoke.pl or 001_smoke) may also be given in
# the PROVE_TESTS environment variable.  Must run as root; re-executes itself
# via sudo when possible.

set -euo pipefail

# runuser, dpkg and ldconfig live in sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The majors and where each one's suite runs: "host" or a Debian suite.
declare -A MAJOR_SUITE=([15]=host [17]=trixie [18]=sid)
ALL_MAJORS=15,17,18

majors=$ALL_MAJORS
reuse=0
cache=${DECODER_RAW_CHROOT_CACHE:-/var/cache/decoder_raw/chroots}
here=0
run_regress=1
run_tap=1
install_deps=1
keep=0
orig_args=("$@")
prove_tests=()
for word in ${PROVE_TESTS:-}; do
	prove_tests+=("$word")
done

while [ $# -gt 0 ]; do
	case "$1" in
		--major)
			majors=${2:-}
			shift
			;;
		--major=*) majors=${1#--major=} ;;
		--reuse-chroots) reuse=1 ;;
		--chroot-cache)
			cache=${2:-}
			shift
			;;
		--chroot-cache=*) cache=${1#--chroot-cache=} ;;
		# Internal: run the suite once, here, on $PG_CONFIG's server.
		--here) here=1 ;;
		--regress-only) run_tap=0 ;;
		--tap-only) run_regress=0 ;;
		--no-deps) install_deps=0 ;;
		--keep) keep=1 ;;
		-h|--help)
			sed -n '3,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
			exit 0
			;;
		-*)
			echo "run-tests.sh: unknown option: $1" >&2
			exit 2
			;;
		*) prove_tests+=("$1") ;;
	esac
	shift
done

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo -- bash "${BASH_SOURCE[0]}" "${orig_args[@]}"
	fi
	echo "run-tests.sh: must be run as root (make install, runuser, chroot)" >&2
	exit 1
fi

# Accept "001_smoke", "001_smoke.pl" or "t/001_smoke.pl".
for i in "${!prove_tests[@]}"; do
	t=${prove_tests[$i]##*/}
	t=${t%.pl}
	if [ ! -f "$srcdir/t/$t.pl" ]; then
		echo "run-tests.sh: no such TAP test: ${prove_tests[$i]}" >&2
		exit 2
	fi
	prove_tests[i]="t/$t.pl"
done

# Nothing from the caller's environment should point the tests at another
# server, and the test clusters get a locale that always exists.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGOPTIONS PGDATA
unset LC_ALL LC_CTYPE LC_COLLATE LC_MESSAGES LANGUAGE
export LANG=C.UTF-8

passed=0
failed=0

section()
{
	echo
	echo "=== $* ==="
}

duration()
{
	printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
}

# The options that the suite of each major is run with.
suite_args=()
[ $run_regress -eq 0 ] && suite_args+=(--tap-only)
[ $run_tap -eq 0 ] && suite_args+=(--regress-only)
[ $keep -eq 1 ] && suite_args+=(--keep)

# Lock the host's installation until release_host_lock; lock_wait is set to
# the seconds spent waiting for it.
take_host_lock()
{
	local lock=/tmp/decoder_raw-pg15.lock fd t0=$SECONDS

	host_lock_fd=
	host_lock_ours=1
	for fd in "/proc/$$/fd"/*; do
		if [ "$(readlink "$fd")" = "$lock" ]; then
			# Inherited from the caller's flock: the same open file, so
			# flock returns at once if the caller holds it.
			host_lock_fd=${fd##*/}
			host_lock_ours=0
			break
		fi
	done
	if [ -z "$host_lock_fd" ]; then
		exec {host_lock_fd}>>"$lock"
	fi
	flock "$host_lock_fd"
	lock_wait=$((SECONDS - t0))
}

release_host_lock()
{
	if [ "$host_lock_ours" -eq 1 ]; then
		exec {host_lock_fd}>&-
	fi
}

# Echo "PASSED FAILED" from a suite's log: its "N passed, N failed" line,
# or one failure when the suite did not get to print it.
suite_counts()
{
	local last
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1 || true)
	if [ -n "$last" ]; then
		echo "$last" | sed -E 's/^([0-9]+) passed, ([0-9]+) failed$/\1 \2/'
	else
		echo "0 1"
	fi
}

# The suite of a major run in its chroot, built or reused first.
run_in_chroot()
{
	local major=$1 suite=$2 root=$3 log=$4 src=/tmp/decoder_raw-src rc

	setup_args=()
	[ $reuse -eq 0 ] && setup_args+=(--rebuild)
	[ $reuse -eq 1 ] && [ $install_deps -eq 0 ] && setup_args+=(--no-update)
	if ! DECODER_RAW_CHROOT_LOCKED=1 bash "$srcdir/scripts/chroot-setup.sh" "${setup_args[@]}" \
		"$major" "$suite" "$root" </dev/null; then
		echo "run-tests.sh: the $suite chroot for PostgreSQL $major could not be set up" >&2
		return 1
	fi
	setup_time=$((SECONDS - started))

	# A copy of the tree, not a bind mount: nothing of the host is mounted
	# in the chroot but /proc and a tmpfs.
	remove_chroot "$root$src"
	mkdir -p "$root$src"
	tar -C "$srcdir" --exclude=./.git -cf - . | tar -C "$root$src" -xf -
	# shellcheck disable=SC2064 # expanded now: $root is local
	trap "chroot_umount '$root'; remove_chroot '$root$src'" EXIT
	trap 'exit 130' INT TERM HUP
	chroot_mount "$root"
	set +e
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 CI="${CI:-}" \
		PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" \
		bash "$src/scripts/run-tests.sh" --here --no-deps \
		"${suite_args[@]}" "${prove_tests[@]}" </dev/null 2>&1 | tee -a "$log"
	rc=${PIPESTATUS[0]}
	set -e
	chroot_umount "$root"
	remove_chroot "$root$src"
	trap - EXIT INT TERM HUP
	grep -q 'test tree kept in' "$log" &&
		echo "run-tests.sh: (a path inside the chroot is under $root)"
	return 0
}

# The pgindent layout of the caller's tree: one check, before the suites.
# DECODER_RAW_SKIP_INDENT=1 skips it (and counts nothing).
check_indent()
{
	section "pgindent layout"
	if [ "${DECODER_RAW_SKIP_INDENT:-}" = 1 ]; then
		echo "skipped (DECODER_RAW_SKIP_INDENT=1)"
		summaries+=("pgindent layout: skipped")
		return
	fi
	if PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config \
		bash "$srcdir/scripts/pgindent.sh" --check </dev/null; then
		echo "pgindent layout: ok"
		passed=$((passed + 1))
		summaries+=("pgindent layout: 1 passed, 0 failed")
	else
		failed=$((failed + 1))
		summaries+=("pgindent layout: 0 passed, 1 failed")
	fi
}

if [ $here -eq 0 ]; then
	. "$srcdir/scripts/chroot-lib.sh"

	IFS=, read -r -a major_list <<<"$majors"
	need_chroot=0
	for major in "${major_list[@]}"; do
		if [ -z "${MAJOR_SUITE[$major]:-}" ]; then
			echo "run-tests.sh: PostgreSQL $major is not tested (majors: $ALL_MAJORS)" >&2
			exit 2
		fi
		[ "${MAJOR_SUITE[$major]}" != host ] && need_chroot=1
	done

	if [ $install_deps -eq 1 ]; then
		section "Installing dependencies"
		deps_args=(--indent)
		[ $need_chroot -eq 1 ] && deps_args+=(--debootstrap)
		bash "$srcdir/scripts/install-deps.sh" "${deps_args[@]}" </dev/null
	fi

	summaries=()
	check_indent
	for major in "${major_list[@]}"; do
		suite=${MAJOR_SUITE[$major]}
		log=$(mktemp /tmp/decoder_raw-run.XXXXXX)
		started=$SECONDS
		setup_time=
		lock_wait=0
		if [ "$suite" = host ]; then
			section "PostgreSQL $major (this host)"
			take_host_lock
			started=$SECONDS
			set +e
			# Without the lock's descriptor: a process a test leaves
			# behind must not hold the lock.
			PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" \
				bash "${BASH_SOURCE[0]}" --here --no-deps \
				"${suite_args[@]}" "${prove_tests[@]}" </dev/null {host_lock_fd}>&- 2>&1 | tee "$log"
			set -e
			release_host_lock
		else
			section "PostgreSQL $major (Debian $suite chroot in $cache/$suite)"
			mkdir -p "$cache"
			# One run at a time per chroot (chroot-setup.sh takes the same
			# lock when run on its own).
			exec {chroot_lock}>"$cache/$suite.lock"
			flock "$chroot_lock"
			run_in_chroot "$major" "$suite" "$cache/$suite" "$log" || true
			exec {chroot_lock}>&-
		fi
		read -r p f < <(suite_counts "$log")
		rm -f "$log"
		passed=$((passed + p))
		failed=$((failed + f))
		elapsed=$((SECONDS - started))
		line="PostgreSQL $major: $p passed, $f failed ($(duration $elapsed)"
		if [ -n "$setup_time" ]; then
			line+=": chroot $(duration "$setup_time"), suite $(duration $((elapsed - setup_time)))"
		elif [ "$suite" != host ]; then
			line+=": the chroot could not be set up"
		elif [ "$lock_wait" -gt 1 ]; then
			line+=", after $(duration "$lock_wait") waiting for the lock"
		fi
		summaries+=("$line)")
	done

	section "Summary"
	printf '%s\n' "${summaries[@]}"
	echo "$passed passed, $failed failed"
	if [ "$failed" -gt 0 ]; then
		exit 1
	fi
	exit 0
fi

# From here on: one suite, on the server of $PG_CONFIG, in this system.
PG_CONFIG=${PG_CONFIG:-pg_config}
export PG_CONFIG

summary_and_exit()
{
	echo
	echo "$passed passed, $failed failed"
	if [ "$failed" -gt 0 ]; then
		exit 1
	fi
	exit 0
}

as_postgres()
{
	# cd first: postgres cannot enter root's cwd, which psql and perl dislike.
	(cd "$workdir" && runuser -u postgres -- env HOME="$pghome" "$@") </dev/null
}

# The postgres user comes with the server packages.
pghome=$(getent passwd postgres | cut -d: -f6)

# Work in a fresh copy owned by postgres, without the caller's build products.
workdir=$(mktemp -d /tmp/decoder_raw-tests.XXXXXX)
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup()
{
	local rc=$?
	# Stop any server a crashed test left behind before removing its files.
	find "$workdir" -name postmaster.pid 2>/dev/null | while read -r pidfile; do
		runuser -u postgres -- "$("$PG_CONFIG" --bindir)/pg_ctl" stop -m immediate \
			-D "$(dirname "$pidfile")" >/dev/null 2>&1 </dev/null || true
	done
	if [ "$keep" -eq 1 ] || { [ "$failed" -gt 0 ] && [ "${CI:-}" != true ]; }; then
		echo "run-tests.sh: test tree kept in $workdir"
	else
		rm -rf "$workdir"
	fi
	return "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
tar -C "$srcdir" --exclude=./.git -cf - . | tar -C "$workdir" -xf -
chmod 755 "$workdir"
chown -R postgres:postgres "$workdir"

section "Building (warnings are errors)"
if ! as_postgres make -s PG_CONFIG="$PG_CONFIG" clean >/dev/null ||
   ! as_postgres make -s PG_CONFIG="$PG_CONFIG" COPT='-Werror'; then
	echo "run-tests.sh: build failed" >&2
	failed=$((failed + 1))
	summary_and_exit
fi

section "Installing into $("$PG_CONFIG" --pkglibdir)"
if ! (cd "$workdir" && make -s PG_CONFIG="$PG_CONFIG" install </dev/null); then
	echo "run-tests.sh: make install failed" >&2
	failed=$((failed + 1))
	summary_and_exit
fi
chown -R postgres:postgres "$workdir"

if [ $run_regress -eq 1 ]; then
	section "pg_regress suite"
	log="$workdir/regress.out"
	set +e
	as_postgres make -s PG_CONFIG="$PG_CONFIG" installcheck TAP_TESTS= 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	set -e
	read -r ok bad < <(bash "$srcdir/scripts/regress-count.sh" "$log")
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		# pg_regress itself failed (initdb, server start...): count it once.
		bad=1
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	if [ -s "$workdir/regression.diffs" ] && [ "$rc" -ne 0 ]; then
		section "regression.diffs"
		cat "$workdir/regression.diffs"
	fi
	# The server log shows crashes and errors that the diffs do not.
	if [ "$rc" -ne 0 ]; then
		for f in "$workdir/log/postmaster.log" "$workdir/log/initdb.log"; do
			[ -s "$f" ] || continue
			section "tail of ${f#"$workdir"/}"
			tail -n 40 "$f"
			break
		done
	fi
fi

if [ $run_tap -eq 1 ]; then
	section "TAP suite"
	log="$workdir/tap.out"
	set +e
	# PERL5LIB lets every test "use DecoderRawNode" however prove is invoked.
	as_postgres env PERL5LIB="$workdir/t${PERL5LIB:+:$PERL5LIB}" \
		make -s PG_CONFIG="$PG_CONFIG" installcheck REGRESS= PROVE_TESTS="${prove_tests[*]}" 2>&1 |
		tee "$log"
	rc=${PIPESTATUS[0]}
	set -e
	files=$(sed -nE 's/^Files=([0-9]+),.*/\1/p' "$log" | tail -n 1)
	# prove's "Test Summary Report" lists each failing file with its Wstat.
	failing=$(sed -nE 's/^(t\/[^ ]+\.pl) +\(Wstat.*/\1/p' "$log" | sort -u)
	nfail=$(printf '%s' "$failing" | grep -c . || true)
	if [ -z "$files" ]; then
		# prove did not get to run: count it once.
		files=1
		[ "$nfail" -eq 0 ] && nfail=1
	elif [ "$rc" -ne 0 ] && [ "$nfail" -eq 0 ]; then
		nfail=1
	fi
	passed=$((passed + files - nfail))
	failed=$((failed + nfail))
	for t in $failing; do
		name=$(basename "$t" .pl)
		for f in "$workdir/tmp_check/log/regress_log_$name" \
				 "$workdir/tmp_check/log/${name}"_*.log; do
			[ -f "$f" ] || continue
			section "tail of ${f#"$workdir"/}"
			tail -n 60 "$f"
		done
	done
fi

summary_and_exit
