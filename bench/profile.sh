#!/usr/bin/env bash
#
# profile.sh
#	Profile the decoding of one benchmark workload by a few contenders and
#	print where the time goes: per shared object, per function, the
#	functions of decoder_raw.so alone, and decoder_raw's callbacks with
#	what they call.
#
# The setup is bench/run.sh's (same private build, cluster and workloads).
# With perf (the default), the backend that peeks the slot is recorded
# with call graphs; PostgreSQL is built with frame pointers, so they are
# cheap and exact.  With callgrind, the server is stopped and the peek runs
# in a single-user backend under valgrind: exact instruction counts, about
# fifty times slower, so use a small BENCH_SCALE.
#
# Usage: bench/profile.sh [--no-deps] [--tool perf|callgrind]
#			[--via peek|walsender] [--workload a|b|c|d]
#			[--contenders dr_sql,pgoutput] [--repeat N] [--keep DIR]
#			[--top N]    (as root)
#
# --via peek (the default) profiles a backend running
# pg_logical_slot_peek_binary_changes(), as run.sh times it; --via
# walsender profiles the walsender while pg_recvlogical streams a copy of
# the slot to /dev/null, the path that replication takes (perf only).
# --repeat N decodes the workload N times into one profile [3].  --keep DIR
# keeps the raw profiles (perf.data or callgrind.out files) and the report
# there.  BENCH_SCALE and the other settings of run.sh apply.

set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root "$@"

install=1
tool=perf
workload=a
profile_ids=dr_sql,pgoutput
keep=""
top=30
via=peek
repeat=3
while [ $# -gt 0 ]; do
	case $1 in
		--no-deps) install=0 ;;
		--tool)
			tool=$2
			shift
			;;
		--workload)
			workload=$2
			shift
			;;
		--contenders)
			profile_ids=$2
			shift
			;;
		--keep)
			keep=$2
			shift
			;;
		--top)
			top=$2
			shift
			;;
		--via)
			via=$2
			shift
			;;
		--repeat)
			repeat=$2
			shift
			;;
		-h | --help)
			sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
			exit 0
			;;
		*)
			echo "usage: $0 [--no-deps] [--tool perf|callgrind] [--via peek|walsender] [--workload a|b|c|d] [--contenders ID,...] [--repeat N] [--keep DIR] [--top N]" >&2
			exit 2
			;;
	esac
	shift
done
case $tool in perf | callgrind) ;; *) die "unknown tool \"$tool\"" ;; esac
case $via in peek | walsender) ;; *) die "unknown --via \"$via\"" ;; esac
[ "$tool" = perf ] || [ "$via" = peek ] || die "--via walsender needs perf"
[ -n "${w_label[$workload]:-}" ] || die "unknown workload \"$workload\""
if [ "$tool" = perf ] && ! command -v perf >/dev/null 2>&1; then
	[ $install -eq 0 ] ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-perf </dev/null >&2 || true
	command -v perf >/dev/null 2>&1 || { note "perf is not available: using callgrind"; tool=callgrind; }
fi
if [ "$tool" = callgrind ] && ! command -v valgrind >/dev/null 2>&1; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q valgrind </dev/null >&2 ||
		die "neither perf nor valgrind can be had"
fi
[ $install -eq 0 ] || install_deps

BENCH_CONTENDERS=$profile_ids
make_tmpdir
build_plugins
start_cluster
psql_script -f - <"$bench_dir/sql/setup.sql" >/dev/null
probe_contenders

IFS=, read -ra wanted <<<"$profile_ids"
ids=()
for id in "${wanted[@]}"; do
	[ -n "${c_label[$id]:-}" ] || die "unknown contender \"$id\""
	if [ "${c_status[$id]}" = ok ]; then
		ids+=("$id")
	else
		note "${c_label[$id]}: ${c_status[$id]}"
	fi
