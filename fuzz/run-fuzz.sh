#!/usr/bin/env bash
#
# run-fuzz.sh
#	Fuzz decoder_raw_dump and its reader library with libFuzzer, under
#	AddressSanitizer and UndefinedBehaviorSanitizer, for a bounded time.
#
# Usage: fuzz/run-fuzz.sh [SECONDS]	(default 60, or $FUZZ_SECONDS)
#	FUZZ_JOBS=N	run N fuzzing processes in parallel (default 1)
#	FUZZ_MERGE=1	afterwards, add the inputs that found new coverage to
#			fuzz/corpus (minimized, named by their SHA-1), so that the
#			normal test suite runs them too
#
# Starts from the inputs in fuzz/corpus.  Needs clang (Debian: clang).
# Exits non-zero if the fuzzer found a crash, a leak, undefined behaviour
# or a disagreement between the ways of reading (see fuzz_dump.c); the
# input that triggers it is kept and its path printed.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
seconds=${1:-${FUZZ_SECONDS:-60}}
jobs=${FUZZ_JOBS:-1}
cc=${CLANG:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "run-fuzz.sh: $cc not found (apt-get install clang)" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/decoder_raw-fuzz.XXXXXX")
echo "run-fuzz.sh: working in $work"

"$cc" -std=c99 -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra \
	-o "$work/fuzz_dump" "$here/fuzz_dump.c" "$here/../reader/decoder_raw_reader.c" "$here/../reader/record_sql.c" \
	"$here/../common/quote.c" "$here/../common/text.c" "$here/../common/sql_rules.c"

# The fuzzer writes new inputs into its corpus directory: work on a copy.
mkdir "$work/corpus" "$work/artifacts"
find "$here/corpus" -name '*.bin' -exec cp {} "$work/corpus/" \;

status=0
(
	cd "$work"
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	parallel=()
	if [ "$jobs" -gt 1 ]; then
		parallel=(-jobs="$jobs" -workers="$jobs")
	fi
	./fuzz_dump -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 "${parallel[@]}" \
		-artifact_prefix="$work/artifacts/" -print_final_stats=1 \
		"$work/corpus"
) || status=$?

if [ -n "$(ls -A "$work/artifacts")" ]; then
	echo "run-fuzz.sh: the fuzzer found failing inputs:" >&2
	ls -l "$work/artifacts" >&2
	exit 1
fi
if [ "$status" -ne 0 ]; then
	echo "run-fuzz.sh: the fuzzer exited with status $status; see $work" >&2
	exit "$status"
fi

if [ "${FUZZ_MERGE:-0}" = 1 ]; then
	# Merging into a copy of fuzz/corpus adds only inputs that reach code
	# no input there reaches (edges, not hit counts: a few files, not
	# hundreds); libFuzzer names them by their SHA-1.
	mkdir "$work/merged"
	find "$here/corpus" -name '*.bin' -exec cp {} "$work/merged/" \;
	(cd "$work" && ./fuzz_dump -merge=1 -use_counters=0 -max_len=65536 \
		"$work/merged" "$work/corpus" >/dev/null 2>&1)
	added=0
	for f in "$work/merged"/*; do
		case "$f" in *.bin) continue ;; esac
		cp "$f" "$here/corpus/fuzz-$(basename "$f").bin"
		added=$((added + 1))
	done
	echo "run-fuzz.sh: added $added inputs to fuzz/corpus"
fi

echo "run-fuzz.sh: no failure in ${seconds}s"
rm -rf "$work"
