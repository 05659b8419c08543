#!/usr/bin/env bash
#
# quickstart.sh
#	Show decoder_raw at work on a throwaway cluster: build and install the
#	plugin, start a private PostgreSQL 15 instance, run a small workload
#	and print the SQL that decoder_raw decodes from it, once through
#	pg_recvlogical and once through pg_logical_slot_get_changes(); then
#	replicate it into a second database with decoder_raw_apply.
#
# Nothing outside a temporary directory is touched apart from installing the
# packages and the plugin; the cluster is stopped and its directory removed
# on exit, whatever happens.  The instance runs as the "postgres" user
# because initdb refuses to run as root.
#
# Usage: scripts/quickstart.sh [--no-deps]   (as root; re-executes via sudo)

set -euo pipefail

# runuser, dpkg and ldconfig live in sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

install_deps=1
case "${1:-}" in
	"") ;;
	--no-deps) install_deps=0 ;;
	*)
		echo "usage: $0 [--no-deps]" >&2
		exit 2
		;;
esac

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo -- bash "${BASH_SOURCE[0]}" "$@"
	fi
	echo "quickstart.sh: must be run as root (make install, runuser)" >&2
	exit 1
fi

heading()
{
	echo
	echo "==== $* ===="
}

# Only our own instance is to be reached, in a locale that always exists.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGOPTIONS PGDATA
unset LC_ALL LC_CTYPE LC_COLLATE LC_MESSAGES LANGUAGE
export LANG=C.UTF-8

if [ $install_deps -eq 1 ]; then
	heading "Installing dependencies"
	bash "$srcdir/scripts/install-deps.sh" </dev/null
fi

bindir=$(pg_config --bindir)
pghome=$(getent passwd postgres | cut -d: -f6)

tmpdir=$(mktemp -d /tmp/decoder_raw-quickstart.XXXXXX)
datadir="$tmpdir/data"
cleanup()
{
	local rc=$?
	if [ -f "$datadir/postmaster.pid" ]; then
		as_postgres "$bindir/pg_ctl" stop -D "$datadir" -m immediate >/dev/null 2>&1 || true
	fi
	rm -rf "$tmpdir"
	if [ $rc -ne 0 ]; then
		echo "quickstart.sh: failed (exit status $rc)" >&2
	fi
	return "$rc"
}
trap cleanup EXIT

as_postgres()
{
	# cd first: postgres cannot enter root's cwd.
	(cd "$tmpdir" && runuser -u postgres -- env HOME="$pghome" "$@") </dev/null
}

chmod 755 "$tmpdir"
chown postgres:postgres "$tmpdir"

heading "Building and installing decoder_raw"
# Build in a copy so that the source tree gets no root-owned objects.
mkdir "$tmpdir/src"
tar -C "$srcdir" --exclude=./.git -cf - . | tar -C "$tmpdir/src" -xf -
chown -R postgres:postgres "$tmpdir/src"
(cd "$tmpdir/src" && runuser -u postgres -- make -s clean >/dev/null &&
	runuser -u postgres -- make -s) </dev/null
(cd "$tmpdir/src" && make -s install) </dev/null
echo "installed $(pg_config --pkglibdir)/decoder_raw.so"

# Take the first port from 54329 on that nothing listens on.
port=54329
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
	port=$((port + 1))
	if [ $port -gt 54429 ]; then
		echo "quickstart.sh: no free port in 54329-54429" >&2
		exit 1
	fi
done

heading "Starting a throwaway cluster on port $port"
as_postgres "$bindir/initdb" -D "$datadir" -A trust -U postgres --no-sync >"$tmpdir/initdb.log" 2>&1 ||
	{ cat "$tmpdir/initdb.log" >&2; exit 1; }
# PostgreSQL 15.19 and later load only the output plugins listed in
# output_plugin_libraries.
cat >>"$datadir/postgresql.conf" <<EOF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$tmpdir'
wal_level = logical
max_replication_slots = 10
max_wal_senders = 10
output_plugin_libraries = 'decoder_raw, pgoutput, test_decoding'
EOF
as_postgres "$bindir/pg_ctl" start -w -D "$datadir" -l "$tmpdir/server.log" >/dev/null ||
	{ cat "$tmpdir/server.log" >&2; exit 1; }
echo "data directory $datadir, log $tmpdir/server.log"

conn=(-h "$tmpdir" -p "$port" -U postgres)
psql_()
{
	as_postgres "$bindir/psql" -X -v ON_ERROR_STOP=1 "${conn[@]}" "$@"
}

psql_ -q -d postgres -c 'CREATE DATABASE quickstart' -c 'CREATE DATABASE replica'

