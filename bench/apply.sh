#!/usr/bin/env bash
#
# apply.sh
#	Catch-up time of decoder_raw_apply against a native subscription and
#	against pg_recvlogical | psql, in one run, on two throwaway clusters.
#
# For each workload, the three consumers are set up before it runs (two
# decoder_raw slots, and a subscription created with copy_data = false and
# enabled = false, whose slot is created then), the workload runs on the
# source, and each consumer is then timed until the target holds everything
# up to the source's WAL position after the workload:
#	decoder_raw_apply --endpos, into a database with the decoder_raw
#	extension (through its procedure), and with --apply-mode sql
#	the subscription, enabled, until its origin reaches that position
#	pg_recvlogical --endpos -f - | psql
# Workloads: "small", many transactions of a few rows; "large", one
# transaction of many rows.  The plugin and the applier are those of this
# tree, built here and loaded through dynamic_library_path: nothing is
# installed but the extension's control and script files, for the run
# (and the installation's own put back).  A benchmark, not a test: it
# asserts nothing about time.
#
# Usage: bench/apply.sh   (as root; the clusters run as postgres)
#
# Then, for one transaction of BENCH_STREAM_ROWS rows, the time from its
# commit on the source to its commit on the target through a running
# decoder_raw_apply, without and with stream-changes, and what the
# walsender spilled or streamed (pg_stat_replication_slots).
#
# Environment: BENCH_SMALL_XACTS [20000] transactions of 5 rows;
# BENCH_LARGE_ROWS [200000] rows of the large transaction;
# BENCH_STREAM_ROWS [5000000] rows of the streamed one (0: skip it);
# BENCH_TARGET_CONF [none] lines for the target's postgresql.conf;
# BENCH_DIR [a temporary directory].

set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
small_xacts=${BENCH_SMALL_XACTS:-20000}
large_rows=${BENCH_LARGE_ROWS:-200000}
stream_rows=${BENCH_STREAM_ROWS:-5000000}
dir=${BENCH_DIR:-$(mktemp -d /tmp/decoder_raw-apply-bench.XXXXXX)}
bin=$(pg_config --bindir)
sport=56201
tport=56202

[ "$(id -u)" -eq 0 ] || { echo "apply.sh: run as root" >&2; exit 1; }
chown postgres "$dir"
as_pg() { runuser -u postgres -- "$@"; }

# build the plugin and the applier of this tree, out of the tree
cp -r "$src" "$dir/tree"
rm -rf "$dir/tree/.git"
chown -R postgres "$dir/tree"
as_pg make -s -C "$dir/tree" clean >/dev/null
as_pg make -s -C "$dir/tree" >/dev/null
mkdir -p "$dir/lib"
cp "$dir/tree/decoder_raw.so" "$dir/lib/"

