#!/usr/bin/env bash
#
# regress-count.sh
#	Count the passed and failed tests in pg_regress's output; prints
#	"PASSED FAILED".
#
# Up to 15, pg_regress prints "test name ... ok 12 ms" (a parallel group's
# members indented instead of "test"), "... FAILED" or "... failed
# (ignored)".  From 16 on it prints TAP: "ok 1 - name 12 ms", "not ok 2 -
# name", with "+" instead of "-" for a member of a parallel group.  Both
# styles are counted.
#
# Usage: scripts/regress-count.sh LOG

set -euo pipefail

awk '
	/^(test +| +)?[A-Za-z0-9_.-]+ +\.\.\. +ok/ { ok++; next }
	/^(test +| +)?[A-Za-z0-9_.-]+ +\.\.\. +(FAILED|failed)/ { bad++; next }
	/^ok +[0-9]+ +[-+] +[A-Za-z0-9_.-]+/ { ok++; next }
	/^not ok +[0-9]+ +[-+] +[A-Za-z0-9_.-]+/ { bad++; next }
	END { printf "%d %d\n", ok, bad }
' "$1"
