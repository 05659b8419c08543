#!/usr/bin/env bash
#
# run.sh
#	Benchmark decoder_raw against the other output plugins on a throwaway
#	cluster, in one run, and write the table to bench/results.md.
#
# For each workload, one slot per contender is created, the workload runs,
# and every slot is peeked from its start in interleaved rounds (the order
# rotates each round, so that drift of the machine hits all alike); then a
# copy of each slot is streamed to /dev/null by pg_recvlogical.  Last, the
# walsender's memory is sampled while it streams one large transaction.
#
# This is a benchmark, not a test: it asserts nothing about time.
#
# Usage: bench/run.sh [--no-deps] [--output FILE]   (as root)
#
# Environment (defaults in brackets):
#	BENCH_SCALE				row counts are multiplied by this [1]
#	BENCH_ROUNDS			measured peek rounds per workload [5]
#	BENCH_WARMUP			unmeasured peek rounds first [1]
#	BENCH_RECV_ROUNDS		pg_recvlogical runs per slot and workload [3]
#	BENCH_WORKLOADS			comma-separated, of a, b, c, d [a,b,c,d]
#	BENCH_CONTENDERS		comma-separated ids, or all [all]; pgoutput and
#							the floor always run, the ratios need them
#	BENCH_MEM_ROWS			rows of the memory test's transaction, 0 to
#							skip it [5000000 * BENCH_SCALE]
#	BENCH_MEM_CONTENDERS	contenders of the memory test, or all
#							[dr_sql,dr_sql_pack,dr_bin,dr_bin_pack,
#							test_decoding,pgoutput,floor]
#	BENCH_DECODING_WORK_MEM	logical_decoding_work_mem [64MB]
#	BENCH_MESSAGE_SIZE		message-size of the packed contenders [64kB]
#	BENCH_PLUGIN			tree: build decoder_raw from this tree;
#							installed: use the installed one [tree]
#	BENCH_NICE				niceness of the cluster and its clients, e.g.
#							-5 on a machine shared with other work [unset]
#	BENCH_NOTE				a line added to the report
#
# Contender ids: dr_sql dr_sql_pack dr_bin dr_bin_pack dr_binvals
# test_decoding wal2json
# decoderbufs pgoutput pgoutput_bin floor.

set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root "$@"

install=1
output=$bench_dir/results.md
while [ $# -gt 0 ]; do
	case $1 in
		--no-deps) install=0 ;;
		--output)
			output=$2
			shift
			;;
		-h | --help)
			sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
			exit 0
			;;
		*)
			echo "usage: $0 [--no-deps] [--output FILE]" >&2
			exit 2
			;;
	esac
	shift
done
case $output in /*) ;; *) output=$PWD/$output ;; esac

BENCH_ROUNDS=${BENCH_ROUNDS:-5}
BENCH_WARMUP=${BENCH_WARMUP:-1}
BENCH_RECV_ROUNDS=${BENCH_RECV_ROUNDS:-3}
BENCH_WORKLOADS=${BENCH_WORKLOADS:-a,b,c,d}
BENCH_MEM_ROWS=${BENCH_MEM_ROWS:-$(scaled 5000000)}
BENCH_MEM_CONTENDERS=${BENCH_MEM_CONTENDERS:-dr_sql,dr_sql_pack,dr_bin,dr_bin_pack,test_decoding,pgoutput,floor}

[ $install -eq 0 ] || install_deps
make_tmpdir
results=$tmpdir/results
mkdir "$results"
build_plugins
start_cluster
psql_script -f - <"$bench_dir/sql/setup.sql" >/dev/null
probe_contenders

mapfile -t ids < <(available_contenders)
for id in "${contender_ids[@]}"; do
	printf '%s\t%s\t%s\n' "$id" "${c_label[$id]}" "${c_status[$id]}"
done >"$results/contenders.tsv"
touch "$results/peeks.tsv" "$results/recv.tsv" "$results/errors.tsv" \
	"$results/workloads.tsv" "$results/memory.tsv"

# ----------
# What the report says about the run
# ----------
plugin_versions=""
for p in postgresql-15-wal2json postgresql-15-decoderbufs; do
	v=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || true)
	[ -z "$v" ] || plugin_versions+="${plugin_versions:+, }${p#postgresql-15-} $v"
done
if [ "$BENCH_PLUGIN" = tree ]; then
	dr_version="working tree at $(git -C "$srcdir" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	git -C "$srcdir" diff --quiet HEAD -- . ':!bench' 2>/dev/null || dr_version+=" with local changes"
else
	dr_version="installed $(pg_config --pkglibdir)/decoder_raw.so"
fi
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
{
	printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf 'machine\t%s\n' "$(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
	printf 'postgresql\t%s\n' "$(sql_value 'SELECT version()' | cut -d, -f1)"
	printf 'decoder_raw\t%s\n' "$dr_version"
	printf 'plugins\t%s\n' "${plugin_versions:-none installed}"
	printf 'scale\t%s\n' "BENCH_SCALE=$BENCH_SCALE"
	printf 'rounds\t%s\n' "$BENCH_WARMUP warm-up + $BENCH_ROUNDS measured peek rounds, $BENCH_RECV_ROUNDS pg_recvlogical run(s) per slot"
	printf 'settings\t%s\n' "message-size $BENCH_MESSAGE_SIZE for the packed contenders, logical_decoding_work_mem = $BENCH_DECODING_WORK_MEM, shared_buffers = 512MB, fsync off, work_mem = 2GB in the peeks${BENCH_NICE:+, cluster and clients at niceness $BENCH_NICE}"
	printf 'work_mem\t%s\n' "$BENCH_DECODING_WORK_MEM"
	[ -z "${BENCH_NOTE:-}" ] || printf 'note\t%s\n' "$BENCH_NOTE"
} >"$results/meta.tsv"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# Contenders that failed on the current workload, with the reason.
declare -A failed

peek()
{
	local w=$1 id=$2 round=$3 out err
	[ -z "${failed[$id]:-}" ] || return 0
	if out=$(psql_ -At -F $'\t' -d bench \
		-c "SELECT * FROM bench_peek('bench_$id', $(opts_array "$id"))" 2>"$tmpdir/peek.err"); then
		[ "$round" -le 0 ] || printf '%s\t%s\t%s\t%s\n' "$w" "$id" "$round" "$out" >>"$results/peeks.tsv"
	else
		err=$(sed -n 's/^.*ERROR: *//p' "$tmpdir/peek.err" | head -n 1)
		failed[$id]=${err:-peek failed}
		printf '%s\t%s\t%s\n' "$w" "$id" "${failed[$id]}" >>"$results/errors.tsv"
		note "${c_label[$id]} fails on workload $w: ${failed[$id]}"
	fi
}

