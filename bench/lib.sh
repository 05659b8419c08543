# shellcheck shell=bash
#
# lib.sh
#	Shared by bench/run.sh and bench/profile.sh: dependencies, a private
#	build of decoder_raw and of the floor plugin, a throwaway cluster, the
#	contenders and the workloads.  Sourced, not run.
#
# The plugins are built in a temporary directory and loaded from there
# through dynamic_library_path: the benchmark measures the working tree and
# leaves the installed decoder_raw.so alone.  BENCH_PLUGIN=installed
# measures the installed one instead.

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=$(cd "$bench_dir/.." && pwd)

# Only our own instance is to be reached, in a locale that always exists.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGOPTIONS PGDATA
unset LC_ALL LC_CTYPE LC_COLLATE LC_MESSAGES LANGUAGE
export LANG=C.UTF-8

BENCH_SCALE=${BENCH_SCALE:-1}
BENCH_PLUGIN=${BENCH_PLUGIN:-tree}
BENCH_DECODING_WORK_MEM=${BENCH_DECODING_WORK_MEM:-64MB}
BENCH_MESSAGE_SIZE=${BENCH_MESSAGE_SIZE:-64kB}

bindir=$(pg_config --bindir)
pghome=$(getent passwd postgres | cut -d: -f6)

die()
{
	echo "$(basename "$0"): $*" >&2
	exit 1
}

note()
{
	echo "[$(date +%H:%M:%S)] $*" >&2
}

require_root()
{
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			exec sudo -E -- bash "$0" "$@"
		fi
		die "must be run as root (apt-get, runuser)"
	fi
}

# Round a row count by the scale, never below 1.
scaled()
{
	awk -v n="$1" -v s="$BENCH_SCALE" 'BEGIN { v = int(n * s + 0.5); print (v < 1 ? 1 : v) }'
}

# The packages of the other contenders; a contender whose package cannot
# be had is reported as not available, the others still run.
install_deps()
{
	local missing=() p
	for p in postgresql-15-wal2json postgresql-15-decoderbufs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		note "installing ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" </dev/null >&2 ||
			{
				DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >&2 &&
					DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" </dev/null >&2
			} || note "could not install ${missing[*]}: those contenders are skipped"
	fi
}

# BENCH_NICE gives the cluster and its clients that niceness (-20 to 19;
# below 0 they get more of the CPU than other work on the machine).
nice_cmd=()
[ -z "${BENCH_NICE:-}" ] || nice_cmd=(nice -n "$BENCH_NICE")

as_postgres()
{
	# cd first: postgres cannot enter root's cwd.
	(cd "$tmpdir" && "${nice_cmd[@]}" runuser -u postgres -- env HOME="$pghome" "$@")
}

# Temporary directory, removed on exit with the cluster in it.
make_tmpdir()
{
	tmpdir=$(mktemp -d "/tmp/decoder_raw-bench.XXXXXX")
	chmod 755 "$tmpdir"
	chown postgres:postgres "$tmpdir"
	datadir="$tmpdir/data"
	libdir="$tmpdir/lib"
	trap cleanup EXIT
	trap 'exit 130' INT TERM
}

cleanup()
{
	local rc=$?
	jobs -p | xargs -r kill 2>/dev/null
	if [ -n "${datadir:-}" ] && [ -f "$datadir/postmaster.pid" ]; then
		as_postgres "$bindir/pg_ctl" stop -D "$datadir" -m immediate >/dev/null 2>&1 </dev/null || true
	fi
	if [ -n "${BENCH_KEEP_TMP:-}" ]; then
		echo "kept $tmpdir" >&2
	else
		rm -rf "$tmpdir"
	fi
	[ $rc -eq 0 ] || echo "$(basename "$0"): failed (exit status $rc)" >&2
	return "$rc"
}

