/*-------------------------------------------------------------------------
 *
 * sql_writer.c
 *		decoder_raw's SQL format: one executable statement per record.
 *
 * Each record is a single line that psql can run on a server with the same
 * schema and that reproduces the change exactly, whatever the session
 * settings of the decoding or of the replaying side:
 *
 * - literals that hold a backslash or a control character are E'' strings,
 *   so they read the same whatever standard_conforming_strings says;
 * - floats are written in their shortest exact form and quoted, so that a
 *   comparison is made in the column's own type;
 * - a replica identity column whose type has no equality operator is
 *   compared through its text form;
 * - with REPLICA IDENTITY FULL, UPDATE and DELETE touch exactly one row
 *   (by ctid), as on the source, even if the table holds duplicates.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "decoder_raw.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "common/shortest_dec.h"
#include "datatype/timestamp.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "replication/output_plugin.h"
#include "utils/builtins.h"
#include "utils/cash.h"
#include "utils/date.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/datetime.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

/* Statement fragments derived once per relation. */
typedef struct SqlRelation
{
	char	   *insert_prefix;	/* INSERT INTO rel (cols) [OVERRIDING] VALUES ( */
	int			insert_prefix_len;
	char	   *update_prefix;	/* UPDATE [ONLY] rel SET */
	int			update_prefix_len;
	char	   *delete_prefix;	/* DELETE FROM [ONLY] rel WHERE */
	int			delete_prefix_len;
	char	   *only_rel;		/* [ONLY ]rel, for the FULL identity subquery */
} SqlRelation;

/* Bytes that a literal cannot hold as they are. */
static bool special_byte[256];
static bool special_byte_ready = false;

static void
init_tables(void)
{
	int			c;

	if (special_byte_ready)
		return;
	for (c = 0; c < 256; c++)
		special_byte[c] = (c < 0x20 || c == 0x7f || c == '\'' || c == '\\');
	special_byte_ready = true;
}

/*
 * Does any of the 8 bytes of w need care in a literal: a control character,
 * a quote, a backslash or DEL?  The usual word-at-a-time tests: "a byte
 * below 0x20" and "a byte equal to c" are exact as existence tests.
 */
#define ONES	UINT64CONST(0x0101010101010101)
#define HIGHS	UINT64CONST(0x8080808080808080)
#define HAS_ZERO_BYTE(w)	(((w) - ONES) & ~(w) & HIGHS)

static inline bool
word_needs_care(uint64 w)
{
	return ((w - ONES * 0x20) & ~w & HIGHS) ||
		HAS_ZERO_BYTE(w ^ (ONES * '\'')) ||
		HAS_ZERO_BYTE(w ^ (ONES * '\\')) ||
		HAS_ZERO_BYTE(w ^ (ONES * 0x7f));
}

/* input bytes per enlargeStringInfo(), which reserves the worst case */
#define LITERAL_CHUNK	65536

/* What the literal being written belongs to, for the size limit's ERROR. */
static DecoderRawRelation *literal_rel = NULL;
static DecoderRawColumn *literal_col = NULL;

/* Bytes the escaped form of s takes, quotes and E apart. */
static Size
escaped_size(const unsigned char *p, const unsigned char *end)
{
	Size		size = 0;

	for (; p < end; p++)
	{
		if (!special_byte[*p])
			size++;
		else if (*p == '\'' || *p == '\\' || *p == '\n' || *p == '\r' ||
				 *p == '\t' || *p == '\b' || *p == '\f')
			size += 2;
		else
			size += 4;
	}
	return size;
}

/*
 * A statement is one allocation, at most MaxAllocSize.  Near that limit,
 * reserve only what the literal's rest needs; if even that does not fit,
 * say which value is too large and how else to carry it.
 */
static int
literal_reserve(StringInfo out, const unsigned char *p,
				const unsigned char *chunk_end, const unsigned char *end)
{
	Size		rest;

	if ((Size) out->len + (chunk_end - p) * 4 + 2 < MaxAllocSize)
		return (chunk_end - p) * 4 + 2;

	rest = escaped_size(p, end) + 2;
	if ((Size) out->len + rest >= MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 literal_col != NULL && literal_rel != NULL ?
				 errmsg("decoder_raw cannot write the value of column \"%s\" of table \"%s.%s\" in the SQL format",
						literal_col->name, literal_rel->nspname, literal_rel->relname) :
				 errmsg("decoder_raw cannot write a message in the SQL format"),
				 errdetail("The statement would take %zu bytes, more than the %zu that PostgreSQL can allocate; its literal writes a control character as up to 4 bytes.",
						   (Size) out->len + rest, (Size) MaxAllocSize - 1),
				 errhint("The binary format (option \"format\" \"binary\") writes values unescaped.")));
	return (int) (escaped_size(p, chunk_end) + 2);
}