# Follow the walsender $1 until it exits, sampling /proc every 50 ms; print
# its CPU time in s, peak RssAnon, last VmHWM and first RssAnon in kB.
# RssAnon is the private memory (palloc'd or malloc'd), VmHWM also counts
# the shared buffers the process touched.
sample_walsender()
{
	local pid=$1 key value _ peak=0 hwm=0 first="" stat ticks=0 f
	while [ -r "/proc/$pid/status" ]; do
		while read -r key value _; do
			case $key in
				RssAnon:)
					[ -n "$first" ] || first=$value
					[ "$value" -le "$peak" ] || peak=$value
					;;
				VmHWM:) hwm=$value ;;
			esac
		done <"/proc/$pid/status" 2>/dev/null || true
		if read -r stat <"/proc/$pid/stat" 2>/dev/null; then
			read -ra f <<<"${stat##*) }"
			# utime and stime, fields 14 and 15, in ticks of 10 ms
			ticks=$((f[11] + f[12]))
		fi
		sleep 0.05
	done
	printf '%s\t%s\t%s\t%s\n' "$(awk -v t="$ticks" 'BEGIN { printf "%.2f", t / 100 }')" \
		"$peak" "$hwm" "${first:-0}"
}

# Stream slot $2 with the options of contender $1 to /dev/null with
# pg_recvlogical, up to $3; print the seconds it took and what
# sample_walsender() says of the walsender (empty if it was not seen).
stream_slot()
{
	local id=$1 slot=$2 endpos=$3 t0 t1 args recv_pid pid="" sampled="" rc=0
	mapfile -t args < <(opts_recvlogical "$id")
	t0=$(now)
	as_postgres timeout 3600 "$bindir/pg_recvlogical" "${conn[@]}" \
		-d "dbname=bench application_name=bench_$slot" \
		--slot="$slot" --start --endpos="$endpos" --no-loop -F 0 \
		-f /dev/null "${args[@]}" </dev/null 2>"$tmpdir/recv.err" &
	recv_pid=$!
	while [ -z "$pid" ] && kill -0 "$recv_pid" 2>/dev/null; do
		pid=$(sql_value "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '$slot' AND active_pid IS NOT NULL")
	done
	[ -z "$pid" ] || sampled=$(sample_walsender "$pid")
	wait "$recv_pid" || rc=$?
	t1=$(now)
	if [ $rc -ne 0 ]; then
		note "pg_recvlogical fails for ${c_label[$id]}: $(head -n 1 "$tmpdir/recv.err")"
		return 1
	fi
	[ -n "$sampled" ] || sampled=$'\t\t\t'
	printf '%s\t%s\n' "$(elapsed "$t0" "$t1")" "$sampled"
}

