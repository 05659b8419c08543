/*-------------------------------------------------------------------------
 *
 * decoder_raw_dump.c
 *		Print a decoder_raw binary stream as SQL, or record by record.
 *
 * By default, each record is printed as the line that decoder_raw's SQL
 * format writes for the same change with the same options, so that
 *
 *		pg_recvlogical ... -o format=binary -f - | decoder_raw_dump
 *
 * prints what "-o format=sql" would have.  --records prints every field of
 * every record instead, for inspection.  The input is raw records (the
 * messages of pg_logical_slot_get_binary_changes(), one or more records
 * each, one after another, or a pg_recvlogical -f file with its newlines),
 * or with --hex lines of hexadecimal, as psql prints bytea, one message per
 * line.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "record_sql.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *progname = "decoder_raw_dump";
static const char *input_name = "standard input";

#define DUMP_PRINTF(f, a) DRS_PRINTF(f, a)
#define DUMP_NORETURN DRS_NORETURN

static void die(const char *fmt,...) DUMP_PRINTF(1, 2) DUMP_NORETURN;
static void bad_input(const char *fmt,...) DUMP_PRINTF(1, 2) DUMP_NORETURN;

/* Where output goes, and where bad_input() returns to. */
static FILE *out_fp;
static jmp_buf bad_input_jmp;
static char bad_input_msg[1024];