/*
 * Append a string literal.  The server encodings are all ASCII-safe, so a
 * byte-wise scan for quotes, backslashes and control characters is exact.
 * Plain runs are copied eight bytes at a time.  A literal that holds a
 * backslash or a control character becomes an E'' string, which reads the
 * same whatever standard_conforming_strings says: the E is put before the
 * opening quote when the first such byte shows up.
 */
static void
append_literal(StringInfo out, const char *s, int len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *end = p + len;
	int			start = out->len;
	bool		escape = false;
	char	   *dst;

	enlargeStringInfo(out, 1);
	out->data[out->len++] = '\'';

	/* a literal that may not fit is measured first, before buffers grow */
	if ((Size) len * 4 + 2 >= MaxAllocSize - (Size) out->len)
		(void) literal_reserve(out, p, p + Min(end - p, LITERAL_CHUNK), end);

	while (p < end)
	{
		const unsigned char *chunk_end = p + Min(end - p, LITERAL_CHUNK);

		/* every byte as \xHH, the E, the closing quote, where there is room */
		enlargeStringInfo(out, literal_reserve(out, p, chunk_end, end));
		dst = out->data + out->len;

		while (p < chunk_end)
		{
			unsigned char c;

			if (chunk_end - p >= 8)
			{
				uint64		w;

				memcpy(&w, p, 8);
				if (!word_needs_care(w))
				{
					memcpy(dst, p, 8);
					dst += 8;
					p += 8;
					continue;
				}
			}

			c = *p++;
			if (!special_byte[c])
			{
				*dst++ = (char) c;
				continue;
			}
			if (c == '\'')
			{
				*dst++ = '\'';
				*dst++ = '\'';
				continue;
			}
			if (!escape)
			{
				memmove(out->data + start + 1, out->data + start,
						dst - (out->data + start));
				out->data[start] = 'E';
				dst++;
				escape = true;
			}
			*dst++ = '\\';
			switch (c)
			{
				case '\\':
					*dst++ = '\\';
					break;
				case '\n':
					*dst++ = 'n';
					break;
				case '\r':
					*dst++ = 'r';
					break;
				case '\t':
					*dst++ = 't';
					break;
				case '\b':
					*dst++ = 'b';
					break;
				case '\f':
					*dst++ = 'f';
					break;
				default:
					*dst++ = 'x';
					*dst++ = hex[c >> 4];
					*dst++ = hex[c & 0x0f];
					break;
			}
		}
		out->len = dst - out->data;
	}
	appendStringInfoChar(out, '\'');
}

static inline void
append_cstring_literal(StringInfo out, const char *s)
{
	append_literal(out, s, strlen(s));
}

/* Append a column value (not NULL) as an SQL constant. */
static void
append_value(StringInfo out, DecoderRawColumn *col, Datum value,
			 StringInfo scratch)
{
	literal_col = col;
	switch (col->kind)
	{
		case DR_COL_BOOL:
			appendStringInfoString(out, DatumGetBool(value) ? "true" : "false");
			return;
		case DR_COL_INT2:
		case DR_COL_INT4:
		case DR_COL_INT8:
			decoder_raw_append_value_text(out, col, value);
			return;
		case DR_COL_NUMERIC:
			{
				int			start = out->len;
				const char *str;

				decoder_raw_append_value_text(out, col, value);
				str = out->data + start;
				/* NaN and the infinities are not numeric constants */
				if (str[0] == 'N' || str[0] == 'I' || str[1] == 'I')
				{
					resetStringInfo(scratch);
					appendBinaryStringInfo(scratch, str, out->len - start);
					out->len = start;
					append_literal(out, scratch->data, scratch->len);
				}
				return;
			}
		case DR_COL_FLOAT4:
		case DR_COL_FLOAT8:
		case DR_COL_DATE:
		case DR_COL_TIMESTAMP:
		case DR_COL_TIMESTAMPTZ:

			/*
			 * Text forms that never hold a quote, backslash or control char.
			 * Floats are quoted too: '0.1' compares as a float, 0.1 as a
			 * numeric.
			 */
			appendStringInfoChar(out, '\'');
			decoder_raw_append_value_text(out, col, value);
			appendStringInfoChar(out, '\'');
			return;
		case DR_COL_TEXT:
			{
				struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));

				append_literal(out, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
				return;
			}
		case DR_COL_MONEY:
			/* through numeric: money's text form depends on lc_monetary */
			resetStringInfo(scratch);
			decoder_raw_append_value_text(scratch, col, value);
			append_literal(out, scratch->data, scratch->len);
			appendStringInfoString(out, "::pg_catalog.numeric::pg_catalog.money");
			return;
		default:
			break;
	}

	resetStringInfo(scratch);
	decoder_raw_append_value_text(scratch, col, value);
	append_literal(out, scratch->data, scratch->len);
}