# Stream a copy of the slot to /dev/null, timed.
recvlogical()
{
	local w=$1 id=$2 round=$3 endpos=$4 res
	[ -z "${failed[$id]:-}" ] || return 0
	psql_ -d bench -c "SELECT pg_copy_logical_replication_slot('bench_$id', 'rl_$id')" >/dev/null
	if res=$(stream_slot "$id" "rl_$id" "$endpos"); then
		printf '%s\t%s\t%s\t%s\n' "$w" "$id" "$round" "$res" >>"$results/recv.tsv"
	fi
	psql_ -d bench -c "SELECT pg_drop_replication_slot('rl_$id')" >/dev/null
}

# Rotate the contender list by $1.
rotated()
{
	local n=${#ids[@]} k
	for ((k = 0; k < n; k++)); do
		echo "${ids[$(((k + $1) % n))]}"
	done
}

IFS=, read -ra workloads <<<"$BENCH_WORKLOADS"
for w in "${workloads[@]}"; do
	[ -n "${w_label[$w]:-}" ] || die "unknown workload \"$w\""
	failed=()
	note "workload ${w_label[$w]}: preparing"
	workload_prepare "$w"
	create_slots bench "${ids[@]}"
	start_lsn=$(sql_value 'SELECT pg_current_wal_lsn()')
	t0=$(now)
	workload_run "$w"
	t1=$(now)
	end_lsn=$(sql_value 'SELECT pg_current_wal_lsn()')
	wal=$(sql_value "SELECT pg_wal_lsn_diff('$end_lsn', '$start_lsn')")
	desc=$(workload_desc "$w")
	printf '%s\t%s\t%s\t%s\t%s\n' "$w" "${w_label[$w]}" "$desc" "$wal" \
		"$(elapsed "$t0" "$t1")" >>"$results/workloads.tsv"
	note "workload $w: $wal bytes of WAL in $(elapsed "$t0" "$t1") s"

	for ((r = 1 - BENCH_WARMUP; r <= BENCH_ROUNDS; r++)); do
		note "workload $w: peek round $r of $BENCH_ROUNDS"
		while read -r id; do
			peek "$w" "$id" "$r"
		done < <(rotated $((r + BENCH_WARMUP)))
	done
	for ((r = 1; r <= BENCH_RECV_ROUNDS; r++)); do
		note "workload $w: pg_recvlogical round $r of $BENCH_RECV_ROUNDS"
		while read -r id; do
			recvlogical "$w" "$id" "$r" "$end_lsn"
		done < <(rotated "$r")
	done
	drop_slots bench
	psql_ -d bench -c "DROP TABLE bench_$w; CHECKPOINT" >/dev/null
done

# ----------
# Walsender memory: a tenth of the transaction, then all of it; a plugin
# that keeps something per change shows a peak that grows with the rows.
# ----------
memory_run()
{
	local rows=$1 id endpos res
	local -a mem_ids=()
	for id in "${ids[@]}"; do
		[[ ",$BENCH_MEM_CONTENDERS," == *",$id,"* || $BENCH_MEM_CONTENDERS == all ]] &&
			mem_ids+=("$id")
	done
	[ ${#mem_ids[@]} -gt 0 ] || return 0
	psql_script -v n_ins="$rows" -f - <"$bench_dir/sql/workload_mem_prepare.sql" >/dev/null
	create_slots mem "${mem_ids[@]}"
	note "memory: one transaction of $rows rows"
	psql_script -v n_ins="$rows" -f - <"$bench_dir/sql/workload_mem.sql" >/dev/null
	endpos=$(sql_value 'SELECT pg_current_wal_lsn()')
	for id in "${mem_ids[@]}"; do
		if res=$(stream_slot "$id" "mem_$id" "$endpos"); then
			printf '%s\t%s\t%s\n' "$rows" "$id" "$res" >>"$results/memory.tsv"
			note "memory: ${c_label[$id]}: s, CPU s, peak RssAnon kB, VmHWM kB, first RssAnon kB: $(echo "$res" | tr '\t' ' ')"
		fi
	done
	drop_slots mem
	psql_ -d bench -c "DROP TABLE bench_m; CHECKPOINT" >/dev/null
}

if [ "$BENCH_MEM_ROWS" -gt 0 ]; then
	memory_run $((BENCH_MEM_ROWS / 10 > 0 ? BENCH_MEM_ROWS / 10 : 1))
	memory_run "$BENCH_MEM_ROWS"
fi

printf 'load\t%s\n' "load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (1, 5, 15 min)" >>"$results/meta.tsv"
perl "$bench_dir/report.pl" "$results" >"$tmpdir/report.md"
cat "$tmpdir/report.md"
cp "$tmpdir/report.md" "$output"
if [ -n "${BENCH_KEEP_RESULTS:-}" ]; then
	mkdir -p "$BENCH_KEEP_RESULTS"
	cp "$results"/*.tsv "$BENCH_KEEP_RESULTS/"
fi
note "report written to $output"