# Build decoder_raw (from the tree) and the floor plugin in copies owned by
# postgres, and put the modules in $libdir.
build_plugins()
{
	mkdir -p "$tmpdir/build/decoder_raw" "$libdir"
	if [ "$BENCH_PLUGIN" = tree ]; then
		tar -C "$srcdir" --exclude=./.git --exclude=./bench -cf - . |
			tar -C "$tmpdir/build/decoder_raw" -xf -
	fi
	cp -r "$bench_dir/noop_decoder" "$tmpdir/build/"
	chown -R postgres:postgres "$tmpdir/build" "$libdir"
	if [ "$BENCH_PLUGIN" = tree ]; then
		note "building decoder_raw from $srcdir"
		(cd "$tmpdir/build/decoder_raw" && as_postgres make -s -C "$tmpdir/build/decoder_raw" clean >/dev/null &&
			as_postgres make -s -C "$tmpdir/build/decoder_raw" >"$tmpdir/build/decoder_raw.log" 2>&1) </dev/null ||
			{ cat "$tmpdir/build/decoder_raw.log" >&2; die "decoder_raw does not build"; }
		cp "$tmpdir/build/decoder_raw/decoder_raw.so" "$libdir/"
	fi
	note "building the floor plugin (noop_decoder)"
	as_postgres make -s -C "$tmpdir/build/noop_decoder" >"$tmpdir/build/noop.log" 2>&1 </dev/null ||
		{ cat "$tmpdir/build/noop.log" >&2; die "noop_decoder does not build"; }
	cp "$tmpdir/build/noop_decoder/noop_decoder.so" "$libdir/"
	chown -R postgres:postgres "$libdir"
}

# Start the throwaway cluster on the first free port from 54339.
start_cluster()
{
	port=54339
	while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
		port=$((port + 1))
		[ $port -le 54439 ] || die "no free port in 54339-54439"
	done

	note "starting a throwaway cluster in $datadir on port $port"
	as_postgres "$bindir/initdb" -D "$datadir" -A trust -U postgres --no-sync \
		>"$tmpdir/initdb.log" 2>&1 </dev/null ||
		{ cat "$tmpdir/initdb.log" >&2; die "initdb failed"; }
	# fsync is off and checkpoints are rare: the workloads are set up fast
	# and decoding, which is what is measured, reads the same WAL anyway.
	# synchronous_commit stays on: a peek decodes up to the flushed WAL, and
	# pg_recvlogical stops at the first keepalive past --endpos, so the end
	# of a workload must be flushed when it returns.
	cat >>"$datadir/postgresql.conf" <<EOF
port = $port
listen_addresses = ''
unix_socket_directories = '$tmpdir'
dynamic_library_path = '$libdir:\$libdir'
wal_level = logical
max_replication_slots = 40
max_wal_senders = 10
output_plugin_libraries = 'decoder_raw, pgoutput, test_decoding, wal2json, decoderbufs, noop_decoder'
logical_decoding_work_mem = '$BENCH_DECODING_WORK_MEM'
shared_buffers = 512MB
max_wal_size = 16GB
checkpoint_timeout = 1h
fsync = off
autovacuum = off
jit = off
log_min_messages = warning
log_line_prefix = '%m [%p] '
EOF
	as_postgres "$bindir/pg_ctl" start -w -t 120 -D "$datadir" -l "$tmpdir/server.log" >/dev/null </dev/null ||
		{ cat "$tmpdir/server.log" >&2; die "the cluster does not start"; }
	conn=(-h "$tmpdir" -p "$port" -U postgres)
	psql_ -q -d postgres -c 'CREATE DATABASE bench' >/dev/null
}

# Plugins' and DDL's chatter (INFO, NOTICE) is left out.
psql_()
{
	as_postgres env PGOPTIONS='-c client_min_messages=warning' \
		"$bindir/psql" -X -q -v ON_ERROR_STOP=1 "${conn[@]}" "$@" </dev/null
}

# psql on the bench database reading its script from standard input
psql_script()
{
	(cd "$tmpdir" && "${nice_cmd[@]}" runuser -u postgres -- env HOME="$pghome" \
		PGOPTIONS='-c client_min_messages=warning' \
		"$bindir/psql" -X -q -v ON_ERROR_STOP=1 "${conn[@]}" -d bench "$@")
}