/* Is this value an unchanged TOAST pointer, i.e. not in the WAL? */
static inline bool
is_unchanged_toast(DecoderRawColumn *col, Datum value, bool isnull)
{
	return !isnull && col->typisvarlena &&
		VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(value));
}

static SqlRelation *
sql_relation(DecoderRawRelation *rel)
{
	SqlRelation *sr = rel->writer_private;
	StringInfoData buf;
	MemoryContext old;
	bool		first = true;
	int			i;

	if (sr != NULL)
		return sr;

	old = MemoryContextSwitchTo(rel->cxt);
	sr = palloc0(sizeof(SqlRelation));

	initStringInfo(&buf);
	appendStringInfo(&buf, "INSERT INTO %s ", rel->qualname);
	for (i = 0; i < rel->natts; i++)
	{
		DecoderRawColumn *col = &rel->cols[i];

		if (col->dropped || col->generated)
			continue;
		appendStringInfoString(&buf, first ? "(" : ", ");
		appendStringInfoString(&buf, col->quoted);
		first = false;
	}
	if (first)
		appendStringInfoString(&buf, "DEFAULT VALUES");
	else
	{
		appendStringInfoString(&buf, ") ");
		if (rel->has_identity_always)
			appendStringInfoString(&buf, "OVERRIDING SYSTEM VALUE ");
		appendStringInfoString(&buf, "VALUES (");
	}
	sr->insert_prefix = buf.data;
	sr->insert_prefix_len = buf.len;

	sr->only_rel = psprintf("%s%s", rel->use_only ? "ONLY " : "", rel->qualname);
	sr->update_prefix = psprintf("UPDATE %s SET ", sr->only_rel);
	sr->update_prefix_len = strlen(sr->update_prefix);
	sr->delete_prefix = psprintf("DELETE FROM %s WHERE ", sr->only_rel);
	sr->delete_prefix_len = strlen(sr->delete_prefix);

	MemoryContextSwitchTo(old);
	rel->writer_private = sr;
	return sr;
}

/*
 * Every record is one line; with message-size, several go in one message
 * (decoder_raw.c puts the newlines between them).
 */
static inline void
begin_record(LogicalDecodingContext *ctx, DecoderRawData *data)
{
	(void) decoder_raw_begin_record(ctx, data);
}

static inline void
end_record(LogicalDecodingContext *ctx, DecoderRawData *data)
{
	decoder_raw_end_record(ctx, data);
}

/* " -- key value, key value" annotations after BEGIN; and COMMIT; */
static void
append_annotation(StringInfo out, bool *first, const char *key)
{
	appendStringInfoString(out, *first ? " -- " : ", ");
	appendStringInfoString(out, key);
	appendStringInfoChar(out, ' ');
	*first = false;
}

static void
sql_begin(LogicalDecodingContext *ctx, DecoderRawData *data,
		  ReorderBufferTXN *txn)
{
	StringInfo	out = data->out;
	bool		first = true;

	begin_record(ctx, data);
	appendStringInfoString(out, "BEGIN;");
	if (data->opts.include_xids)
	{
		append_annotation(out, &first, "xid");
		appendStringInfo(out, "%u", txn->xid);
	}
	if (data->opts.include_origin && txn->origin_id != InvalidRepOriginId)
	{
		const char *name = decoder_raw_origin_name(txn->origin_id);

		append_annotation(out, &first, "origin");
		/* origin names are free text: keep the line a comment */
		if (name != NULL && strpbrk(name, "\n\r,") == NULL)
			appendStringInfoString(out, name);
		else if (name != NULL)
			append_cstring_literal(out, name);
		else
			appendStringInfo(out, "%u", (unsigned) txn->origin_id);
		append_annotation(out, &first, "origin_lsn");
		decoder_raw_append_lsn(out, txn->origin_lsn);
	}
	end_record(ctx, data);
}

