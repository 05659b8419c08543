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
#include "decoder_raw_reader.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Type OIDs whose SQL constants are written specially */
#define BOOLOID		16
#define INT8OID		20
#define INT2OID		21
#define INT4OID		23
#define TEXTOID		25
#define CASHOID		790
#define BPCHAROID	1042
#define VARCHAROID	1043
#define NUMERICOID	1700

static const char *progname = "decoder_raw_dump";
static const char *input_name = "standard input";

/* A growable output line */
typedef struct strbuf
{
	char	   *data;
	size_t		len;
	size_t		size;
} strbuf;

#if defined(__GNUC__) || defined(__clang__)
#define DUMP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define DUMP_NORETURN __attribute__((noreturn))
#else
#define DUMP_PRINTF(f, a)
#define DUMP_NORETURN
#endif

static void die(const char *fmt,...) DUMP_PRINTF(1, 2) DUMP_NORETURN;
static void bad_input(const char *fmt,...) DUMP_PRINTF(1, 2) DUMP_NORETURN;
static void sb_printf(struct strbuf *sb, const char *fmt,...) DUMP_PRINTF(2, 3);

/* Where output goes, and where bad_input() returns to. */
static FILE *out_fp;
static jmp_buf bad_input_jmp;
static char bad_input_msg[1024];
static uint64_t record_offset;	/* of the record being printed */

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
sb_reserve(strbuf *sb, size_t more)
{
	if (sb->size - sb->len < more + 1)
	{
		size_t		size = sb->size ? sb->size : 256;
		char	   *data;

		while (size - sb->len < more + 1)
		{
			if (size > SIZE_MAX / 2)
				die("out of memory");
			size *= 2;
		}
		data = realloc(sb->data, size);
		if (data == NULL)
			die("out of memory");
		sb->data = data;
		sb->size = size;
	}
}

static void
sb_append(strbuf *sb, const void *data, size_t len)
{
	sb_reserve(sb, len);
	if (len > 0)
		memcpy(sb->data + sb->len, data, len);
	sb->len += len;
	sb->data[sb->len] = '\0';
}