sql_value()
{
	psql_ -At -d bench -c "$1"
}

# ----------
# Contenders: id, label, plugin, options as name=value pairs joined by
# commas.  Each gets a slot bench_<id>; the peek and pg_recvlogical use the
# same options.
# ----------
contender_ids=(dr_sql dr_sql_pack dr_bin dr_bin_pack dr_binvals test_decoding wal2json decoderbufs pgoutput pgoutput_bin floor)
declare -A c_label c_plugin c_opts c_status
c_label=(
	[dr_sql]="decoder_raw sql"
	[dr_sql_pack]="decoder_raw sql, packed"
	[dr_bin]="decoder_raw binary, text values"
	[dr_bin_pack]="decoder_raw binary, text values, packed"
	[dr_binvals]="decoder_raw binary, binary-values"
	[test_decoding]="test_decoding"
	[wal2json]="wal2json, format-version 2"
	[decoderbufs]="decoderbufs"
	[pgoutput]="pgoutput, proto 1, text"
	[pgoutput_bin]="pgoutput, proto 1, binary"
	[floor]="floor (noop_decoder)"
)
c_plugin=(
	[dr_sql]=decoder_raw [dr_sql_pack]=decoder_raw [dr_bin]=decoder_raw
	[dr_bin_pack]=decoder_raw [dr_binvals]=decoder_raw
	[test_decoding]=test_decoding [wal2json]=wal2json [decoderbufs]=decoderbufs
	[pgoutput]=pgoutput [pgoutput_bin]=pgoutput [floor]=noop_decoder
)
c_opts=(
	[dr_sql]="format=sql,message-size=0"
	[dr_sql_pack]="format=sql,message-size=$BENCH_MESSAGE_SIZE"
	[dr_bin]="format=binary,message-size=0"
	[dr_bin_pack]="format=binary,message-size=$BENCH_MESSAGE_SIZE"
	[dr_binvals]="format=binary,binary-values=on,message-size=0"
	[test_decoding]=""
	[wal2json]="format-version=2"
	[decoderbufs]=""
	[pgoutput]="proto_version=1,publication_names=bench_pub"
	[pgoutput_bin]="proto_version=1,publication_names=bench_pub,binary=true"
	[floor]=""
)

# The options as a text[] literal for pg_logical_slot_peek_binary_changes().
opts_array()
{
	local o=${c_opts[$1]} out="" kv
	[ -n "$o" ] || { echo "'{}'"; return; }
	IFS=, read -ra kv <<<"$o"
	for o in "${kv[@]}"; do
		out+="${out:+,}\"${o%%=*}\",\"${o#*=}\""
	done
	echo "'{$out}'"
}

# The options as pg_recvlogical arguments.
opts_recvlogical()
{
	local o=${c_opts[$1]} kv
	[ -n "$o" ] || return 0
	IFS=, read -ra kv <<<"$o"
	for o in "${kv[@]}"; do
		printf '%s\n' -o "$o"
	done
}