heading "Creating three decoder_raw slots"
echo "\$ pg_recvlogical -d quickstart --slot=qs_recvlogical --create-slot -P decoder_raw"
as_postgres "$bindir/pg_recvlogical" "${conn[@]}" -d quickstart \
	--slot=qs_recvlogical --create-slot -P decoder_raw
query="SELECT slot_name, lsn FROM pg_create_logical_replication_slot('qs_sql', 'decoder_raw')"
echo "\$ psql -d quickstart -c \"$query\""
psql_ -d quickstart -c "$query"
query="SELECT slot_name, lsn FROM pg_create_logical_replication_slot('qs_apply', 'decoder_raw')"
echo "\$ psql -d quickstart -c \"$query\""
psql_ -d quickstart -c "$query"

heading "Running a workload"
# Run from a file so that each statement is its own transaction, as typed.
cat >"$tmpdir/workload.sql" <<'EOF'
CREATE TABLE public.customers (id int PRIMARY KEY, name text, note text);
INSERT INTO public.customers VALUES
	(1, 'O''Brien', NULL),
	(2, 'Smith', 'says "hi"');
BEGIN;
UPDATE public.customers SET note = 'it''s fine' WHERE id = 1;
UPDATE public.customers SET id = 3 WHERE id = 2;
COMMIT;
DELETE FROM public.customers WHERE id = 3;
INSERT INTO public.customers VALUES (4, NULL, E'tab\there');
TRUNCATE public.customers;
INSERT INTO public.customers VALUES (5, 'Jones', 'kept');
EOF
chmod 644 "$tmpdir/workload.sql"
cat "$tmpdir/workload.sql"
psql_ -q -d quickstart -f "$tmpdir/workload.sql"
endpos=$(psql_ -At -d quickstart -c 'SELECT pg_current_wal_lsn()')
echo "current WAL position: $endpos"

heading "Decoded by pg_recvlogical (slot qs_recvlogical)"
echo "\$ pg_recvlogical -d quickstart --slot=qs_recvlogical --start --endpos=$endpos --no-loop -f -"
as_postgres timeout 60 "$bindir/pg_recvlogical" "${conn[@]}" -d quickstart \
	--slot=qs_recvlogical --start --endpos="$endpos" --no-loop -f - \
	>"$tmpdir/recvlogical.out"
cat "$tmpdir/recvlogical.out"

heading "Decoded by pg_logical_slot_get_changes() (slot qs_sql)"
query="SELECT data FROM pg_logical_slot_get_changes('qs_sql', NULL, NULL)"
echo "\$ psql -At -d quickstart -c \"$query\""
psql_ -At -d quickstart -c "$query" >"$tmpdir/sql.out"
cat "$tmpdir/sql.out"

# Both slots were created before the workload, so they must agree.
echo
if cmp -s "$tmpdir/recvlogical.out" "$tmpdir/sql.out"; then
	echo "Both slots decoded the same $(wc -l <"$tmpdir/sql.out") lines."
else
	echo "quickstart.sh: the two slots decoded different output:" >&2
	diff "$tmpdir/recvlogical.out" "$tmpdir/sql.out" >&2 || true
	exit 1
fi

heading "Replicated by decoder_raw_apply (slot qs_apply) into database replica"
# the replica has the same tables: DDL is not replicated; the extension
# gives the applier its procedure, the faster way to apply
psql_ -q -d replica -c 'CREATE TABLE public.customers (id int PRIMARY KEY, name text, note text)' \
	-c 'CREATE EXTENSION decoder_raw'
echo "\$ decoder_raw_apply --source 'dbname=quickstart' --target 'dbname=replica' --slot qs_apply --endpos $endpos --verbose"
as_postgres timeout 60 "$bindir/decoder_raw_apply" \
	--source "host=$tmpdir port=$port user=postgres dbname=quickstart" \
	--target "host=$tmpdir port=$port user=postgres dbname=replica" \
	--slot qs_apply --endpos "$endpos" --verbose -s 0
query='SELECT * FROM public.customers ORDER BY id'
echo "\$ psql -d replica -c \"$query\""
psql_ -d replica -c "$query"
if [ "$(psql_ -At -d replica -c "$query")" = "$(psql_ -At -d quickstart -c "$query")" ]; then
	echo "The replica holds the same rows as quickstart."
else
	echo "quickstart.sh: the replica differs from quickstart" >&2
	exit 1
fi

heading "Stopping the cluster"
as_postgres "$bindir/pg_ctl" stop -D "$datadir" -m fast >/dev/null
echo "stopped; $tmpdir will be removed"