static void
sb_puts(strbuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

static void
sb_putc(strbuf *sb, char c)
{
	sb_append(sb, &c, 1);
}

static void
sb_printf(strbuf *sb, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("could not format output");
	sb_reserve(sb, (size_t) n);
	va_start(ap, fmt);
	vsnprintf(sb->data + sb->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t) n;
}

static void
sb_lsn(strbuf *sb, uint64_t lsn)
{
	char		buf[DRR_LSN_BUFSIZE];

	drr_format_lsn(buf, lsn);
	sb_puts(sb, buf);
}

static void
sb_timestamp(strbuf *sb, int64_t t, uint64_t offset)
{
	char		buf[DRR_TIMESTAMP_BUFSIZE];

	if (drr_format_timestamp(buf, t) != 0)
		bad_input("offset %" PRIu64 ": timestamp %" PRId64 " is out of range",
				  offset, t);
	sb_puts(sb, buf);
}

/*
 * An SQL string literal, as decoder_raw's SQL format writes it: an E''
 * string when it holds a backslash or a control character.
 */
static void
sb_literal(strbuf *sb, const unsigned char *s, size_t len)
{
	size_t		i;
	int			escape = 0;

	for (i = 0; i < len; i++)
	{
		if (s[i] < 0x20 || s[i] == 0x7f || s[i] == '\\')
		{
			escape = 1;
			break;
		}
	}
	sb_reserve(sb, len + 3);
	if (escape)
		sb_putc(sb, 'E');
	sb_putc(sb, '\'');
	for (i = 0; i < len; i++)
	{
		unsigned char c = s[i];

		switch (c)
		{
			case '\'':
				sb_append(sb, "''", 2);
				break;
			case '\\':
				sb_append(sb, "\\\\", 2);
				break;
			case '\n':
				sb_append(sb, "\\n", 2);
				break;
			case '\r':
				sb_append(sb, "\\r", 2);
				break;
			case '\t':
				sb_append(sb, "\\t", 2);
				break;
			case '\b':
				sb_append(sb, "\\b", 2);
				break;
			case '\f':
				sb_append(sb, "\\f", 2);
				break;
			default:
				if (c < 0x20 || c == 0x7f)
					sb_printf(sb, "\\x%02X", c);
				else
					sb_putc(sb, (char) c);
				break;
		}
	}
	sb_putc(sb, '\'');
}

static void
sb_hex(strbuf *sb, const unsigned char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t		i;

	sb_reserve(sb, 2 + 2 * len);
	sb_append(sb, "\\x", 2);
	for (i = 0; i < len; i++)
	{
		sb->data[sb->len++] = hex[s[i] >> 4];
		sb->data[sb->len++] = hex[s[i] & 0x0f];
	}
	sb->data[sb->len] = '\0';
}

/*
 * An identifier, quoted when the plugin said it must be: between double
 * quotes, or, when it holds a control character, as a U&"" identifier
 * whose escapes keep the line whole.
 */
static void
sb_ident(strbuf *sb, const char *name, size_t len, int quoted)
{
	size_t		i;
	int			unicode = 0;

	if (!quoted)
	{
		/* only what quote_identifier() leaves bare, so the SQL stays whole */
		for (i = 0; i < len; i++)
		{
			char		c = name[i];

			if (!((c >= 'a' && c <= 'z') || c == '_' ||
				  (i > 0 && c >= '0' && c <= '9')))
				bad_input("offset %" PRIu64 ": name \"%.*s\" needs quotes, but the stream says it does not",
						  record_offset, (int) len, name);
		}
		if (len == 0)
			bad_input("offset %" PRIu64 ": an empty name needs quotes, but the stream says it does not",
					  record_offset);
		sb_append(sb, name, len);
		return;
	}
	for (i = 0; i < len; i++)
	{
		if ((unsigned char) name[i] < 0x20 || name[i] == 0x7f)
			unicode = 1;
	}
	sb_puts(sb, unicode ? "U&\"" : "\"");
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) name[i];

		if (c == '"')
			sb_append(sb, "\"\"", 2);
		else if (unicode && c == '\\')
			sb_append(sb, "\\\\", 2);
		else if (unicode && (c < 0x20 || c == 0x7f))
			sb_printf(sb, "\\%04X", c);
		else
			sb_putc(sb, (char) c);
	}
	sb_putc(sb, '"');
}

static void
sb_qualname(strbuf *sb, const drr_relation *rel)
{
	sb_ident(sb, rel->schema, rel->schema_len,
			 (rel->flags & DRR_REL_SCHEMA_QUOTED) != 0);
	sb_putc(sb, '.');
	sb_ident(sb, rel->name, rel->name_len,
			 (rel->flags & DRR_REL_NAME_QUOTED) != 0);
}

/*
 * An identifier as pg_get_serial_sequence() parses a text argument: it
 * knows double quotes but not U&"", and takes control characters inside
 * double quotes.
 */
static void
sb_plain_ident(strbuf *sb, const char *name, size_t len, int quoted)
{
	size_t		i;

	if (!quoted)
	{
		sb_ident(sb, name, len, 0);
		return;
	}
	sb_putc(sb, '"');
	for (i = 0; i < len; i++)
	{
		if (name[i] == '"')
			sb_putc(sb, '"');
		sb_putc(sb, name[i]);
	}
	sb_putc(sb, '"');
}

static void
sb_plain_qualname(strbuf *sb, const drr_relation *rel)
{
	sb_plain_ident(sb, rel->schema, rel->schema_len,
				   (rel->flags & DRR_REL_SCHEMA_QUOTED) != 0);
	sb_putc(sb, '.');
	sb_plain_ident(sb, rel->name, rel->name_len,
				   (rel->flags & DRR_REL_NAME_QUOTED) != 0);
}

static void
sb_colname(strbuf *sb, const drr_column *col)
{
	sb_ident(sb, col->name, col->name_len, (col->flags & DRR_COL_QUOTED) != 0);
}

static void
emit(strbuf *sb)
{
	sb_putc(sb, '\n');
	if (fwrite(sb->data, 1, sb->len, out_fp) != sb->len)
		die("could not write to standard output: %s", strerror(errno));
	sb->len = 0;
}

