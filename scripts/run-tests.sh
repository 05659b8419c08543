#!/usr/bin/env bash
#
# run-tests.sh
#	Build decoder_raw with warnings as errors, install it, and run the
#	pg_regress suite and the TAP suite.
#
# The tests run as the unprivileged "postgres" user (initdb refuses root) in
# a throwaway copy of the source tree, so the caller's tree is never written
# to and no existing cluster is touched.  Both suites always run, so that
# both report; the last line printed is "N passed, N failed", counting
# pg_regress tests and TAP test files (a failed build counts as one failure).
#
# Usage: scripts/run-tests.sh [options] [TAP test files...]
#	--regress-only	run only the pg_regress suite
#	--tap-only	run only the TAP suite
#	--no-deps	skip scripts/install-deps.sh
#	--keep		keep the temporary tree (it is kept anyway on failure,
#			except under CI)
# TAP test files (e.g. t/001_smoke.pl or 001_smoke) may also be given in
# the PROVE_TESTS environment variable.  Must run as root; re-executes itself
# via sudo when possible.

set -euo pipefail

# runuser, dpkg and ldconfig live in sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

run_regress=1
run_tap=1
install_deps=1
keep=0
prove_tests=()
for word in ${PROVE_TESTS:-}; do
	prove_tests+=("$word")
done

while [ $# -gt 0 ]; do
	case "$1" in
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
		args=()
		[ $run_regress -eq 0 ] && args+=(--tap-only)
		[ $run_tap -eq 0 ] && args+=(--regress-only)
		[ $install_deps -eq 0 ] && args+=(--no-deps)
		[ $keep -eq 1 ] && args+=(--keep)
		exec sudo -- bash "${BASH_SOURCE[0]}" "${args[@]}" "${prove_tests[@]}"
	fi
	echo "run-tests.sh: must be run as root (make install, runuser)" >&2
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

if [ $install_deps -eq 1 ]; then
	section "Installing dependencies"
	bash "$srcdir/scripts/install-deps.sh" </dev/null
fi

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
		runuser -u postgres -- "$(pg_config --bindir)/pg_ctl" stop -m immediate \
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
tar -C "$srcdir" --exclude=./.git -cf - . | tar -C "$workdir" -xf -
chmod 755 "$workdir"
chown -R postgres:postgres "$workdir"

section "Building (warnings are errors)"
if ! as_postgres make -s clean >/dev/null ||
   ! as_postgres make -s COPT='-Werror'; then
	echo "run-tests.sh: build failed" >&2
	failed=$((failed + 1))
	summary_and_exit
fi

section "Installing into $(pg_config --pkglibdir)"
if ! (cd "$workdir" && make -s install </dev/null); then
	echo "run-tests.sh: make install failed" >&2
	failed=$((failed + 1))
	summary_and_exit
fi
chown -R postgres:postgres "$workdir"

if [ $run_regress -eq 1 ]; then
	section "pg_regress suite"
	log="$workdir/regress.out"
	set +e
	as_postgres make -s installcheck TAP_TESTS= 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	set -e
	# pg_regress prints one "name ... ok|FAILED|failed (ignored)" line per test.
	ok=$(grep -cE '^(test +| +)?[A-Za-z0-9_.-]+ +\.\.\. +ok' "$log" || true)
	bad=$(grep -cE '^(test +| +)?[A-Za-z0-9_.-]+ +\.\.\. +(FAILED|failed)' "$log" || true)
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
		make -s installcheck REGRESS= PROVE_TESTS="${prove_tests[*]}" 2>&1 |
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