/*
 * Origin progress goes right before COMMIT: from PostgreSQL 16 on, an abort
 * also records the progress that pg_replication_origin_xact_setup() set, so
 * setting it any earlier would record progress for a transaction that an
 * applier dies or fails in.  Deferred constraints are checked first, so
 * that their failure aborts before the progress is set.  The lines share
 * the COMMIT's message, so that no consumer (pg_recvlogical --endpos) stops
 * between them, and an applier that sends a message as one request leaves
 * no moment at which it could die between them.
 */
static void append_finish_progress(StringInfo out, ReorderBufferTXN *txn);

static void
append_origin_progress(StringInfo out, ReorderBufferTXN *txn)
{
	appendStringInfoString(out, "SET CONSTRAINTS ALL IMMEDIATE;\n");
	append_finish_progress(out, txn);
}

static void
sql_commit(LogicalDecodingContext *ctx, DecoderRawData *data,
		   ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	StringInfo	out = data->out;
	bool		first = true;

	begin_record(ctx, data);
	if (data->opts.origin_progress)
		append_origin_progress(out, txn);
	appendStringInfoString(out, "COMMIT;");
	if (data->opts.include_xids)
	{
		append_annotation(out, &first, "xid");
		appendStringInfo(out, "%u", txn->xid);
	}
	if (data->opts.include_lsn)
	{
		append_annotation(out, &first, "lsn");
		decoder_raw_append_lsn(out, commit_lsn);
	}
	if (data->opts.include_timestamp)
	{
		append_annotation(out, &first, "time");
		decoder_raw_append_timestamp(out, txn->xact_time.commit_time);
	}
	end_record(ctx, data);
}

static void
sql_insert(LogicalDecodingContext *ctx, DecoderRawData *data,
		   DecoderRawRelation *rel, HeapTuple tuple)
{
	StringInfo	out = data->out;
	SqlRelation *sr = sql_relation(rel);
	StringInfo	scratch = data->scratch;
	Datum	   *values = rel->new_values;
	bool	   *nulls = rel->new_nulls;
	bool		first = true;
	int			i;

	literal_rel = rel;

	heap_deform_tuple(tuple, rel->desc, values, nulls);

	begin_record(ctx, data);
	appendBinaryStringInfo(out, sr->insert_prefix, sr->insert_prefix_len);
	for (i = 0; i < rel->natts; i++)
	{
		DecoderRawColumn *col = &rel->cols[i];

		if (col->dropped || col->generated)
			continue;
		if (!first)
			appendBinaryStringInfo(out, ", ", 2);
		first = false;

		if (nulls[i])
			appendBinaryStringInfo(out, "NULL", 4);
		else
			append_value(out, col, values[i], scratch);
	}
	appendStringInfoString(out, first ? ";" : ");");
	end_record(ctx, data);
}

/* A FULL identity column that no comparison can match exactly. */
static void
no_exact_comparison(DecoderRawRelation *rel, DecoderRawColumn *col)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("decoder_raw cannot find the row of table \"%s.%s\" by column \"%s\" of type %s",
					rel->nspname, rel->relname, col->name, col->typname),
			 errdetail("With REPLICA IDENTITY FULL every column is compared, and no comparison of this type is exact: it holds a composite type within an array or a composite, and a field without an equality operator whose text output depends on session settings."),
			 errhint("Give the table a primary key or REPLICA IDENTITY USING INDEX.")));
}