/* ----------
 * SQL output: what decoder_raw's SQL format writes for each record
 * ----------
 */

static int
bytes_equal(const drr_bytes *b, const char *s)
{
	size_t		len = strlen(s);

	return b->len == len && memcmp(b->data, s, len) == 0;
}

/* Digits with an optional minus sign, and a fraction if allowed. */
static int
is_number(const drr_bytes *d, int fraction)
{
	size_t		i = 0;
	size_t		digits = 0;

	if (i < d->len && d->data[i] == '-')
		i++;
	for (; i < d->len && d->data[i] >= '0' && d->data[i] <= '9'; i++)
		digits++;
	if (digits == 0)
		return 0;
	if (fraction && i < d->len && d->data[i] == '.')
	{
		digits = 0;
		for (i++; i < d->len && d->data[i] >= '0' && d->data[i] <= '9'; i++)
			digits++;
		if (digits == 0)
			return 0;
	}
	return i == d->len;
}

/* A value (not NULL) as an SQL constant. */
static void
sql_value(strbuf *sb, const drr_column *col, const drr_value *val,
		  const drr_record *rec)
{
	const drr_bytes *d = &val->data;

	switch (col->type_oid)
	{
		case BOOLOID:
			if (bytes_equal(d, "t"))
				sb_puts(sb, "true");
			else if (bytes_equal(d, "f"))
				sb_puts(sb, "false");
			else
				bad_input("offset %" PRIu64 ": invalid boolean value in column \"%s\"",
						  rec->offset, col->name);
			return;
		case INT2OID:
		case INT4OID:
		case INT8OID:
			if (!is_number(d, 0))
				bad_input("offset %" PRIu64 ": invalid integer value in column \"%s\"",
						  rec->offset, col->name);
			sb_append(sb, d->data, d->len);
			return;
		case NUMERICOID:
			/* NaN and the infinities are not numeric constants */
			if (bytes_equal(d, "NaN") || bytes_equal(d, "Infinity") ||
				bytes_equal(d, "-Infinity"))
				sb_literal(sb, d->data, d->len);
			else if (is_number(d, 1))
				sb_append(sb, d->data, d->len);
			else
				bad_input("offset %" PRIu64 ": invalid numeric value in column \"%s\"",
						  rec->offset, col->name);
			return;
		case CASHOID:
			sb_literal(sb, d->data, d->len);
			sb_puts(sb, "::pg_catalog.numeric::pg_catalog.money");
			return;
		default:
			sb_literal(sb, d->data, d->len);
			return;
	}
}

/* A value of an INSERT or of SET. */
static void
sql_value_or_null(strbuf *sb, const drr_column *col, const drr_value *val,
				  const drr_record *rec)
{
	if (val->kind == DRR_VALUE_NULL)
		sb_append(sb, "NULL", 4);
	else if (val->kind == DRR_VALUE_PRESENT)
		sql_value(sb, col, val, rec);
	else
		bad_input("offset %" PRIu64 ": column \"%s\" has no value to write in %s",
				  rec->offset, col->name,
				  rec->kind == DRR_INSERT ? "an INSERT" : "a SET clause");
}

static void
sql_annotation(strbuf *sb, int *first, const char *key)
{
	sb_puts(sb, *first ? " -- " : ", ");
	sb_puts(sb, key);
	sb_putc(sb, ' ');
	*first = 0;
}

static void
sql_begin(strbuf *sb, const drr_record *rec)
{
	int			first = 1;

	sb_puts(sb, "BEGIN;");
	if (rec->flags & DRR_XACT_XID)
	{
		sql_annotation(sb, &first, "xid");
		sb_printf(sb, "%" PRIu32, rec->xid);
	}
	if (rec->flags & DRR_XACT_ORIGIN)
	{
		sql_annotation(sb, &first, "origin");
		if (rec->flags & DRR_XACT_ORIGIN_NAME)
		{
			const drr_bytes *n = &rec->origin_name;
			size_t		i;
			int			plain = 1;

			/* origin names are free text: keep the line a comment */
			for (i = 0; i < n->len; i++)
			{
				if (n->data[i] == '\n' || n->data[i] == '\r' || n->data[i] == ',')
					plain = 0;
			}
			if (plain)
				sb_append(sb, n->data, n->len);
			else
				sb_literal(sb, n->data, n->len);
		}
		else
			sb_printf(sb, "%" PRIu32, rec->origin_id);
		sql_annotation(sb, &first, "origin_lsn");
		sb_lsn(sb, rec->origin_lsn);
	}
}