static void
die(const char *fmt,...)
{
	va_list		ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* The input is malformed: stop reading it, say why and where. */
static void
bad_input(const char *fmt,...)
{
	va_list		ap;
	int			n;

	n = snprintf(bad_input_msg, sizeof(bad_input_msg), "%s: ", input_name);
	if (n < 0 || (size_t) n >= sizeof(bad_input_msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(bad_input_msg + n, sizeof(bad_input_msg) - n, fmt, ap);
	va_end(ap);
	longjmp(bad_input_jmp, 1);
}

static void
emit(strbuf *sb)
{
	sb_putc(sb, '\n');
	if (fwrite(sb->data, 1, sb->len, out_fp) != sb->len)
		die("could not write to standard output: %s", strerror(errno));
	sb->len = 0;
}

/* The hooks of record_sql.c: its failures are this program's. */
static void DUMP_NORETURN
sql_fail(void *arg, drs_failure kind, const char *msg)
{
	(void) arg;
	if (kind == DRS_BAD_INPUT)
		bad_input("%s", msg);
	die("%s", msg);
}

static void
sql_emit(void *arg, strbuf *sb)
{
	(void) arg;
	emit(sb);
}


static void
sb_skipped_qualname(strbuf *sb, const drr_record *rec)
{
	sb_ident(sb, (const char *) rec->schema.data, rec->schema.len,
			 (rec->flags & DRR_SKIP_SCHEMA_QUOTED) != 0);
	sb_putc(sb, '.');
	sb_ident(sb, (const char *) rec->name.data, rec->name.len,
			 (rec->flags & DRR_SKIP_NAME_QUOTED) != 0);
}


/* ----------
 * Record output: every field, one line per record (and per column)
 * ----------
 */

static void
rec_tuple(strbuf *sb, const drr_relation *rel, const drr_tuple *tuple)
{
	int			first = 1;
	uint32_t	i;

	for (i = 0; i < rel->ncols; i++)
	{
		const drr_value *val = &tuple->values[i];

		if (val->kind == DRR_VALUE_ABSENT)
			continue;
		sb_puts(sb, first ? " " : ", ");
		first = 0;
		sb_colname(sb, &rel->cols[i]);
		sb_putc(sb, ' ');
		if (val->kind == DRR_VALUE_NULL)
			sb_puts(sb, "NULL");
		else if (val->kind == DRR_VALUE_UNCHANGED)
			sb_puts(sb, "(unchanged toast)");
		else if (rel->cols[i].flags & DRR_COL_BINARY)
			sb_hex(sb, val->data.data, val->data.len);
		else
			sb_literal(sb, val->data.data, val->data.len);
	}
}

static void
rec_flag(strbuf *sb, int *first, const char *name)
{
	sb_puts(sb, *first ? " [" : ", ");
	sb_puts(sb, name);
	*first = 0;
}

static void
rec_xact(strbuf *sb, const drr_record *rec)
{
	if (rec->flags & DRR_XACT_XID)
		sb_printf(sb, " xid %" PRIu32, rec->xid);
	if (rec->flags & DRR_XACT_LSN)
	{
		sb_puts(sb, " lsn ");
		sb_lsn(sb, rec->lsn);
	}
	if (rec->flags & DRR_XACT_TIME)
	{
		sb_puts(sb, " time ");
		sb_timestamp(sb, rec->time, rec->offset);
	}
	if (rec->flags & DRR_XACT_ORIGIN)
	{
		sb_printf(sb, " origin %" PRIu32, rec->origin_id);
		if (rec->flags & DRR_XACT_ORIGIN_NAME)
		{
			sb_putc(sb, ' ');
			sb_literal(sb, rec->origin_name.data, rec->origin_name.len);
		}
		sb_puts(sb, " origin_lsn ");
		sb_lsn(sb, rec->origin_lsn);
	}
}

static void
rec_relation(strbuf *sb, const drr_record *rec)
{
	const drr_relation *rel = rec->rel;
	int			first = 1;
	uint32_t	i;

	sb_printf(sb, " %" PRIu64 " oid %" PRIu32 " ", rel->id, rel->oid);
	sb_qualname(sb, rel);
	sb_printf(sb, " relkind %c replica_identity %c columns %" PRIu32,
			  rel->relkind >= 0x20 && rel->relkind < 0x7f ? rel->relkind : '?',
			  rel->replident, rel->ncols);
	if (rel->flags & DRR_REL_ONLY)
		rec_flag(sb, &first, "inheritance children");
	if (!first)
		sb_putc(sb, ']');

	for (i = 0; i < rel->ncols; i++)
	{
		const drr_column *col = &rel->cols[i];

		emit(sb);
		sb_printf(sb, "@%" PRIu64 "   column %" PRIu32 " ", rec->offset, i + 1);
		sb_colname(sb, col);
		sb_printf(sb, " type %" PRIu32 " typmod %" PRId32 " ",
				  col->type_oid, col->typmod);
		sb_literal(sb, (const unsigned char *) col->type_name,
				   col->type_name_len);
		first = 1;
		if (col->flags & DRR_COL_KEY)
			rec_flag(sb, &first, "key");
		if (col->flags & DRR_COL_GENERATED)
			rec_flag(sb, &first, "generated");
		if (col->flags & DRR_COL_IDENTITY_ALWAYS)
			rec_flag(sb, &first, "identity always");
		if (col->flags & DRR_COL_NO_EQUALITY)
			rec_flag(sb, &first, "no equality");
		if (col->flags & DRR_COL_BINARY)
			rec_flag(sb, &first, "binary");
		if (col->flags & DRR_COL_CAST_EQUALITY)
			rec_flag(sb, &first, "cast equality");
		if (col->flags & DRR_COL_INEXACT_EQUALITY)
			rec_flag(sb, &first, "inexact equality");
		if (col->flags & DRR_COL_RECORD_IMAGE)
			rec_flag(sb, &first, "record image");
		if (col->flags & DRR_COL_TEXT_IMAGE)
			rec_flag(sb, &first, "text image");
		if (col->flags & DRR_COL_EQUAL_TEXT)
			rec_flag(sb, &first, "equal text");
		if (col->flags & DRR_COL_NO_EXACT)
			rec_flag(sb, &first, "no exact comparison");
		if (!first)
			sb_putc(sb, ']');
		if (col->flags & DRR_COL_KEY_COMPARISON)
		{
			sb_puts(sb, " key comparison");
			sb_key_comparison(sb, col);
		}
	}
}

static void
rec_change(strbuf *sb, const drr_record *rec)
{
	sb_puts(sb, rec->kind == DRR_INSERT ? "insert" :
			rec->kind == DRR_UPDATE ? "update" : "delete");
	sb_printf(sb, " %" PRIu64 " ", rec->rel->id);
	sb_qualname(sb, rec->rel);
	if (rec->old_kind != DRR_OLD_NONE)
	{
		sb_puts(sb, rec->old_kind == DRR_OLD_KEY ? " old key:" : " old row:");
		rec_tuple(sb, rec->rel, &rec->old_tuple);
	}
	if (rec->kind != DRR_DELETE)
	{
		sb_puts(sb, rec->kind == DRR_UPDATE ? " new:" : ":");
		rec_tuple(sb, rec->rel, &rec->new_tuple);
	}
}

static void
rec_truncate(strbuf *sb, const drr_record *rec)
{
	int			first = 1;
	uint32_t	i;

	sb_puts(sb, "truncate");
	for (i = 0; i < rec->nrels; i++)
	{
		sb_printf(sb, "%s%" PRIu64 " ", i == 0 ? " " : ", ",
				  rec->rels[i]->id);
		sb_qualname(sb, rec->rels[i]);
	}
	if (rec->flags & DRR_TRUNCATE_CASCADE)
		rec_flag(sb, &first, "cascade");
	if (rec->flags & DRR_TRUNCATE_RESTART)
		rec_flag(sb, &first, "restart identity");
	if (!first)
		sb_putc(sb, ']');
}

static void
rec_message(strbuf *sb, const drr_record *rec)
{
	sb_puts(sb, (rec->flags & DRR_MSG_TRANSACTIONAL) ?
			"message transactional" : "message non-transactional");
	if (rec->flags & DRR_MSG_LSN)
	{
		sb_puts(sb, " lsn ");
		sb_lsn(sb, rec->lsn);
	}
	sb_puts(sb, " prefix ");
	sb_literal(sb, rec->prefix.data, rec->prefix.len);
	if (rec->flags & DRR_MSG_TEXT)
	{
		sb_puts(sb, " text ");
		sb_literal(sb, rec->content.data, rec->content.len);
	}
	else
	{
		sb_puts(sb, " bytes ");
		sb_hex(sb, rec->content.data, rec->content.len);
	}
}

/* Every field of the two-phase records. */
static void
rec_two_phase(strbuf *sb, const drr_record *rec)
{
	sb_puts(sb, rec->kind == DRR_BEGIN_PREPARE ? "begin prepare" :
			rec->kind == DRR_PREPARE ? "prepare" :
			rec->kind == DRR_COMMIT_PREPARED ? "commit prepared" :
			"rollback prepared");
	if (rec->kind == DRR_BEGIN_PREPARE)
		rec_xact(sb, rec);
	else
	{
		/* flags above 0x04 mean other things here than in a begin */
		drr_record	xact = *rec;

		xact.flags &= DRR_XACT_XID | DRR_XACT_LSN | DRR_XACT_TIME;
		rec_xact(sb, &xact);
	}
	sb_puts(sb, " gid ");
	sb_literal(sb, rec->gid.data, rec->gid.len);
	if (rec->kind == DRR_ROLLBACK_PREPARED)
	{
		sb_puts(sb, " prepare_end_lsn ");
		sb_lsn(sb, rec->prepare_end_lsn);
		sb_puts(sb, " prepare_time ");
		sb_timestamp(sb, rec->prepare_time, rec->offset);
	}
	if (rec->flags & DRR_FINISH_PROGRESS && rec->kind != DRR_BEGIN_PREPARE &&
		rec->kind != DRR_PREPARE)
	{
		sb_puts(sb, " progress end_lsn ");
		sb_lsn(sb, rec->end_lsn);
		sb_puts(sb, " time ");
		sb_timestamp(sb, rec->progress_time, rec->offset);
	}
	if (rec->kind == DRR_ROLLBACK_PREPARED &&
		(rec->flags & DRR_FINISH_NOT_SENT))
		sb_puts(sb, " [not prepared]");
}

/* Every field of the stream records. */
static void
rec_stream(strbuf *sb, const drr_record *rec)
{
	switch (rec->kind)
	{
		case DRR_STREAM_START:
			sb_printf(sb, "stream start xid %" PRIu32 "%s", rec->xid,
					  (rec->flags & DRR_STREAM_FIRST) ? " [first]" : "");
			return;
		case DRR_STREAM_XID:
			sb_printf(sb, "stream xid %" PRIu32, rec->xid);
			return;
		case DRR_STREAM_STOP:
			sb_printf(sb, "stream stop xid %" PRIu32, rec->xid);
			return;
		case DRR_STREAM_ABORT:
			sb_printf(sb, "stream abort xid %" PRIu32 " subxid %" PRIu32 " lsn ",
					  rec->xid, rec->subxid);
			sb_lsn(sb, rec->lsn);
			return;
		default:
			break;
	}
	sb_printf(sb, "%s xid %" PRIu32 " lsn ",
			  rec->kind == DRR_STREAM_COMMIT ? "stream commit" : "stream prepare",
			  rec->xid);
	sb_lsn(sb, rec->lsn);
	sb_puts(sb, " end_lsn ");
	sb_lsn(sb, rec->end_lsn);
	sb_puts(sb, " time ");
	sb_timestamp(sb, rec->time, rec->offset);
	if (rec->kind == DRR_STREAM_PREPARE)
	{
		sb_puts(sb, " gid ");
		sb_literal(sb, rec->gid.data, rec->gid.len);
	}
}

static void
print_record(strbuf *sb, const drr_record *rec)
{
	sb_printf(sb, "@%" PRIu64 " ", rec->offset);
	if (rec->streamed)
		sb_printf(sb, "xid %" PRIu32 " ", rec->xid);
	switch (rec->kind)
	{
		case DRR_HEADER:
			sb_printf(sb, "header version %" PRIu32, rec->version);
			break;
		case DRR_BEGIN:
			sb_puts(sb, "begin");
			rec_xact(sb, rec);
			break;
		case DRR_COMMIT:
			sb_puts(sb, "commit");
			rec_xact(sb, rec);
			break;
		case DRR_ORIGIN:
			sb_puts(sb, "origin end_lsn ");
			sb_lsn(sb, rec->end_lsn);
			sb_puts(sb, " time ");
			sb_timestamp(sb, rec->time, rec->offset);
			break;
		case DRR_RELATION:
			sb_puts(sb, "relation");
			rec_relation(sb, rec);
			break;
		case DRR_INSERT:
		case DRR_UPDATE:
		case DRR_DELETE:
			rec_change(sb, rec);
			break;
		case DRR_TRUNCATE:
			rec_truncate(sb, rec);
			break;
		case DRR_MESSAGE:
			rec_message(sb, rec);
			break;
		case DRR_SKIPPED:
			sb_puts(sb, "skipped ");
			sb_skipped_qualname(sb, rec);
			sb_printf(sb, " updates %" PRIu64 " deletes %" PRIu64,
					  rec->updates, rec->deletes);
			break;
		case DRR_BEGIN_PREPARE:
		case DRR_PREPARE:
		case DRR_COMMIT_PREPARED:
		case DRR_ROLLBACK_PREPARED:
			rec_two_phase(sb, rec);
			break;
		default:
			rec_stream(sb, rec);
			break;
	}
	emit(sb);
}

/* ----------
 * Input
 * ----------
 */

typedef struct input
{
	FILE	   *fp;
	int			hex;			/* lines of hexadecimal */
	unsigned char *buf;			/* bytes not yet consumed: buf[start..len) */
	size_t		start;
	size_t		len;
	size_t		size;
	int			eof;
	uint64_t	line;			/* hex: lines read */
	char	   *linebuf;
	size_t		linesize;
} input;

static void
input_reserve(input *in, size_t more)
{
	if (in->size - in->len < more)
	{
		size_t		size = in->size ? in->size : 65536;
		unsigned char *buf;

		while (size - in->len < more)
		{
			if (size > SIZE_MAX / 2)
				die("out of memory");
			size *= 2;
		}
		buf = realloc(in->buf, size);
		if (buf == NULL)
			die("out of memory");
		in->buf = buf;
		in->size = size;
	}
}

static int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read one line of hexadecimal, as psql prints a bytea: "\x0a1b..." */
static void
read_hex_line(input *in)
{
	size_t		n = 0;
	size_t		i;
	int			c;

	for (;;)
	{
		c = getc(in->fp);
		if (c == EOF || c == '\n')
			break;
		if (n + 1 >= in->linesize)
		{
			size_t		size = in->linesize ? in->linesize * 2 : 4096;
			char	   *l = realloc(in->linebuf, size);

			if (l == NULL)
				die("out of memory");
			in->linebuf = l;
			in->linesize = size;
		}
		in->linebuf[n++] = (char) c;
	}
	if (ferror(in->fp))
		die("could not read %s: %s", input_name, strerror(errno));
	if (c == EOF)
	{
		in->eof = 1;
		if (n == 0)
			return;
	}
	in->line++;

	if (n > 0 && in->linebuf[n - 1] == '\r')
		n--;
	i = 0;
	if (n >= 2 && in->linebuf[0] == '\\' && in->linebuf[1] == 'x')
		i = 2;
	if ((n - i) % 2 != 0)
		bad_input("line %" PRIu64 ": odd number of hexadecimal digits",
				  in->line);
	input_reserve(in, (n - i) / 2);
	for (; i < n; i += 2)
	{
		int			hi = hex_digit((unsigned char) in->linebuf[i]);
		int			lo = hex_digit((unsigned char) in->linebuf[i + 1]);

		if (hi < 0 || lo < 0)
			bad_input("line %" PRIu64 ": invalid hexadecimal digit at column %zu",
					  in->line, hi < 0 ? i + 1 : i + 2);
		in->buf[in->len++] = (unsigned char) (hi << 4 | lo);
	}
}

/* Read more input, appending to the unconsumed bytes. */
static void
read_more(input *in)
{
	size_t		n;

	if (in->hex)
	{
		read_hex_line(in);
		return;
	}
	input_reserve(in, 65536);
	n = fread(in->buf + in->len, 1, in->size - in->len, in->fp);
	if (n == 0)
	{
		if (ferror(in->fp))
			die("could not read %s: %s", input_name, strerror(errno));
		in->eof = 1;
	}
	in->len += n;
}

/*
 * Print the whole input; returns 0, or 1 after printing to stderr why the
 * input could not be read.  State that the error path frees is static.
 */
static drr_reader *reader;
static strbuf line;

static void
dump_cleanup(void)
{
	drr_reader_destroy(reader);
	reader = NULL;
	drs_reset();
	free(line.data);
	line.data = NULL;
	line.len = line.size = 0;
}

static int
dump_stream(input *in, int records, int quiet)
{
	static const drs_hooks hooks = {sql_fail, sql_emit, NULL, NULL};

	drs_init(&hooks);
	reader = drr_reader_create();
	if (reader == NULL)
		die("out of memory");

	if (setjmp(bad_input_jmp) != 0)
	{
		fflush(out_fp);
		if (!quiet)
			fprintf(stderr, "%s: %s\n", progname, bad_input_msg);
		dump_cleanup();
		return 1;
	}

	for (;;)
	{
		drr_record	rec;
		size_t		used;
		int			rc;

		rc = drr_reader_next(reader, in->buf + in->start,
							 in->len - in->start, in->eof, &rec, &used);
		if (rc == DRR_OK)
		{
			drs_record_offset = rec.offset;
			if (records)
				print_record(&line, &rec);
			else
				drs_record(&line, &rec);
		}
		else if (rc == DRR_ERROR)
			bad_input("%s", drr_reader_error(reader));
		in->start += used;

		if (rc == DRR_END)
			break;
		if (rc == DRR_MORE)
		{
			/* keep only the unconsumed bytes, then read more */
			if (in->start > 0)
			{
				memmove(in->buf, in->buf + in->start, in->len - in->start);
				in->len -= in->start;
				in->start = 0;
			}
			read_more(in);
		}
	}

	dump_cleanup();
	return 0;
}

#ifndef DECODER_RAW_DUMP_NO_MAIN

static void
usage(FILE *fp)
{
	fprintf(fp,
			"%s prints a decoder_raw binary stream as SQL, or record by record.\n"
			"\n"
			"Usage:\n"
			"  %s [OPTION]... [FILE]\n"
			"\n"
			"Reads FILE, or standard input when FILE is missing or \"-\": the messages\n"
			"of pg_logical_slot_get_binary_changes() (one or more records each), one\n"
			"after another, or a pg_recvlogical -f file.\n"
			"\n"
			"Options:\n"
			"  -r, --records   print every record's fields instead of SQL\n"
			"  -x, --hex       input is lines of hexadecimal (\"\\x...\"), as psql prints bytea\n"
			"  -h, --help      show this help and exit\n"
			"\n"
			"Without --records, each record is printed as the line that decoder_raw's\n"
			"SQL format writes for the same change with the same options.\n",
			progname, progname);
}

int
main(int argc, char **argv)
{
	const char *path = NULL;
	int			records = 0;
	int			i;
	input		in = {0};
	int			result;

	in.hex = 0;
	for (i = 1; i < argc; i++)
	{
		const char *a = argv[i];

		if (strcmp(a, "-r") == 0 || strcmp(a, "--records") == 0)
			records = 1;
		else if (strcmp(a, "-x") == 0 || strcmp(a, "--hex") == 0)
			in.hex = 1;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
		{
			usage(stdout);
			return 0;
		}
		else if (a[0] == '-' && a[1] != '\0')
		{
			fprintf(stderr, "%s: unknown option \"%s\"\n", progname, a);
			fprintf(stderr, "Try \"%s --help\" for more information.\n", progname);
			return 2;
		}
		else if (path != NULL)
		{
			fprintf(stderr, "%s: too many arguments\n", progname);
			fprintf(stderr, "Try \"%s --help\" for more information.\n", progname);
			return 2;
		}
		else
			path = a;
	}

	if (path == NULL || strcmp(path, "-") == 0)
		in.fp = stdin;
	else
	{
		in.fp = fopen(path, "rb");
		if (in.fp == NULL)
			die("could not open \"%s\": %s", path, strerror(errno));
		input_name = path;
	}

	out_fp = stdout;
	input_reserve(&in, 65536);
	result = dump_stream(&in, records, 0);

	if (in.fp != stdin)
		fclose(in.fp);
	free(in.buf);
	free(in.linebuf);
	if (fflush(stdout) != 0 || ferror(stdout))
		die("could not write to standard output: %s", strerror(errno));
	return result;
}
#endif							/* DECODER_RAW_DUMP_NO_MAIN */