/* One column's condition that finds the row, the value not NULL. */
static void
append_condition(StringInfo out, DecoderRawRelation *rel,
				 DecoderRawColumn *col, DecoderRawCompare cmp, Datum value,
				 StringInfo scratch)
{
	switch (cmp)
	{
		case DR_CMP_EQUAL:
			appendBinaryStringInfo(out, col->quoted, col->quoted_len);
			appendStringInfoString(out, col->key_cmp ? col->key_cmp : " = ");
			append_value(out, col, value, scratch);
			if (col->cast_in_where)
				appendStringInfo(out, "::%s", col->typname);
			break;
		case DR_CMP_IMAGE:

			/*
			 * No equality operator (json, point, ...), or, to find the very
			 * row of a FULL match, one that calls different values equal
			 * (1.5 and 1.50, 0 and -0): compare binary images, which no
			 * session setting of the replaying side affects.
			 */
			appendStringInfoString(out, "pg_catalog.record_image_eq(ROW(");
			appendBinaryStringInfo(out, col->quoted, col->quoted_len);
			appendStringInfoString(out, "), ROW((");
			append_value(out, col, value, scratch);
			appendStringInfo(out, ")::%s))", col->typname);
			break;
		case DR_CMP_RECORD_IMAGE:
			/* a composite's fields by image, whatever its layout on disk */
			appendStringInfoString(out, "pg_catalog.record_image_eq(");
			appendBinaryStringInfo(out, col->quoted, col->quoted_len);
			appendStringInfoString(out, ", (");
			append_value(out, col, value, scratch);
			appendStringInfo(out, ")::%s)", col->typname);
			break;
		case DR_CMP_TEXT:
			appendStringInfoChar(out, '(');
			appendBinaryStringInfo(out, col->quoted, col->quoted_len);
			appendStringInfoString(out, ")::pg_catalog.text = ");
			append_value(out, col, value, scratch);
			break;
		case DR_CMP_EQUAL_TEXT:
			/* equal, and the same text form in the replaying session */
			appendStringInfoChar(out, '(');
			appendBinaryStringInfo(out, col->quoted, col->quoted_len);
			appendStringInfoString(out, " = (");
			append_value(out, col, value, scratch);
			appendStringInfo(out, ")::%s AND (", col->typname);
			appendBinaryStringInfo(out, col->quoted, col->quoted_len);
			appendStringInfoString(out, ")::pg_catalog.text = ((");
			append_value(out, col, value, scratch);
			appendStringInfo(out, ")::%s)::pg_catalog.text)", col->typname);
			break;
		case DR_CMP_NONE:
			no_exact_comparison(rel, col);
			break;
	}
}

/*
 * Append the condition that finds the row: the identity key columns, or
 * every column with REPLICA IDENTITY FULL.
 */
static void
append_where(StringInfo out, DecoderRawRelation *rel,
			 Datum *values, bool *nulls, StringInfo scratch)
{
	bool		first = true;
	int			i;

	for (i = 0; i < rel->natts; i++)
	{
		DecoderRawColumn *col = &rel->cols[i];

		if (col->dropped || !(col->is_key || rel->full_identity))
			continue;
		if (!first)
			appendBinaryStringInfo(out, " AND ", 5);
		first = false;

		if (nulls[i])
		{
			appendBinaryStringInfo(out, col->quoted, col->quoted_len);
			appendBinaryStringInfo(out, " IS NULL", 8);
		}
		else if (rel->full_identity)
			append_condition(out, rel, col, col->full_cmp, values[i], scratch);
		else
			append_condition(out, rel, col,
							 col->has_equality ? DR_CMP_EQUAL : DR_CMP_IMAGE,
							 values[i], scratch);
	}
	if (first)
		appendStringInfoString(out, "true");	/* FULL on a table without columns */
}

/* WHERE clause; with FULL identity, one row only, by ctid. */
static void
append_row_condition(StringInfo out, DecoderRawRelation *rel, SqlRelation *sr,
					 Datum *values, bool *nulls, StringInfo scratch)
{
	if (rel->full_identity)
	{
		appendStringInfoString(out, "ctid = (SELECT ctid FROM ");
		appendStringInfoString(out, sr->only_rel);
		appendStringInfoString(out, " WHERE ");
		append_where(out, rel, values, nulls, scratch);
		appendStringInfoString(out, " LIMIT 1);");
	}
	else
	{
		append_where(out, rel, values, nulls, scratch);
		appendStringInfoChar(out, ';');
	}
}

/*
 * Which GENERATED ALWAYS identity columns did the UPDATE change?  Only SET
 * col = DEFAULT does that, and it is known only where the old value is
 * logged: for key columns, or for all with FULL.  NULL if none.
 */