static void sql_xact_annotations(strbuf *sb, const drr_record *rec);

static void
sql_commit(strbuf *sb, const drr_record *rec)
{
	sb_puts(sb, "COMMIT;");
	sql_xact_annotations(sb, rec);
}

static void
sql_insert(strbuf *sb, const drr_record *rec)
{
	const drr_relation *rel = rec->rel;
	int			first = 1;
	int			identity_always = 0;
	uint32_t	i;

	sb_puts(sb, "INSERT INTO ");
	sb_qualname(sb, rel);
	sb_putc(sb, ' ');
	for (i = 0; i < rel->ncols; i++)
	{
		const drr_column *col = &rel->cols[i];

		if (col->flags & DRR_COL_IDENTITY_ALWAYS)
			identity_always = 1;
		if (col->flags & DRR_COL_GENERATED)
			continue;
		sb_puts(sb, first ? "(" : ", ");
		sb_colname(sb, col);
		first = 0;
	}
	if (first)
	{
		sb_puts(sb, "DEFAULT VALUES;");
		return;
	}
	sb_puts(sb, ") ");
	if (identity_always)
		sb_puts(sb, "OVERRIDING SYSTEM VALUE ");
	sb_puts(sb, "VALUES (");

	first = 1;
	for (i = 0; i < rel->ncols; i++)
	{
		const drr_column *col = &rel->cols[i];

		if (col->flags & DRR_COL_GENERATED)
			continue;
		if (!first)
			sb_append(sb, ", ", 2);
		first = 0;
		sql_value_or_null(sb, col, &rec->new_tuple.values[i], rec);
	}
	sb_puts(sb, ");");
}

static void
sql_only_rel(strbuf *sb, const drr_relation *rel)
{
	if (rel->flags & DRR_REL_ONLY)
		sb_puts(sb, "ONLY ");
	sb_qualname(sb, rel);
}

/* An operator name, as OPERATOR() takes it: symbols only. */
static void
sb_operator(strbuf *sb, const drr_column *col, const drr_record *rec)
{
	size_t		i;

	for (i = 0; i < col->key_opr_name_len; i++)
	{
		if (strchr("+-*/<>=~!@#%^&|`?", col->key_opr_name[i]) == NULL)
			bad_input("offset %" PRIu64 ": invalid operator name \"%s\" for column \"%s\"",
					  rec->offset, col->key_opr_name, col->name);
	}
	sb_append(sb, col->key_opr_name, col->key_opr_name_len);
}

/* How a key column is compared: as its identity index compares it. */
static void
sql_key_comparison(strbuf *sb, const drr_column *col, const drr_record *rec)
{
	if (!(col->flags & DRR_COL_KEY_COMPARISON))
	{
		sb_append(sb, " = ", 3);
		return;
	}
	if (col->key_coll_name_len > 0)
	{
		sb_puts(sb, " COLLATE ");
		sb_ident(sb, col->key_coll_schema, col->key_coll_schema_len, 1);
		sb_putc(sb, '.');
		sb_ident(sb, col->key_coll_name, col->key_coll_name_len, 1);
	}
	if (col->key_opr_name_len > 0)
	{
		sb_puts(sb, " OPERATOR(");
		sb_ident(sb, col->key_opr_schema, col->key_opr_schema_len, 1);
		sb_putc(sb, '.');
		sb_operator(sb, col, rec);
		sb_puts(sb, ") ");
	}
	else
		sb_append(sb, " = ", 3);
}