# Which contenders can run here: the plugin loads and accepts the options.
# A slot is created and peeked with nothing to decode, which runs the
# plugin's startup; the reason for a refusal is kept for the report.
probe_contenders()
{
	local id err selected=",${BENCH_CONTENDERS:-all},"
	psql_ -d bench -c 'CREATE PUBLICATION bench_pub FOR ALL TABLES' >/dev/null
	for id in "${contender_ids[@]}"; do
		if [ "$selected" != ",all," ] && [[ "$selected" != *",$id,"* ]] && [ "$id" != pgoutput ] && [ "$id" != floor ]; then
			c_status[$id]="not selected"
			continue
		fi
		if ! err=$(psql_ -d bench -c "
				SELECT pg_create_logical_replication_slot('bench_probe', '${c_plugin[$id]}');
				SELECT count(*) FROM pg_logical_slot_peek_binary_changes('bench_probe', NULL, NULL, VARIADIC $(opts_array "$id"));
				SELECT pg_drop_replication_slot('bench_probe');" 2>&1 >/dev/null); then
			err=$(printf '%s\n' "$err" | sed -n 's/^.*ERROR: *//p' | head -n 1)
			if [[ $id == dr_bin* ]]; then
				c_status[$id]="n/a — format not available ($err)"
			else
				c_status[$id]="n/a — ${err:-plugin not available}"
			fi
			psql_ -d bench -c "SELECT pg_drop_replication_slot('bench_probe') FROM pg_replication_slots WHERE slot_name = 'bench_probe'" >/dev/null 2>&1 || true
			note "${c_label[$id]}: ${c_status[$id]}"
		else
			c_status[$id]=ok
		fi
	done
}

available_contenders()
{
	local id
	for id in "${contender_ids[@]}"; do
		[ "${c_status[$id]}" = ok ] && echo "$id"
	done
	return 0
}

create_slots()
{
	local prefix=$1 id sql=""
	shift
	for id in "$@"; do
		sql+="SELECT pg_create_logical_replication_slot('${prefix}_$id', '${c_plugin[$id]}');"
	done
	# decoderbufs says INFO on startup, which client_min_messages cannot mute
	psql_ -d bench -c "$sql" 2>&1 >/dev/null | { grep -v '^INFO:' || true; } >&2
}

drop_slots()
{
	psql_ -d bench -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE '$1\\_%'" >/dev/null
}

# ----------
# Workloads.  Each prepares its table (not decoded: the slots are created
# after it), then runs its changes; both read psql variables set from the
# scale.
# ----------
declare -A w_label
# shellcheck disable=SC2034 # used by the scripts that source this file
w_label=(
	[a]="(a) five-column table, large transactions"
	[b]="(b) five-column table, small transactions"
	[c]="(c) wide table, 50 columns of mixed types"
	[d]="(d) large TOASTed values"
)

# The numbers of each workload at the current scale, as psql -v arguments.
workload_vars()
{
	case $1 in
		a | b)
			echo "-v n_ins=$(scaled 500000) -v n_upd=$(scaled 100000) -v n_del=$(scaled 70000) -v batch=$(scaled 100000)"
			;;
		c)
			echo "-v n_ins=$(scaled 100000) -v n_upd=$(scaled 20000) -v n_del=$(scaled 14000) -v batch=$(scaled 50000)"
			;;
		d)
			echo "-v n_ins=$(scaled 2000) -v n_upd=$(scaled 1000) -v n_del=$(scaled 500) -v batch=$(scaled 250) -v value_kb=64"
			;;
		mem)
			echo "-v n_ins=$(scaled 5000000)"
			;;
	esac
}

# The numbers of the workload, in words, for the report.
workload_desc()
{
	local n_ins n_upd n_del batch value_kb
	eval "$(workload_vars "$1" | sed 's/-v //g')"
	case $1 in
		a | c)
			echo "$n_ins inserts, $n_upd updates, $n_del deletes, in transactions of $batch rows"
			;;
		b)
			echo "$n_upd transactions of 5 inserts, 1 update and, 7 times in 10, 1 delete: $((5 * n_upd)) inserts, $n_upd updates, $((n_upd * 7 / 10)) deletes"
			;;
		d)
			echo "$n_ins inserts of ${value_kb} kB values, $n_upd updates of another column, $((n_upd / 2)) updates of the large value, $n_del deletes, in transactions of $batch rows"
			;;
	esac
}

workload_prepare()
{
	# shellcheck disable=SC2046
	psql_script $(workload_vars "$1") -f - <"$bench_dir/sql/workload_$1_prepare.sql" >/dev/null
}

workload_run()
{
	# shellcheck disable=SC2046
	psql_script $(workload_vars "$1") -f - <"$bench_dir/sql/workload_$1.sql" >/dev/null
}