static bool *
identity_always_changes(DecoderRawRelation *rel, HeapTuple oldtuple)
{
	bool	   *changed = NULL;
	int			i;

	if (!rel->has_identity_always || oldtuple == NULL)
		return NULL;

	for (i = 0; i < rel->natts; i++)
	{
		DecoderRawColumn *col = &rel->cols[i];
		Form_pg_attribute att = TupleDescAttr(rel->desc, i);

		if (!col->identity_always || !(col->is_key || rel->full_identity))
			continue;
		if (rel->old_nulls[i] == rel->new_nulls[i] &&
			(rel->old_nulls[i] ||
			 datumIsEqual(rel->old_values[i], rel->new_values[i],
						  att->attbyval, att->attlen)))
			continue;
		if (changed == NULL)
			changed = palloc0(sizeof(bool) * rel->natts);
		changed[i] = true;
	}
	return changed;
}

/*
 * Such a column cannot be assigned, only set to DEFAULT: have its sequence
 * hand out the new value next.
 */
static void
write_identity_setval(LogicalDecodingContext *ctx, DecoderRawData *data,
					  DecoderRawRelation *rel, DecoderRawColumn *col,
					  Datum value)
{
	StringInfo	out = data->out;

	begin_record(ctx, data);
	appendStringInfoString(out, "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(");
	append_cstring_literal(out, rel->plain_qualname);
	appendBinaryStringInfo(out, ", ", 2);
	append_cstring_literal(out, col->name);
	appendBinaryStringInfo(out, "), ", 3);
	decoder_raw_append_value_text(out, col, value);
	appendStringInfoString(out, ", false);");
	end_record(ctx, data);
}

static void
sql_update(LogicalDecodingContext *ctx, DecoderRawData *data,
		   DecoderRawRelation *rel, HeapTuple oldtuple, HeapTuple newtuple)
{
	StringInfo	out = data->out;
	SqlRelation *sr = sql_relation(rel);
	StringInfo	scratch = data->scratch;
	Datum	   *values = rel->new_values;
	bool	   *nulls = rel->new_nulls;
	bool	   *identity_changed;
	bool		first = true;
	int			i;

	literal_rel = rel;

	heap_deform_tuple(newtuple, rel->desc, values, nulls);
	/* the old key is logged only when it changed */
	if (oldtuple != NULL)
		heap_deform_tuple(oldtuple, rel->desc, rel->old_values, rel->old_nulls);

	identity_changed = identity_always_changes(rel, oldtuple);
	if (identity_changed != NULL)
	{
		for (i = 0; i < rel->natts; i++)
		{
			if (identity_changed[i])
				write_identity_setval(ctx, data, rel, &rel->cols[i], values[i]);
		}
	}

	begin_record(ctx, data);
	appendBinaryStringInfo(out, sr->update_prefix, sr->update_prefix_len);
	for (i = 0; i < rel->natts; i++)
	{
		DecoderRawColumn *col = &rel->cols[i];

		if (identity_changed != NULL && identity_changed[i])
		{
			if (!first)
				appendBinaryStringInfo(out, ", ", 2);
			first = false;
			appendBinaryStringInfo(out, col->quoted, col->quoted_len);
			appendBinaryStringInfo(out, " = DEFAULT", 10);
			continue;
		}
		/* generated and GENERATED ALWAYS columns cannot be assigned */
		if (col->dropped || col->generated || col->identity_always)
			continue;
		if (is_unchanged_toast(col, values[i], nulls[i]))
			continue;
		if (!first)
			appendBinaryStringInfo(out, ", ", 2);
		first = false;

		appendBinaryStringInfo(out, col->quoted, col->quoted_len);
		appendBinaryStringInfo(out, " = ", 3);
		if (nulls[i])
			appendBinaryStringInfo(out, "NULL", 4);
		else
			append_value(out, col, values[i], scratch);
	}

	if (first)
	{
		/*
		 * Nothing assignable changed in the WAL's view (only unchanged TOAST
		 * or generated columns): the row stays as it is, but say so.
		 */
		decoder_raw_restart_record(ctx, data);
		appendStringInfo(out, "-- UPDATE on %s changed no column that can be assigned",
						 rel->qualname);
		end_record(ctx, data);
		return;
	}

	appendBinaryStringInfo(out, " WHERE ", 7);
	if (oldtuple != NULL)
		append_row_condition(out, rel, sr, rel->old_values, rel->old_nulls,
							 data->scratch);
	else
		append_row_condition(out, rel, sr, values, nulls, data->scratch);
	end_record(ctx, data);
}