/* One column's condition, NULL apart: as decoder_raw's SQL format has it. */
static void
sql_column_condition(strbuf *sb, const drr_record *rec, const drr_column *col,
					 const drr_value *val, int full)
{
	if (full && (col->flags & DRR_COL_NO_EXACT))
		die("offset %" PRIu64 ": the row of relation \"%s.%s\" cannot be found by column \"%s\": no comparison of its type is exact",
			rec->offset, rec->rel->schema, rec->rel->name, col->name);
	if (full && (col->flags & DRR_COL_RECORD_IMAGE))
	{
		/* a composite's fields by image, whatever its layout on disk */
		sb_puts(sb, "pg_catalog.record_image_eq(");
		sb_colname(sb, col);
		sb_puts(sb, ", (");
		sql_value(sb, col, val, rec);
		sb_puts(sb, ")::");
		sb_append(sb, col->type_name, col->type_name_len);
		sb_putc(sb, ')');
	}
	else if (full && (col->flags & DRR_COL_EQUAL_TEXT))
	{
		/* equal, and the same text form in the replaying session */
		sb_putc(sb, '(');
		sb_colname(sb, col);
		sb_puts(sb, " = (");
		sql_value(sb, col, val, rec);
		sb_puts(sb, ")::");
		sb_append(sb, col->type_name, col->type_name_len);
		sb_puts(sb, " AND (");
		sb_colname(sb, col);
		sb_puts(sb, ")::pg_catalog.text = ((");
		sql_value(sb, col, val, rec);
		sb_puts(sb, ")::");
		sb_append(sb, col->type_name, col->type_name_len);
		sb_puts(sb, ")::pg_catalog.text)");
	}
	else if (full && (col->flags & DRR_COL_TEXT_IMAGE))
	{
		sb_putc(sb, '(');
		sb_colname(sb, col);
		sb_puts(sb, ")::pg_catalog.text = ");
		sql_value(sb, col, val, rec);
	}
	else if (!(col->flags & DRR_COL_NO_EQUALITY) &&
			 !(full && (col->flags & DRR_COL_INEXACT_EQUALITY)))
	{
		sb_colname(sb, col);
		sql_key_comparison(sb, col, rec);
		sql_value(sb, col, val, rec);
		if (col->flags & DRR_COL_CAST_EQUALITY)
		{
			sb_puts(sb, "::");
			sb_append(sb, col->type_name, col->type_name_len);
		}
	}
	else
	{
		/*
		 * No equality operator, or (to find the very row of a FULL match)
		 * one that calls different values equal: binary images.
		 */
		sb_puts(sb, "pg_catalog.record_image_eq(ROW(");
		sb_colname(sb, col);
		sb_puts(sb, "), ROW((");
		sql_value(sb, col, val, rec);
		sb_puts(sb, ")::");
		sb_append(sb, col->type_name, col->type_name_len);
		sb_puts(sb, "))");
	}
}

/* The identity columns, or all with REPLICA IDENTITY FULL. */
static void
sql_where(strbuf *sb, const drr_record *rec, const drr_tuple *tuple)
{
	const drr_relation *rel = rec->rel;
	int			full = rel->replident == 'f';
	int			first = 1;
	uint32_t	i;

	for (i = 0; i < rel->ncols; i++)
	{
		const drr_column *col = &rel->cols[i];
		const drr_value *val = &tuple->values[i];

		if (!(full || (col->flags & DRR_COL_KEY)))
			continue;
		if (!first)
			sb_append(sb, " AND ", 5);
		first = 0;

		if (val->kind == DRR_VALUE_NULL)
		{
			sb_colname(sb, col);
			sb_append(sb, " IS NULL", 8);
		}
		else if (val->kind != DRR_VALUE_PRESENT)
			bad_input("offset %" PRIu64 ": identity column \"%s\" has no value to find the row by",
					  rec->offset, col->name);
		else
			sql_column_condition(sb, rec, col, val, full);
	}
	if (first)
		sb_puts(sb, "true");
}

static void
sql_row_condition(strbuf *sb, const drr_record *rec, const drr_tuple *tuple)
{
	if (rec->rel->replident == 'f')
	{
		sb_puts(sb, "ctid = (SELECT ctid FROM ");
		sql_only_rel(sb, rec->rel);
		sb_puts(sb, " WHERE ");
		sql_where(sb, rec, tuple);
		sb_puts(sb, " LIMIT 1);");
	}
	else
	{
		sql_where(sb, rec, tuple);
		sb_putc(sb, ';');
	}
}