done
[ ${#ids[@]} -gt 0 ] || die "no contender to profile"

note "workload ${w_label[$workload]}: preparing and running"
workload_prepare "$workload"
create_slots bench "${ids[@]}"
workload_run "$workload"
endpos=$(sql_value 'SELECT pg_current_wal_lsn()')

out=$tmpdir/profile
mkdir "$out"
chown postgres:postgres "$out"

peek_sql()
{
	echo "SELECT * FROM bench_peek('bench_$1', $(opts_array "$1"))"
}

# Decoding reads the WAL through the page cache: warm it, and the catalogs.
for id in "${ids[@]}"; do
	psql_ -At -d bench -c "$(peek_sql "$id")" >/dev/null
done

# perf report, without its trailing empty columns, cut to $1 lines.
perf_report()
{
	local lines=$1
	shift
	perf report --stdio --quiet --percent-limit 0.3 "$@" 2>/dev/null >"$out/report.tmp" || true
	sed -e 's/[[:space:]]*-[[:space:]]*-[[:space:]]*$//' -e '/^[[:space:]]*$/d' "$out/report.tmp" |
		head -n "$lines" || true
}

report_perf()
{
	local id=$1 data=$2
	shift 2
	local args=(-i "$data" "$@")

	echo "---- ${c_label[$id]}: self time by shared object"
	perf_report 8 "${args[@]}" --no-children --sort dso -g none
	echo
	echo "---- ${c_label[$id]}: self time by function (top $top)"
	perf_report "$top" "${args[@]}" --no-children --sort dso,symbol -g none
	echo
	if [ "${c_plugin[$id]}" = decoder_raw ]; then
		echo "---- ${c_label[$id]}: functions of decoder_raw.so, self time (% of all samples)"
		perf_report "$top" "${args[@]}" --no-children --dsos decoder_raw.so --sort symbol -g none
		echo
	fi
	echo "---- ${c_label[$id]}: time including callees (top $top)"
	perf_report "$top" "${args[@]}" --children --sort symbol -g none
	echo
}

# The backend peeks the slot $repeat times; perf follows that backend.
profile_perf_peek()
{
	local id=$1
	local data=$out/perf-$id.data pid="" psql_pid perf_pid k
	local cmds=(-c "SELECT pg_sleep(1)")
	for ((k = 0; k < repeat; k++)); do
		cmds+=(-c "$(peek_sql "$id")")
	done
	note "profiling ${c_label[$id]} with perf: $repeat peeks"
	# The session waits a moment so that perf is attached before the peeks.
	as_postgres "$bindir/psql" -X -q -At -F ' ' "${conn[@]}" \
		-d "dbname=bench application_name=profile_$id" \
		"${cmds[@]}" </dev/null >"$out/peek-$id.txt" &
	psql_pid=$!
	while [ -z "$pid" ]; do
		pid=$(sql_value "SELECT pid FROM pg_stat_activity WHERE application_name = 'profile_$id'")
	done
	perf record -q -g -F 1999 -p "$pid" -o "$data" >/dev/null 2>"$out/perf-$id.err" &
	perf_pid=$!
	wait "$psql_pid"
	sleep 0.2
	kill -INT "$perf_pid" 2>/dev/null || true
	wait "$perf_pid" || true
	echo "==== ${c_label[$id]}: $repeat peeks of workload ($workload); ms, records, bytes of each:"
	sed '/^$/d' "$out/peek-$id.txt"
	echo
	report_perf "$id" "$data"
}

# pg_recvlogical streams a copy of the slot to /dev/null, $repeat times;
# perf records the whole machine and the report keeps the walsenders.
profile_perf_walsender()
{
	local id=$1
	local data=$out/perf-$id.data perf_pid k args pid pids="" recv_pid t0 t1
	mapfile -t args < <(opts_recvlogical "$id")
	note "profiling ${c_label[$id]} with perf: $repeat walsender runs"
	perf record -q -a -g -F 1999 -o "$data" >/dev/null 2>"$out/perf-$id.err" &
	perf_pid=$!
	sleep 1
	echo "==== ${c_label[$id]}: $repeat pg_recvlogical runs of workload ($workload) to /dev/null; seconds of each:"
	for ((k = 0; k < repeat; k++)); do
		psql_ -d bench -c "SELECT pg_copy_logical_replication_slot('bench_$id', 'prof_$id')" >/dev/null
		t0=$(date +%s.%N)
		as_postgres "$bindir/pg_recvlogical" "${conn[@]}" \
			-d "dbname=bench application_name=profile_$id" \
			--slot="prof_$id" --start --endpos="$endpos" --no-loop -F 0 \
			-f /dev/null "${args[@]}" </dev/null &
		recv_pid=$!
		pid=""
		while [ -z "$pid" ] && kill -0 "$recv_pid" 2>/dev/null; do
			pid=$(sql_value "SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'prof_$id' AND active_pid IS NOT NULL")
		done
		wait "$recv_pid"
		t1=$(date +%s.%N)
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
		[ -z "$pid" ] || pids+="${pids:+,}$pid"
		psql_ -d bench -c "SELECT pg_drop_replication_slot('prof_$id')" >/dev/null
	done
	kill -INT "$perf_pid" 2>/dev/null || true
	wait "$perf_pid" || true
	echo
	[ -n "$pids" ] || die "no walsender seen"
	report_perf "$id" "$data" --pid="$pids"
}

profile_callgrind()
{
	local id=$1
	local file=$out/callgrind.out.$id
	note "profiling ${c_label[$id]} with callgrind (single-user backend)"
	echo "$(peek_sql "$id");" >"$out/peek-$id.sql"
	as_postgres valgrind --tool=callgrind --callgrind-out-file="$file" \
		--trace-children=no "$bindir/postgres" --single -D "$datadir" \
		-c "dynamic_library_path=$libdir:\$libdir" -j bench \
		<"$out/peek-$id.sql" >"$out/peek-$id.txt" 2>"$out/callgrind-$id.err" ||
		{ cat "$out/callgrind-$id.err" >&2; die "callgrind run failed"; }
	echo "==== ${c_label[$id]}: peek of workload ($workload) under callgrind"
	grep -E '= "' "$out/peek-$id.txt" || true
	echo
	callgrind_annotate "$file" >"$out/self-$id.txt" 2>/dev/null || true
	callgrind_annotate --inclusive=yes "$file" >"$out/inclusive-$id.txt" 2>/dev/null || true
	echo "---- ${c_label[$id]}: instructions by function, self (top $top)"
	grep -E '^ *[0-9,]+ \(' "$out/self-$id.txt" | head -n "$((top + 1))" || true
	echo
	echo "---- ${c_label[$id]}: functions of decoder_raw.so, including callees"
	grep -E '^ *[0-9,]+ \(.*decoder_raw\.so' "$out/inclusive-$id.txt" | head -n "$top" || true
	echo
}

if [ "$tool" = perf ]; then
	for id in "${ids[@]}"; do
		"profile_perf_$via" "$id"
	done
else
	as_postgres "$bindir/pg_ctl" stop -w -D "$datadir" -m fast >/dev/null </dev/null
	for id in "${ids[@]}"; do
		profile_callgrind "$id"
	done
fi | tee "$out/report.txt"

if [ -n "$keep" ]; then
	mkdir -p "$keep"
	cp -r "$out"/. "$keep/"
	note "profiles kept in $keep"
fi