static void
sql_delete(LogicalDecodingContext *ctx, DecoderRawData *data,
		   DecoderRawRelation *rel, HeapTuple oldtuple)
{
	StringInfo	out = data->out;
	SqlRelation *sr = sql_relation(rel);

	literal_rel = rel;

	heap_deform_tuple(oldtuple, rel->desc, rel->old_values, rel->old_nulls);

	begin_record(ctx, data);
	appendBinaryStringInfo(out, sr->delete_prefix, sr->delete_prefix_len);
	append_row_condition(out, rel, sr, rel->old_values, rel->old_nulls,
							 data->scratch);
	end_record(ctx, data);
}

static void
sql_truncate(LogicalDecodingContext *ctx, DecoderRawData *data,
			 int nrels, DecoderRawRelation **rels,
			 bool cascade, bool restart_seqs)
{
	StringInfo	out = data->out;
	int			i;

	begin_record(ctx, data);
	appendStringInfoString(out, "TRUNCATE ");
	for (i = 0; i < nrels; i++)
	{
		if (i > 0)
			appendBinaryStringInfo(out, ", ", 2);
		/* ONLY: inheritance children are listed on their own if truncated */
		if (rels[i]->relkind != RELKIND_PARTITIONED_TABLE)
			appendBinaryStringInfo(out, "ONLY ", 5);
		appendStringInfoString(out, rels[i]->qualname);
	}
	if (restart_seqs)
		appendStringInfoString(out, " RESTART IDENTITY");
	if (cascade)
		appendStringInfoString(out, " CASCADE");
	appendStringInfoChar(out, ';');
	end_record(ctx, data);
}

/*
 * A message is written as the call that emits it again, so the output stays
 * executable and a cascaded consumer sees the message too.
 */
static void
sql_message(LogicalDecodingContext *ctx, DecoderRawData *data,
			ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
			const char *prefix, Size sz, const char *message)
{
	StringInfo	out = data->out;
	bool		is_text;

	literal_rel = NULL;
	literal_col = NULL;
	/* text when the content is valid in the database encoding */
	is_text = memchr(message, '\0', sz) == NULL &&
		pg_verifymbstr(message, sz, true);

	begin_record(ctx, data);
	appendStringInfoString(out, "SELECT pg_catalog.pg_logical_emit_message(");
	appendStringInfoString(out, transactional ? "true, " : "false, ");
	append_cstring_literal(out, prefix);
	appendBinaryStringInfo(out, ", ", 2);
	if (is_text)
		append_literal(out, message, sz);
	else
	{
		StringInfo	scratch = data->scratch;

		resetStringInfo(scratch);
		decoder_raw_append_hex(scratch, message, sz);
		append_literal(out, scratch->data, scratch->len);
		appendStringInfoString(out, "::pg_catalog.bytea");
	}
	appendStringInfoString(out, ");");
	end_record(ctx, data);
}

/* Changes left out for lack of a replica identity: a comment line. */
static void
sql_skipped(LogicalDecodingContext *ctx, DecoderRawData *data,
			DecoderRawSkipped *skipped)
{
	StringInfo	out = data->out;

	begin_record(ctx, data);
	appendStringInfo(out, "-- " UINT64_FORMAT " UPDATE and " UINT64_FORMAT " DELETE on %s.%s left out: the table has no replica identity",
					 skipped->xact_updates, skipped->xact_deletes,
					 skipped->quoted_nspname, skipped->quoted_relname);
	end_record(ctx, data);
}

/* ----------
 * Two-phase commit
 *
 * BEGIN; ... PREPARE TRANSACTION 'gid'; then, in a transaction of its own,
 * COMMIT PREPARED 'gid'; or ROLLBACK PREPARED 'gid';.  With origin-progress
 * the PREPARE records progress as a COMMIT does; COMMIT PREPARED and
 * ROLLBACK PREPARED run outside a transaction block, where there are no
 * deferred constraints left, and record the progress set by the line
 * before them, in their message.
 * ----------
 */