/*
 * Did the update change this GENERATED ALWAYS identity column?  Only
 * SET col = DEFAULT does that, and it is known only where the old value
 * is logged: for key columns, or for all with REPLICA IDENTITY FULL.
 */
static int
identity_changed(const drr_record *rec, uint32_t i)
{
	const drr_column *col = &rec->rel->cols[i];
	const drr_value *o;
	const drr_value *n;

	if (!(col->flags & DRR_COL_IDENTITY_ALWAYS) ||
		rec->old_kind == DRR_OLD_NONE ||
		!((col->flags & DRR_COL_KEY) || rec->rel->replident == 'f'))
		return 0;
	o = &rec->old_tuple.values[i];
	n = &rec->new_tuple.values[i];
	if (o->kind == DRR_VALUE_ABSENT)
		return 0;
	return !(o->kind == n->kind &&
			 (o->kind != DRR_VALUE_PRESENT ||
			  (o->data.len == n->data.len &&
			   memcmp(o->data.data, n->data.data, n->data.len) == 0)));
}

static void
sql_update(strbuf *sb, const drr_record *rec)
{
	const drr_relation *rel = rec->rel;
	int			first = 1;
	uint32_t	i;

	/* the sequence of a changed identity column hands out the new value */
	for (i = 0; i < rel->ncols; i++)
	{
		const drr_value *val = &rec->new_tuple.values[i];
		strbuf		qualname = {0};

		if (!identity_changed(rec, i))
			continue;
		if (val->kind != DRR_VALUE_PRESENT || !is_number(&val->data, 0))
			bad_input("offset %" PRIu64 ": identity column \"%s\" has no valid new value",
					  rec->offset, rel->cols[i].name);
		sb_plain_qualname(&qualname, rel);
		sb_puts(sb, "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(");
		sb_literal(sb, (const unsigned char *) qualname.data, qualname.len);
		sb_append(sb, ", ", 2);
		sb_literal(sb, (const unsigned char *) rel->cols[i].name,
				   rel->cols[i].name_len);
		sb_append(sb, "), ", 3);
		sb_append(sb, val->data.data, val->data.len);
		sb_puts(sb, ", false);");
		free(qualname.data);
		emit(sb);
	}

	sb_puts(sb, "UPDATE ");
	sql_only_rel(sb, rel);
	sb_puts(sb, " SET ");
	for (i = 0; i < rel->ncols; i++)
	{
		const drr_column *col = &rel->cols[i];
		const drr_value *val = &rec->new_tuple.values[i];

		if (identity_changed(rec, i))
		{
			if (!first)
				sb_append(sb, ", ", 2);
			first = 0;
			sb_colname(sb, col);
			sb_puts(sb, " = DEFAULT");
			continue;
		}
		/* generated and GENERATED ALWAYS columns cannot be assigned */
		if (col->flags & (DRR_COL_GENERATED | DRR_COL_IDENTITY_ALWAYS))
			continue;
		if (val->kind == DRR_VALUE_UNCHANGED)
			continue;
		if (!first)
			sb_append(sb, ", ", 2);
		first = 0;
		sb_colname(sb, col);
		sb_append(sb, " = ", 3);
		sql_value_or_null(sb, col, val, rec);
	}
	if (first)
	{
		sb->len = 0;
		sb_puts(sb, "-- UPDATE on ");
		sb_qualname(sb, rel);
		sb_puts(sb, " changed no column that can be assigned");
		return;
	}
	sb_puts(sb, " WHERE ");
	sql_row_condition(sb, rec, rec->old_kind != DRR_OLD_NONE ?
					  &rec->old_tuple : &rec->new_tuple);
}

static void
sql_delete(strbuf *sb, const drr_record *rec)
{
	sb_puts(sb, "DELETE FROM ");
	sql_only_rel(sb, rec->rel);
	sb_puts(sb, " WHERE ");
	sql_row_condition(sb, rec, &rec->old_tuple);
}