# The extension's files of this tree, for CREATE EXTENSION on the target,
# their module the library built here; whatever decoder_raw files the
# installation has are put back at the end.
ext=$(pg_config --sharedir)/extension
mkdir -p "$dir/ext-saved"
cp -p "$ext"/decoder_raw* "$dir/ext-saved/" 2>/dev/null || true
restore_ext() { rm -f "$ext"/decoder_raw*; cp -p "$dir/ext-saved"/* "$ext/" 2>/dev/null || true; }
sed "s|^module_pathname = .*|module_pathname = '$dir/lib/decoder_raw'|" \
	"$dir/tree/decoder_raw.control" >"$ext/decoder_raw.control"
trap restore_ext EXIT
cp "$dir/tree"/decoder_raw--*.sql "$ext/"
apply="$dir/tree/apply/decoder_raw_apply"

for port in $sport $tport; do
	as_pg "$bin/initdb" -D "$dir/d$port" -A trust >/dev/null
	cat >>"$dir/d$port/postgresql.conf" <<EOF
port = $port
unix_socket_directories = '$dir'
listen_addresses = ''
wal_level = logical
max_replication_slots = 10
max_wal_senders = 10
output_plugin_libraries = 'decoder_raw, pgoutput, test_decoding'
dynamic_library_path = '$dir/lib:\$libdir'
shared_buffers = 256MB
max_wal_size = 4GB
autovacuum = off
EOF
	# settings of the target to try, e.g. BENCH_TARGET_CONF='wal_writer_flush_after = 0'
	[ "$port" = "$tport" ] && printf '%s\n' "${BENCH_TARGET_CONF:-}" >>"$dir/d$port/postgresql.conf"
	as_pg "$bin/pg_ctl" -D "$dir/d$port" -l "$dir/log$port" -w start >/dev/null
done
trap 'for p in $sport $tport; do as_pg "$bin/pg_ctl" -D "$dir/d$p" -m fast stop >/dev/null 2>&1 || true; done; restore_ext' EXIT

S="host=$dir port=$sport dbname=bench"
psql_s() { as_pg psql -XAtq -h "$dir" -p $sport -d bench "$@"; }
psql_t() { local db=$1; shift; as_pg psql -XAtq -h "$dir" -p $tport -d "$db" "$@"; }
schema='CREATE TABLE acc (id int PRIMARY KEY, n int NOT NULL, note text);
CREATE TABLE hist (id bigserial PRIMARY KEY, acc int, delta int, at timestamptz DEFAULT now());'

as_pg psql -XAtq -h "$dir" -p $sport -d postgres -c 'CREATE DATABASE bench'
psql_s -c "$schema" -c 'CREATE PUBLICATION pub FOR ALL TABLES'

now() { date +%s.%N; }
elapsed() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.3f", a - b }'; }

run_workload() {
	local name=$1
	for db in t_apply t_sql t_native t_psql; do
		as_pg psql -XAtq -h "$dir" -p $tport -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
		psql_t $db -c "$schema"
	done
	psql_t t_apply -c 'CREATE EXTENSION decoder_raw' 
	psql_s -c 'TRUNCATE acc, hist' -c 'INSERT INTO acc SELECT g, 0, NULL FROM generate_series(1, 1000) g'
	for db in t_apply t_sql t_native t_psql; do
		psql_t $db -c 'INSERT INTO acc SELECT g, 0, NULL FROM generate_series(1, 1000) g'
	done
	psql_s -c "SELECT count(pg_create_logical_replication_slot(s, 'decoder_raw')) FROM (VALUES ('dr_apply'), ('dr_sql'), ('dr_psql')) v(s)" >/dev/null
	psql_t t_native -c "CREATE SUBSCRIPTION sub CONNECTION 'host=$dir port=$sport dbname=bench' PUBLICATION pub WITH (copy_data = false, enabled = false)" 2>/dev/null

	if [ "$name" = small ]; then
		psql_s -c "DO \$\$ BEGIN FOR i IN 1..$small_xacts LOOP
			UPDATE acc SET n = n + 1, note = 'x' || i WHERE id = 1 + i % 1000;
			INSERT INTO hist (acc, delta) VALUES (1 + i % 1000, i), (1 + i % 1000, -i), (2, i);
			DELETE FROM hist WHERE id = (SELECT min(id) FROM hist) AND i % 2 = 0;
			COMMIT; END LOOP; END \$\$"
	else
		psql_s -c "INSERT INTO hist (acc, delta) SELECT 1 + g % 1000, g FROM generate_series(1, $large_rows) g" \
			-c 'UPDATE acc SET n = n + 1'
	fi
	# the end of the last commit: where every consumer is complete
	local end; end=$(psql_s -c "SELECT max(lsn) FROM pg_logical_slot_peek_changes('dr_psql', NULL, NULL)")
	local changes; changes=$(psql_s -c "SELECT count(*) FROM pg_logical_slot_peek_changes('dr_psql', NULL, NULL) WHERE data ~ '^(INSERT|UPDATE|DELETE)'")

	local t0 r_apply r_sql r_native r_psql
	t0=$(now)
	as_pg "$apply" --source "$S" --target "host=$dir port=$tport dbname=t_apply" \
		--slot dr_apply --endpos "$end" --apply-mode procedure 2>"$dir/apply_$name.log"
	r_apply=$(elapsed "$t0")

	t0=$(now)
	as_pg "$apply" --source "$S" --target "host=$dir port=$tport dbname=t_sql" \
		--slot dr_sql --endpos "$end" --apply-mode sql 2>"$dir/sql_$name.log"
	r_sql=$(elapsed "$t0")

	t0=$(now)
	psql_t t_native -c 'ALTER SUBSCRIPTION sub ENABLE'
	until [ "$(psql_t t_native -c "SELECT coalesce(pg_replication_origin_progress('pg_' || oid, false) >= '$end', false) FROM pg_subscription WHERE subname = 'sub'")" = t ]; do
		sleep 0.01
	done
	r_native=$(elapsed "$t0")

	t0=$(now)
	as_pg "$bin/pg_recvlogical" -d "$S" --slot dr_psql --start --endpos "$end" --no-loop \
		-o skip-empty-xacts=on -f - |
		as_pg psql -Xq -v ON_ERROR_STOP=1 -h "$dir" -p $tport -d t_psql -o /dev/null
	r_psql=$(elapsed "$t0")

	# the three targets must be equal to the source
	local q="SELECT md5(string_agg(a::text, ',' ORDER BY id)) || ' ' || (SELECT count(*) FROM hist) FROM acc a"
	local want; want=$(psql_s -c "$q")
	for db in t_apply t_sql t_native t_psql; do
		local got; got=$(psql_t $db -c "$q")
		[ "$got" = "$want" ] || echo "apply.sh: warning: $db differs from the source after $name" >&2
	done

	printf '| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n' "$name" "$changes" \
		"$r_apply" "$r_sql" "$r_native" "$r_psql" \
		"$(awk -v a="$r_apply" -v b="$r_native" 'BEGIN { print a / b }')" \
		"$(awk -v a="$r_sql" -v b="$r_native" 'BEGIN { print a / b }')"

	psql_t t_native -c 'ALTER SUBSCRIPTION sub DISABLE' -c 'ALTER SUBSCRIPTION sub SET (slot_name = NONE)' -c 'DROP SUBSCRIPTION sub'
	sleep 1
	psql_s -c "SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots" >/dev/null
}

echo "| workload | changes | decoder_raw_apply (s) | decoder_raw_apply --apply-mode sql (s) | native subscription (s) | pg_recvlogical \\| psql (s) | apply / native | sql / native |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
run_workload small
run_workload large

# commit on the source to commit on the target, the applier running
run_stream()
{
	local mode=$1 db=t_stream_$1 slot=dr_stream_$1 opts=()
	[ "$mode" = on ] && opts=(-o stream-changes=on --spool-dir "$dir")
	as_pg psql -XAtq -h "$dir" -p $tport -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
	psql_t $db -c "$schema"
	psql_s -c 'TRUNCATE acc, hist'
	psql_s -c "SELECT count(pg_create_logical_replication_slot('$slot', 'decoder_raw'))" >/dev/null
	as_pg "$apply" --source "$S" --target "host=$dir port=$tport dbname=$db" --slot $slot \
		--origin o_$mode "${opts[@]}" -s 1 2>"$dir/stream_$mode.log" &
	local pid=$!
	until [ "$(psql_t $db -c "SELECT count(*) FROM pg_replication_origin WHERE roname = 'o_$mode'")" = 1 ]; do
		sleep 0.1
	done
	psql_s -c "INSERT INTO hist (acc, delta) SELECT 1 + g % 1000, g FROM generate_series(1, $stream_rows) g"
	local t0; t0=$(now)
	local end; end=$(psql_s -c 'SELECT pg_current_wal_lsn()')
	until [ "$(psql_t $db -c "SELECT coalesce(pg_replication_origin_progress('o_$mode', false) >= '$end', false)")" = t ]; do
		sleep 0.05
	done
	local lag; lag=$(elapsed "$t0")
	# runuser does not pass the signal on: its child is the applier
	pkill -TERM -P "$pid"; wait "$pid" || true
	local stats; stats=$(psql_s -F ' | ' -c "SELECT spill_txns, pg_size_pretty(spill_bytes), stream_txns, pg_size_pretty(stream_bytes) FROM pg_stat_replication_slots WHERE slot_name = '$slot'")
	[ "$(psql_t $db -c 'SELECT count(*) FROM hist')" = "$stream_rows" ] ||
		echo "apply.sh: warning: $db does not hold the $stream_rows rows" >&2
	printf '| %s | %s | %.2f | %s |\n' "$stream_rows" "$mode" "$lag" "$stats"
	psql_s -c "SELECT pg_drop_replication_slot('$slot')" >/dev/null
}

if [ "$stream_rows" -gt 0 ]; then
	echo
	echo "| rows | stream-changes | source commit to target commit (s) | spill txns | spilled | stream txns | streamed |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	run_stream off
	run_stream on
fi
