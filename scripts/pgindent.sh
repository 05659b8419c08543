#!/usr/bin/env bash
#
# pgindent.sh
#	Check or apply PostgreSQL's pgindent layout on every .c and .h file of
#	the tree.
#
# PostgreSQL 15's pgindent is pg_bsd_indent 2.1.1 (Debian's pg-bsd-indent)
# run with PostgreSQL's flags and a list of typedefs, between a few
# rewrites of the source that pg_bsd_indent would get wrong.  This script
# does the same: the typedefs are those of the installed server headers
# (for the plugin's code only) and libpq's, the few of libc the programs
# use, and the project's own, gathered at each run (PostgreSQL's own list
# is made from built objects).
#
# Usage: scripts/pgindent.sh [--check | --write | --typedefs] [FILE...]
#	--check		print what would change as a diff; exit 1 if anything
#			would (the default)
#	--write		reformat the files in place
#	--typedefs	print the server code's typedefs list and exit
# Without FILE, every .c and .h of the tree: decoder_raw.c, src/,
# common/, reader/, apply/, fuzz/ and bench/.  PG_CONFIG chooses the server
# headers (default: pg_config on PATH), PG_BSD_INDENT the program.

set -euo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
indent=${PG_BSD_INDENT:-pg_bsd_indent}
pg_config=${PG_CONFIG:-pg_config}

# PostgreSQL's standard flags (src/tools/pgindent/pgindent).
indent_flags=(-bad -bap -bbb -bc -bl -cli1 -cp33 -cdb -nce -d0 -di12 -nfc1
	-i4 -l79 -lp -lpl -nip -npro -sac -tpg -ts4)

mode=check
case "${1:-}" in
	--check) shift ;;
	--write) mode=write; shift ;;
	--typedefs) mode=typedefs; shift ;;
	-h|--help)
		sed -n '3,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
		exit 0
		;;
	-*)
		echo "pgindent.sh: unknown option: $1" >&2
		exit 2
		;;
esac

# The names that typedef declarations in these files define.
typedefs_of()
{
	perl -0777 -ne '
		s{/\*.*?\*/}{ }gs;				# comments
		s{^[ \t]*#.*(?:\\\n.*)*$}{}gm;	# preprocessor lines
		while (/\btypedef\b((?:[^;{}]|(\{(?:[^{}]|(?2))*\}))*);/g)
		{
			my $decl = $1;
			$decl =~ s/\{(?:[^{}]|(?R))*\}/ /gs;
			$decl =~ s/\[[^\]]*\]//g;
			if ($decl =~ /\(\s*\*+\s*(\w+)\s*\)/ || $decl =~ /(\w+)\s*\(/)
			{
				print "$1\n";		# function or pointer to one
				next;
			}
			# the last word of each declarator
			print "$1\n" while $decl =~ /(\w+)\s*(?:,|$)/g;
		}' "$@"
}

# The typedefs list of the server's code (server headers) or of the client
# programs' (libpq and libc only: there "text" is no type).
make_typedefs()
{
	local incdir
	incdir=$("$pg_config" --includedir)
	{
		if [ "$1" = server ]; then
			find "$("$pg_config" --includedir-server)" -name '*.h' -print0 |
				xargs -0 cat | typedefs_of
		fi
		typedefs_of "$incdir"/libpq-fe.h "$incdir"/postgres_ext.h
		printf '%s\n' "${tree_files[@]}" | xargs cat | typedefs_of
		# libc's, which the client programs use; bool, a macro in C99
		printf '%s\n' bool FILE size_t ssize_t off_t pid_t time_t \
			int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t \
			uint64_t intptr_t uintptr_t va_list jmp_buf sigjmp_buf \
			sig_atomic_t socklen_t fd_set
	} | grep -vxE 'ANY|FD_SET|U|abs|allocfunc|boolean|date|digit|ilist|interval|iterator|other|pointer|printfunc|reference|string|timestamp|type|wrap' |
		LC_ALL=C sort -u
}

# Which list a file is indented with: the client programs and the code they
# share with the server (common/) are plain C99.
typedefs_for()
{
	case "$1" in
		reader/* | apply/* | fuzz/* | common/*) echo client ;;
		*) echo server ;;
	esac
}

# PostgreSQL's rewrites around pg_bsd_indent.
pre_indent()
{
	perl -0777 -pe '
		s{^([ \t]*)//(.*)$}{$1/* $2 */}gm;		# // comments
		s{/\* +---}{/*---X_X}g;				# dash-protected comments
		s{(^#ifdef[ \t]+__cplusplus.*\nextern[ \t]+"C"[ \t]*\n)\{[ \t]*$}{$1/* Open extern "C" */}gm;
		s{(^#ifdef[ \t]+__cplusplus.*\n)\}[ \t]*$}{$1/* Close extern "C" */}gm;
		s{^(CATALOG\(.*)$}{/*$1*/}gm;'
}

post_indent()
{
	perl -0777 -pe '
		s{^/\*(CATALOG\(.*)\*/$}{$1}gm;
		s{^/\* Open extern "C" \*/$}{\{}gm;
		s{^/\* Close extern "C" \*/$}{\}}gm;
		s{/\*---X_X}{/* ---}g;
		s{\*/(/\*.*\*/)$}{*/\t$1}gm;			# run-together comments
		s{^([A-Za-z_]\S*)[ \t]+\*$}{$1 *}gm;	# "type *" before a function name'
}

# FILE arguments, relative to the top of the tree
args=()
for f in "$@"; do
	args+=("$(realpath -m --relative-to="$srcdir" "$f")")
done
cd "$srcdir"
mapfile -t tree_files < <(
	{
		echo decoder_raw.c
		for dir in src common reader apply fuzz bench; do
			[ -d "$dir" ] && find "$dir" -name '*.[ch]'
		done
	} | LC_ALL=C sort)
if [ ${#args[@]} -gt 0 ]; then
	files=("${args[@]}")
else
	files=("${tree_files[@]}")
fi

if [ "$mode" = typedefs ]; then
	make_typedefs server
	exit 0
fi

if ! command -v "$indent" >/dev/null 2>&1; then
	echo "pgindent.sh: $indent not found (Debian package pg-bsd-indent)" >&2
	exit 2
fi

tmp=$(mktemp -d /tmp/pgindent.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
make_typedefs server >"$tmp/server.list"
make_typedefs client >"$tmp/client.list"

changed=0
for f in "${files[@]}"; do
	pre_indent <"$f" >"$tmp/in.c"
	if ! "$indent" "${indent_flags[@]}" -U"$tmp/$(typedefs_for "$f").list" \
		"$tmp/in.c" "$tmp/out.c" 2>"$tmp/err" || [ -s "$tmp/err" ]; then
		echo "pgindent.sh: pg_bsd_indent failed on $f:" >&2
		cat "$tmp/err" >&2
		exit 2
	fi
	post_indent <"$tmp/out.c" >"$tmp/indented.c"
	if ! cmp -s "$f" "$tmp/indented.c"; then
		changed=$((changed + 1))
		if [ "$mode" = write ]; then
			cat "$tmp/indented.c" >"$f"
			echo "reformatted $f"
		else
			diff -u --label "a/$f" --label "b/$f" "$f" "$tmp/indented.c" || true
		fi
	fi
done

if [ "$mode" = check ] && [ "$changed" -gt 0 ]; then
	echo "pgindent.sh: $changed of ${#files[@]} files are not in pgindent layout (scripts/pgindent.sh --write fixes them)" >&2
	exit 1
fi
exit 0