static void
sql_truncate(strbuf *sb, const drr_record *rec)
{
	uint32_t	i;

	sb_puts(sb, "TRUNCATE ");
	for (i = 0; i < rec->nrels; i++)
	{
		if (i > 0)
			sb_append(sb, ", ", 2);
		/* PostgreSQL allows no ONLY for a partitioned table */
		if (rec->rels[i]->relkind != 'p')
			sb_puts(sb, "ONLY ");
		sb_qualname(sb, rec->rels[i]);
	}
	if (rec->flags & DRR_TRUNCATE_RESTART)
		sb_puts(sb, " RESTART IDENTITY");
	if (rec->flags & DRR_TRUNCATE_CASCADE)
		sb_puts(sb, " CASCADE");
	sb_putc(sb, ';');
}

static void
sql_message(strbuf *sb, const drr_record *rec)
{
	sb_puts(sb, "SELECT pg_catalog.pg_logical_emit_message(");
	sb_puts(sb, (rec->flags & DRR_MSG_TRANSACTIONAL) ? "true, " : "false, ");
	sb_literal(sb, rec->prefix.data, rec->prefix.len);
	sb_append(sb, ", ", 2);
	if (rec->flags & DRR_MSG_TEXT)
		sb_literal(sb, rec->content.data, rec->content.len);
	else
	{
		strbuf		hex = {0};

		sb_hex(&hex, rec->content.data, rec->content.len);
		sb_literal(sb, (const unsigned char *) hex.data, hex.len);
		sb_puts(sb, "::pg_catalog.bytea");
		free(hex.data);
	}
	sb_puts(sb, ");");
}

/* version of the stream being read, from its header record */
static uint32_t stream_version;

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
 * Two-phase and stream records (version 2 additions)
 * ----------
 */

/* " -- xid N, lsn X/X, time T" as after COMMIT; */
static void
sql_xact_annotations(strbuf *sb, const drr_record *rec)
{
	int			first = 1;

	if (rec->flags & DRR_XACT_XID)
	{
		sql_annotation(sb, &first, "xid");
		sb_printf(sb, "%" PRIu32, rec->xid);
	}
	if (rec->flags & DRR_XACT_LSN)
	{
		sql_annotation(sb, &first, "lsn");
		sb_lsn(sb, rec->lsn);
	}
	if (rec->flags & DRR_XACT_TIME)
	{
		sql_annotation(sb, &first, "time");
		sb_timestamp(sb, rec->time, rec->offset);
	}
}

/* PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED, as format sql */
static void
sql_two_phase(strbuf *sb, const drr_record *rec)
{
	const char *statement = rec->kind == DRR_PREPARE ? "PREPARE TRANSACTION " :
		rec->kind == DRR_COMMIT_PREPARED ? "COMMIT PREPARED " :
		"ROLLBACK PREPARED ";

	if (rec->flags & DRR_FINISH_NOT_SENT)
	{
		sb_puts(sb, "-- ROLLBACK PREPARED ");
		sb_literal(sb, rec->gid.data, rec->gid.len);
		sb_puts(sb, " left out: the transaction was prepared before two-phase decoding started, and its PREPARE TRANSACTION was not written");
		return;
	}
	if (rec->kind != DRR_PREPARE && (rec->flags & DRR_FINISH_PROGRESS))
	{
		sb_puts(sb, "SELECT pg_catalog.pg_replication_origin_xact_setup('");
		sb_lsn(sb, rec->end_lsn);
		sb_puts(sb, "', '");
		sb_timestamp(sb, rec->progress_time, rec->offset);
		sb_puts(sb, "');\n");
	}
	sb_puts(sb, statement);
	sb_literal(sb, rec->gid.data, rec->gid.len);
	sb_putc(sb, ';');
	sql_xact_annotations(sb, rec);
}

/*
 * Streamed transactions interleave, and one script replays one transaction
 * at a time: they have no SQL form.
 */
static void
sql_refuse_stream(const drr_record *rec)
{
	bad_input("offset %" PRIu64 ": %s record: a transaction streamed before its commit (stream-changes) cannot be written as SQL, as its changes interleave with other transactions'; use --records",
			  rec->offset, rec->kind == DRR_STREAM_START ? "stream start" :
			  rec->kind == DRR_STREAM_ABORT ? "stream abort" :
			  rec->kind == DRR_STREAM_COMMIT ? "stream commit" :
			  rec->kind == DRR_STREAM_PREPARE ? "stream prepare" : "stream");
}