/* " -- xid N, lsn X/X, time T", as after COMMIT; */
static void
append_xact_annotations(StringInfo out, DecoderRawData *data,
						TransactionId xid, XLogRecPtr lsn, TimestampTz time)
{
	bool		first = true;

	if (data->opts.include_xids)
	{
		append_annotation(out, &first, "xid");
		appendStringInfo(out, "%u", xid);
	}
	if (data->opts.include_lsn)
	{
		append_annotation(out, &first, "lsn");
		decoder_raw_append_lsn(out, lsn);
	}
	if (data->opts.include_timestamp)
	{
		append_annotation(out, &first, "time");
		decoder_raw_append_timestamp(out, time);
	}
}

/* The progress line alone: what COMMIT PREPARED and ROLLBACK PREPARED take */
static void
append_finish_progress(StringInfo out, ReorderBufferTXN *txn)
{
	appendStringInfoString(out, "SELECT pg_catalog.pg_replication_origin_xact_setup('");
	decoder_raw_append_lsn(out, txn->end_lsn);
	appendStringInfoString(out, "', '");
	decoder_raw_append_timestamp(out, txn->xact_time.commit_time);
	appendStringInfoString(out, "');\n");
}

/*
 * PREPARE TRANSACTION, COMMIT PREPARED or ROLLBACK PREPARED, and its GID.
 * PREPARE ends a transaction block and records progress as COMMIT does;
 * the others run outside one.
 */
static void
write_gid_statement(LogicalDecodingContext *ctx, DecoderRawData *data,
					ReorderBufferTXN *txn, const char *statement,
					bool ends_block, XLogRecPtr lsn, TimestampTz time)
{
	StringInfo	out = data->out;

	literal_rel = NULL;
	literal_col = NULL;
	begin_record(ctx, data);
	if (data->opts.origin_progress && ends_block)
		append_origin_progress(out, txn);
	else if (data->opts.origin_progress)
		append_finish_progress(out, txn);
	appendStringInfo(out, "%s ", statement);
	append_cstring_literal(out, decoder_raw_gid(data, txn));
	appendStringInfoChar(out, ';');
	append_xact_annotations(out, data, txn->xid, lsn, time);
	end_record(ctx, data);
}

static void
sql_prepare(LogicalDecodingContext *ctx, DecoderRawData *data,
			ReorderBufferTXN *txn, XLogRecPtr prepare_lsn)
{
	write_gid_statement(ctx, data, txn, "PREPARE TRANSACTION", true,
						prepare_lsn, txn->xact_time.prepare_time);
}

static void
sql_commit_prepared(LogicalDecodingContext *ctx, DecoderRawData *data,
					ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	write_gid_statement(ctx, data, txn, "COMMIT PREPARED", false,
						commit_lsn, txn->xact_time.commit_time);
}

/*
 * A ROLLBACK PREPARED whose PREPARE was never written would fail on the
 * target, and no statement can first check for the prepared transaction
 * (ROLLBACK PREPARED cannot run in a function or a transaction block): it
 * is written as a comment.
 */
static void
sql_rollback_prepared(LogicalDecodingContext *ctx, DecoderRawData *data,
					  ReorderBufferTXN *txn, XLogRecPtr prepare_end_lsn,
					  TimestampTz prepare_time, bool prepare_sent)
{
	StringInfo	out = data->out;

	if (prepare_sent)
	{
		write_gid_statement(ctx, data, txn, "ROLLBACK PREPARED", false,
							txn->final_lsn, txn->xact_time.commit_time);
		return;
	}
	literal_rel = NULL;
	literal_col = NULL;
	begin_record(ctx, data);
	appendStringInfoString(out, "-- ROLLBACK PREPARED ");
	append_cstring_literal(out, decoder_raw_gid(data, txn));
	appendStringInfoString(out, " left out: the transaction was prepared before two-phase decoding started, and its PREPARE TRANSACTION was not written");
	end_record(ctx, data);
}

static void
sql_init(void)
{
	init_tables();
}

const DecoderRawWriter decoder_raw_sql_writer = {
	.init = sql_init,
	.begin = sql_begin,
	.commit = sql_commit,
	.relation = NULL,
	.insert = sql_insert,
	.update = sql_update,
	.delete = sql_delete,
	.truncate = sql_truncate,
	.message = sql_message,
	.skipped = sql_skipped,
	.begin_prepare = sql_begin,
	.prepare = sql_prepare,
	.commit_prepared = sql_commit_prepared,
	.rollback_prepared = sql_rollback_prepared,
	/* no stream callbacks: stream-changes is refused with format sql */
};