static void rec_xact(strbuf *sb, const drr_record *rec);

/* Every field of the two-phase and stream records. */
static void
rec_two_phase_stream(strbuf *sb, const drr_record *rec)
{
	switch (rec->kind)
	{
		case DRR_BEGIN_PREPARE:
		case DRR_PREPARE:
		case DRR_COMMIT_PREPARED:
		case DRR_ROLLBACK_PREPARED:
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
			return;
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
print_sql(strbuf *sb, const drr_record *rec)
{
	uint32_t	i;

	switch (rec->kind)
	{
		case DRR_HEADER:
			stream_version = rec->version;
			return;
		case DRR_RELATION:
			/* SQL is written from text values only */
			for (i = 0; i < rec->rel->ncols; i++)
			{
				if (rec->rel->cols[i].flags & DRR_COL_BINARY)
					bad_input("offset %" PRIu64 ": column \"%s\" of relation \"%s.%s\" has values in binary form (binary-values), which cannot be written as SQL; use --records",
							  rec->offset, rec->rel->cols[i].name,
							  rec->rel->schema, rec->rel->name);
			}
			return;
		case DRR_BEGIN:
			sql_begin(sb, rec);
			break;
		case DRR_ORIGIN:
			/* from version 2 on it comes right before the commit */
			if (stream_version >= 2)
				sb_puts(sb, "SET CONSTRAINTS ALL IMMEDIATE;\n");
			sb_puts(sb, "SELECT pg_catalog.pg_replication_origin_xact_setup('");
			sb_lsn(sb, rec->end_lsn);
			sb_puts(sb, "', '");
			sb_timestamp(sb, rec->time, rec->offset);
			sb_puts(sb, "');");
			break;
		case DRR_COMMIT:
			sql_commit(sb, rec);
			break;
		case DRR_INSERT:
			sql_insert(sb, rec);
			break;
		case DRR_UPDATE:
			sql_update(sb, rec);
			break;
		case DRR_DELETE:
			sql_delete(sb, rec);
			break;
		case DRR_TRUNCATE:
			sql_truncate(sb, rec);
			break;
		case DRR_MESSAGE:
			sql_message(sb, rec);
			break;
		case DRR_SKIPPED:
			sb_printf(sb, "-- %" PRIu64 " UPDATE and %" PRIu64 " DELETE on ",
					  rec->updates, rec->deletes);
			sb_skipped_qualname(sb, rec);
			sb_puts(sb, " left out: the table has no replica identity");
			break;
		case DRR_BEGIN_PREPARE:
			sql_begin(sb, rec);
			break;
		case DRR_PREPARE:
		case DRR_COMMIT_PREPARED:
		case DRR_ROLLBACK_PREPARED:
			sql_two_phase(sb, rec);
			break;
		case DRR_STREAM_START:
		case DRR_STREAM_XID:
		case DRR_STREAM_STOP:
		case DRR_STREAM_ABORT:
		case DRR_STREAM_COMMIT:
		case DRR_STREAM_PREPARE:
			sql_refuse_stream(rec);
			break;
	}
	emit(sb);
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
			sql_key_comparison(sb, col, rec);
		}
	}
}

static void
print_record(strbuf *sb, const drr_record *rec)
{
	int			first = 1;
	uint32_t	i;

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
			break;
		case DRR_TRUNCATE:
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
			break;
		case DRR_MESSAGE:
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
			break;
		case DRR_SKIPPED:
			sb_puts(sb, "skipped ");
			sb_skipped_qualname(sb, rec);
			sb_printf(sb, " updates %" PRIu64 " deletes %" PRIu64,
					  rec->updates, rec->deletes);
			break;
		default:
			rec_two_phase_stream(sb, rec);
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
	free(line.data);
	line.data = NULL;
	line.len = line.size = 0;
}

static int
dump_stream(input *in, int records, int quiet)
{
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
			record_offset = rec.offset;
			if (records)
				print_record(&line, &rec);
			else
				print_sql(&line, &rec);
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
