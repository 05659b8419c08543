/*-------------------------------------------------------------------------
 *
 * binary_writer.c
 *		decoder_raw's binary format: compact, self-delimiting records.
 *
 * doc/binary-format.md is the specification; this file and the reader
 * (reader/decoder_raw_reader.c) follow it.  In short, every record is a
 * kind byte, the length of its body as a variable-length integer, and the
 * body.  A decoding session starts with a header record that names the
 * format version; a relation is described once per session (and again when
 * it changes) and the change records refer to it by a short id.
 *
 * The relation record carries what a reader needs to write the very SQL
 * the SQL format would write (which names need quoting, which types have no
 * equality operator, ...), so that decoder_raw_dump can do it without any
 * knowledge of PostgreSQL's catalogs.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "decoder_raw.h"

#include "mb/pg_wchar.h"
#include "replication/output_plugin.h"

/* Record kinds */
#define BR_HEADER		'H'
#define BR_BEGIN		'B'
#define BR_COMMIT		'C'
#define BR_ORIGIN		'O'
#define BR_RELATION		'R'
#define BR_INSERT		'I'
#define BR_UPDATE		'U'
#define BR_DELETE		'D'
#define BR_TRUNCATE		'T'
#define BR_MESSAGE		'M'
#define BR_SKIPPED		'S'		/* version 2 */
/* version 2, two-phase slots */
#define BR_BEGIN_PREPARE	'b'
#define BR_PREPARE			'p'
#define BR_COMMIT_PREPARED	'c'
#define BR_ROLLBACK_PREPARED 'r'
/* version 2, stream-changes */
#define BR_STREAM_START		's'
#define BR_STREAM_XID		'x'
#define BR_STREAM_STOP		'e'
#define BR_STREAM_ABORT		'a'
#define BR_STREAM_COMMIT	'k'
#define BR_STREAM_PREPARE	'q'

/* Header magic: "DRAW" */
static const char header_magic[4] = {'D', 'R', 'A', 'W'};

/* Begin and commit flags */
#define BR_XACT_XID			0x01
#define BR_XACT_LSN			0x02
#define BR_XACT_TIME		0x04
#define BR_XACT_ORIGIN		0x08	/* begin only */
#define BR_XACT_ORIGIN_NAME 0x10	/* begin only */
#define BR_FINISH_PROGRESS	0x08	/* commit/rollback prepared */
#define BR_FINISH_NOT_SENT	0x10	/* rollback prepared */

/* Stream start flags */
#define BR_STREAM_FIRST		0x01

/* Relation flags */
#define BR_REL_SCHEMA_QUOTED	0x01
#define BR_REL_NAME_QUOTED		0x02
#define BR_REL_ONLY				0x04

/* Column flags */
#define BR_COL_KEY				0x01
#define BR_COL_GENERATED		0x02
#define BR_COL_IDENTITY_ALWAYS	0x04
#define BR_COL_QUOTED			0x08
#define BR_COL_NO_EQUALITY		0x10
#define BR_COL_BINARY			0x20
#define BR_COL_CAST_EQUALITY	0x40
#define BR_COL_INEXACT_EQUALITY 0x80
#define BR_COL_RECORD_IMAGE		0x100	/* version 2 */
#define BR_COL_TEXT_IMAGE		0x200	/* version 2 */
#define BR_COL_EQUAL_TEXT		0x400	/* version 2 */
#define BR_COL_NO_EXACT			0x800	/* version 2 */
#define BR_COL_KEY_COMPARISON	0x1000	/* version 2 */

/* Skipped-changes flags */
#define BR_SKIP_SCHEMA_QUOTED	0x01
#define BR_SKIP_NAME_QUOTED		0x02

/* Old tuple of an update or delete */
#define BR_OLD_NONE		0
#define BR_OLD_KEY		'K'
#define BR_OLD_ROW		'O'

/* Value headers */
#define BR_VALUE_NULL			0
#define BR_VALUE_UNCHANGED		1
#define BR_VALUE_BASE			2	/* + length of the value */

/* Truncate flags */
#define BR_TRUNCATE_CASCADE		0x01
#define BR_TRUNCATE_RESTART		0x02

/* Message flags */
#define BR_MSG_TRANSACTIONAL	0x01
#define BR_MSG_TEXT				0x02
#define BR_MSG_LSN				0x04

/* Per relation: what the tuples of the relation record hold. */
typedef struct BinaryRelation
{
	int			ncols;			/* columns described (not dropped) */
	int			nkeys;			/* of which replica identity key columns */
	bool	   *binary;			/* natts entries: value in send form */
} BinaryRelation;

/* Has the header record of this decoding session been written? */
static bool header_written = false;

static inline int
varint_size(uint64 value)
{
	int			n = 1;

	while (value >= 0x80)
	{
		value >>= 7;
		n++;
	}
	return n;
}

static inline void
put_varint(char *dst, uint64 value)
{
	while (value >= 0x80)
	{
		*dst++ = (char) ((value & 0x7f) | 0x80);
		value >>= 7;
	}
	*dst = (char) value;
}

static void
append_varint(StringInfo out, uint64 value)
{
	int			n = varint_size(value);

	enlargeStringInfo(out, n);
	put_varint(out->data + out->len, value);
	out->len += n;
	out->data[out->len] = '\0';
}

/* Signed integers are zigzag-encoded: 0, -1, 1, -2, ... -> 0, 1, 2, 3, ... */
static void
append_signed_varint(StringInfo out, int64 value)
{
	append_varint(out, ((uint64) value << 1) ^ (uint64) (value >> 63));
}

static void
append_int64(StringInfo out, int64 value)
{
	uint64		v = (uint64) value;
	char		buf[8];
	int			i;

	for (i = 7; i >= 0; i--)
	{
		buf[i] = (char) (v & 0xff);
		v >>= 8;
	}
	appendBinaryStringInfo(out, buf, 8);
}

static void
append_bytes(StringInfo out, const char *data, Size len)
{
	append_varint(out, len);
	appendBinaryStringInfo(out, data, len);
}

static inline void
append_string(StringInfo out, const char *s)
{
	append_bytes(out, s, strlen(s));
}

/*
 * The bytes written since "start" get a varint length in front of them, in
 * the "reserved" bytes left there (one): small bodies, by far the most
 * common, are never moved.
 */
static void
prefix_length(StringInfo out, int start, int reserved, uint64 extra)
{
	uint64		len = (uint64) (out->len - start);
	int			n = varint_size(len + extra);

	if (n > reserved)
	{
		enlargeStringInfo(out, n - reserved);
		memmove(out->data + start + n - reserved, out->data + start, len);
		out->len += n - reserved;
		out->data[out->len] = '\0';
	}
	put_varint(out->data + start - reserved, len + extra);
}

/*
 * Begin a record of the given kind; returns where its body starts.  With
 * message-size, records follow one another in a message (decoder_raw.c),
 * the header record too.
 */
static int
start_record(LogicalDecodingContext *ctx, DecoderRawData *data, char kind)
{
	StringInfo	out;

	if (!header_written)
	{
		out = decoder_raw_begin_record(ctx, data);
		appendStringInfoChar(out, BR_HEADER);
		appendStringInfoChar(out, sizeof(header_magic) + 1);
		appendBinaryStringInfo(out, header_magic, sizeof(header_magic));
		Assert(data->opts.format_version < 0x80);
		appendStringInfoChar(out, (char) data->opts.format_version);
		decoder_raw_end_record(ctx, data);
		header_written = true;
	}

	out = decoder_raw_begin_record(ctx, data);
	appendStringInfoChar(out, kind);
	appendStringInfoChar(out, 0);	/* length, filled in by end_record */
	return out->len;
}

/*
 * End the record whose body starts at body_start and begin another of the
 * given kind in the same message; returns where its body starts.
 */
static int
next_record(StringInfo out, int body_start, char kind)
{
	prefix_length(out, body_start, 1, 0);
	appendStringInfoChar(out, kind);
	appendStringInfoChar(out, 0);	/* length, filled in by end_record */
	return out->len;
}

static void
end_record(LogicalDecodingContext *ctx, DecoderRawData *data, int body_start)
{
	prefix_length(data->out, body_start, 1, 0);
	decoder_raw_end_record(ctx, data);
}

static BinaryRelation *
binary_relation(DecoderRawData *data, DecoderRawRelation *rel)
{
	BinaryRelation *br = rel->writer_private;
	MemoryContext old;
	int			i;

	if (br != NULL)
		return br;

	old = MemoryContextSwitchTo(rel->cxt);
	br = palloc0(sizeof(BinaryRelation));
	br->binary = palloc0(sizeof(bool) * Max(rel->natts, 1));
	for (i = 0; i < rel->natts; i++)
	{
		DecoderRawColumn *col = &rel->cols[i];

		if (col->dropped)
			continue;
		br->ncols++;
		if (col->is_key)
			br->nkeys++;
		if (data->opts.binary_values)
		{
			decoder_raw_column_prepare_send(col);
			br->binary[i] = col->has_send;
		}
	}
	MemoryContextSwitchTo(old);
	rel->writer_private = br;
	return br;
}

/* How a FULL identity or a key compares the column, when not as before. */
static uint32
v2_column_flags(DecoderRawRelation *rel, DecoderRawColumn *col)
{
	uint32		flags = 0;

	if (rel->full_identity)
	{
		if (col->full_cmp == DR_CMP_RECORD_IMAGE)
			flags |= BR_COL_RECORD_IMAGE;
		else if (col->full_cmp == DR_CMP_TEXT)
			flags |= BR_COL_TEXT_IMAGE;
		else if (col->full_cmp == DR_CMP_EQUAL_TEXT)
			flags |= BR_COL_EQUAL_TEXT;
		else if (col->full_cmp == DR_CMP_NONE)
			flags |= BR_COL_NO_EXACT;
	}
	if (col->is_key && col->key_cmp != NULL)
		flags |= BR_COL_KEY_COMPARISON;
	return flags;
}

static void
binary_relation_record(LogicalDecodingContext *ctx, DecoderRawData *data,
					   DecoderRawRelation *rel)
{
	StringInfo	out = data->out;
	BinaryRelation *br = binary_relation(data, rel);
	uint32		flags = 0;
	int			body;
	int			i;

	body = start_record(ctx, data, BR_RELATION);
	append_varint(out, rel->id);
	append_varint(out, rel->relid);

	/* quoted as the SQL format quotes them, whatever the session says */
	if (strcmp(rel->quoted_nspname, rel->nspname) != 0)
		flags |= BR_REL_SCHEMA_QUOTED;
	if (strcmp(rel->quoted_relname, rel->relname) != 0)
		flags |= BR_REL_NAME_QUOTED;
	if (rel->use_only)
		flags |= BR_REL_ONLY;
	append_varint(out, flags);
	appendStringInfoChar(out, rel->relkind);
	appendStringInfoChar(out, rel->replident);
	append_string(out, rel->nspname);
	append_string(out, rel->relname);

	append_varint(out, br->ncols);
	for (i = 0; i < rel->natts; i++)
	{
		DecoderRawColumn *col = &rel->cols[i];

		if (col->dropped)
			continue;
		flags = 0;
		if (col->is_key)
			flags |= BR_COL_KEY;
		if (col->generated)
			flags |= BR_COL_GENERATED;
		if (col->identity_always)
			flags |= BR_COL_IDENTITY_ALWAYS;
		if (strcmp(col->quoted, col->name) != 0)
			flags |= BR_COL_QUOTED;
		if (!col->has_equality)
			flags |= BR_COL_NO_EQUALITY;
		if (br->binary[i])
			flags |= BR_COL_BINARY;
		if (col->cast_in_where)
			flags |= BR_COL_CAST_EQUALITY;
		if (col->exact_check)
			flags |= BR_COL_INEXACT_EQUALITY;
		flags |= v2_column_flags(rel, col);
		append_varint(out, flags);
		append_string(out, col->name);
		append_varint(out, col->typid);
		append_signed_varint(out, col->typmod);
		append_string(out, col->typname);
		if (flags & BR_COL_KEY_COMPARISON)
		{
			/* empty strings: the column's collation, the type's = */
			append_string(out, col->key_coll_nsp ? col->key_coll_nsp : "");
			append_string(out, col->key_coll_name ? col->key_coll_name : "");
			append_string(out, col->key_opr_nsp ? col->key_opr_nsp : "");
			append_string(out, col->key_opr_name ? col->key_opr_name : "");
		}
	}
	end_record(ctx, data, body);
}

static void
append_value(StringInfo out, DecoderRawColumn *col, bool binary,
			 Datum value, bool isnull)
{
	int			start;

	if (isnull)
	{
		appendStringInfoChar(out, BR_VALUE_NULL);
		return;
	}
	/* an UPDATE does not log a large value that it did not change */
	if (col->typisvarlena && VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(value)))
	{
		appendStringInfoChar(out, BR_VALUE_UNCHANGED);
		return;
	}

	if (binary)
	{
		bytea	   *b = SendFunctionCall(&col->sendfunc, value);

		append_varint(out, (uint64) VARSIZE(b) - VARHDRSZ + BR_VALUE_BASE);
		appendBinaryStringInfo(out, VARDATA(b), VARSIZE(b) - VARHDRSZ);
		pfree(b);
		return;
	}

	/* text form straight into the record, its length in front */
	appendStringInfoChar(out, 0);
	start = out->len;
	decoder_raw_append_value_text(out, col, value);
	prefix_length(out, start, 1, BR_VALUE_BASE);
}

/*
 * Append a tuple: its number of values, then the values of every column of
 * the relation record, or of its key columns only.
 */
static void
append_tuple(StringInfo out, DecoderRawRelation *rel, BinaryRelation *br,
			 HeapTuple tuple, Datum *values, bool *nulls, bool key_only)
{
	int			i;

	heap_deform_tuple(tuple, rel->desc, values, nulls);
	append_varint(out, key_only ? br->nkeys : br->ncols);
	for (i = 0; i < rel->natts; i++)
	{
		DecoderRawColumn *col = &rel->cols[i];

		if (col->dropped || (key_only && !col->is_key))
			continue;
		append_value(out, col, br->binary[i], values[i], nulls[i]);
	}
}

static void binary_begin_kind(LogicalDecodingContext *ctx,
							  DecoderRawData *data, ReorderBufferTXN *txn,
							  char kind);

static void
binary_begin(LogicalDecodingContext *ctx, DecoderRawData *data,
			 ReorderBufferTXN *txn)
{
	binary_begin_kind(ctx, data, txn, BR_BEGIN);
}

/* Begin, or with the GID after its fields, begin prepare. */
static void
binary_begin_kind(LogicalDecodingContext *ctx, DecoderRawData *data,
				  ReorderBufferTXN *txn, char kind)
{
	StringInfo	out = data->out;
	uint32		flags = 0;
	const char *origin_name = NULL;
	int			body;

	if (data->opts.include_xids)
		flags |= BR_XACT_XID;
	if (data->opts.include_lsn)
		flags |= BR_XACT_LSN;
	if (data->opts.include_timestamp)
		flags |= BR_XACT_TIME;
	if (data->opts.include_origin && txn->origin_id != InvalidRepOriginId)
	{
		flags |= BR_XACT_ORIGIN;
		origin_name = decoder_raw_origin_name(txn->origin_id);
		if (origin_name != NULL)
			flags |= BR_XACT_ORIGIN_NAME;
	}

	body = start_record(ctx, data, kind);
	append_varint(out, flags);
	if (flags & BR_XACT_XID)
		append_varint(out, txn->xid);
	if (flags & BR_XACT_LSN)
		append_varint(out, txn->final_lsn);
	if (flags & BR_XACT_TIME)
		append_int64(out, txn->xact_time.commit_time);
	if (flags & BR_XACT_ORIGIN)
	{
		append_varint(out, txn->origin_id);
		append_varint(out, txn->origin_lsn);
		if (origin_name != NULL)
			append_string(out, origin_name);
	}
	if (kind == BR_BEGIN_PREPARE)
		append_string(out, decoder_raw_gid(data, txn));
	end_record(ctx, data, body);
}

static void
binary_commit(LogicalDecodingContext *ctx, DecoderRawData *data,
			  ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	StringInfo	out = data->out;
	uint32		flags = 0;
	int			body;

	if (data->opts.include_xids)
		flags |= BR_XACT_XID;
	if (data->opts.include_lsn)
		flags |= BR_XACT_LSN;
	if (data->opts.include_timestamp)
		flags |= BR_XACT_TIME;

	/*
	 * Right before the commit record and in its message, for the reasons
	 * sql_writer.c gives.
	 */
	if (data->opts.origin_progress)
	{
		body = start_record(ctx, data, BR_ORIGIN);
		append_varint(out, txn->end_lsn);
		append_int64(out, txn->xact_time.commit_time);
		body = next_record(out, body, BR_COMMIT);
	}
	else
		body = start_record(ctx, data, BR_COMMIT);
	append_varint(out, flags);
	if (flags & BR_XACT_XID)
		append_varint(out, txn->xid);
	if (flags & BR_XACT_LSN)
		append_varint(out, commit_lsn);
	if (flags & BR_XACT_TIME)
		append_int64(out, txn->xact_time.commit_time);
	end_record(ctx, data, body);
}

static void
binary_insert(LogicalDecodingContext *ctx, DecoderRawData *data,
			  DecoderRawRelation *rel, HeapTuple newtuple)
{
	StringInfo	out = data->out;
	BinaryRelation *br = binary_relation(data, rel);
	int			body;

	body = start_record(ctx, data, BR_INSERT);
	append_varint(out, rel->id);
	append_tuple(out, rel, br, newtuple, rel->new_values, rel->new_nulls,
				 false);
	end_record(ctx, data, body);
}

/* Old key, or whole old row with REPLICA IDENTITY FULL. */
static void
append_old_tuple(StringInfo out, DecoderRawRelation *rel, BinaryRelation *br,
				 HeapTuple oldtuple)
{
	appendStringInfoChar(out, rel->full_identity ? BR_OLD_ROW : BR_OLD_KEY);
	append_tuple(out, rel, br, oldtuple, rel->old_values, rel->old_nulls,
				 !rel->full_identity);
}

static void
binary_update(LogicalDecodingContext *ctx, DecoderRawData *data,
			  DecoderRawRelation *rel, HeapTuple oldtuple, HeapTuple newtuple)
{
	StringInfo	out = data->out;
	BinaryRelation *br = binary_relation(data, rel);
	int			body;

	body = start_record(ctx, data, BR_UPDATE);
	append_varint(out, rel->id);
	/* the old key is logged only when it changed */
	if (oldtuple != NULL)
		append_old_tuple(out, rel, br, oldtuple);
	else
		appendStringInfoChar(out, BR_OLD_NONE);
	append_tuple(out, rel, br, newtuple, rel->new_values, rel->new_nulls,
				 false);
	end_record(ctx, data, body);
}

static void
binary_delete(LogicalDecodingContext *ctx, DecoderRawData *data,
			  DecoderRawRelation *rel, HeapTuple oldtuple)
{
	StringInfo	out = data->out;
	BinaryRelation *br = binary_relation(data, rel);
	int			body;

	body = start_record(ctx, data, BR_DELETE);
	append_varint(out, rel->id);
	append_old_tuple(out, rel, br, oldtuple);
	end_record(ctx, data, body);
}

static void
binary_truncate(LogicalDecodingContext *ctx, DecoderRawData *data,
				int nrels, DecoderRawRelation **rels,
				bool cascade, bool restart_seqs)
{
	StringInfo	out = data->out;
	uint32		flags = 0;
	int			body;
	int			i;

	if (cascade)
		flags |= BR_TRUNCATE_CASCADE;
	if (restart_seqs)
		flags |= BR_TRUNCATE_RESTART;

	body = start_record(ctx, data, BR_TRUNCATE);
	append_varint(out, flags);
	append_varint(out, nrels);
	for (i = 0; i < nrels; i++)
		append_varint(out, rels[i]->id);
	end_record(ctx, data, body);
}

static void
binary_message(LogicalDecodingContext *ctx, DecoderRawData *data,
			   ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
			   const char *prefix, Size sz, const char *message)
{
	StringInfo	out = data->out;
	uint32		flags = 0;
	int			body;

	if (transactional)
		flags |= BR_MSG_TRANSACTIONAL;
	/* as the SQL format decides between a text and a bytea literal */
	if (memchr(message, '\0', sz) == NULL && pg_verifymbstr(message, sz, true))
		flags |= BR_MSG_TEXT;
	if (data->opts.include_lsn)
		flags |= BR_MSG_LSN;

	body = start_record(ctx, data, BR_MESSAGE);
	append_varint(out, flags);
	if (flags & BR_MSG_LSN)
		append_varint(out, lsn);
	append_string(out, prefix);
	append_bytes(out, message, sz);
	end_record(ctx, data, body);
}

/* Changes left out for lack of a replica identity (version 2). */
static void
binary_skipped(LogicalDecodingContext *ctx, DecoderRawData *data,
			   DecoderRawSkipped *skipped)
{
	StringInfo	out = data->out;
	uint32		flags = 0;
	int			body;

	if (strcmp(skipped->quoted_nspname, skipped->nspname) != 0)
		flags |= BR_SKIP_SCHEMA_QUOTED;
	if (strcmp(skipped->quoted_relname, skipped->relname) != 0)
		flags |= BR_SKIP_NAME_QUOTED;

	body = start_record(ctx, data, BR_SKIPPED);
	append_varint(out, flags);
	append_string(out, skipped->nspname);
	append_string(out, skipped->relname);
	append_varint(out, skipped->xact_updates);
	append_varint(out, skipped->xact_deletes);
	end_record(ctx, data, body);
}

/* ----------
 * Two-phase commit and streamed transactions (version 2 additions)
 * ----------
 */

static void
binary_begin_prepare(LogicalDecodingContext *ctx, DecoderRawData *data,
					 ReorderBufferTXN *txn)
{
	binary_begin_kind(ctx, data, txn, BR_BEGIN_PREPARE);
}

/*
 * Start a record that ends a transaction: with origin-progress, after an
 * origin record in the same message, as for a commit.
 */
static int
start_final_record(LogicalDecodingContext *ctx, DecoderRawData *data,
				   char kind, ReorderBufferTXN *txn)
{
	int			body;

	if (!data->opts.origin_progress)
		return start_record(ctx, data, kind);
	body = start_record(ctx, data, BR_ORIGIN);
	append_varint(data->out, txn->end_lsn);
	append_int64(data->out, txn->xact_time.commit_time);
	return next_record(data->out, body, kind);
}

/* The fields that the include-* options select, after their flags. */
static void
append_xact_fields(StringInfo out, uint32 flags, TransactionId xid,
				   XLogRecPtr lsn, TimestampTz time)
{
	append_varint(out, flags);
	if (flags & BR_XACT_XID)
		append_varint(out, xid);
	if (flags & BR_XACT_LSN)
		append_varint(out, lsn);
	if (flags & BR_XACT_TIME)
		append_int64(out, time);
}

static uint32
xact_flags(DecoderRawData *data)
{
	uint32		flags = 0;

	if (data->opts.include_xids)
		flags |= BR_XACT_XID;
	if (data->opts.include_lsn)
		flags |= BR_XACT_LSN;
	if (data->opts.include_timestamp)
		flags |= BR_XACT_TIME;
	return flags;
}

static void
binary_prepare(LogicalDecodingContext *ctx, DecoderRawData *data,
			   ReorderBufferTXN *txn, XLogRecPtr prepare_lsn)
{
	int			body = start_final_record(ctx, data, BR_PREPARE, txn);

	append_xact_fields(data->out, xact_flags(data), txn->xid, prepare_lsn,
					   txn->xact_time.prepare_time);
	append_string(data->out, decoder_raw_gid(data, txn));
	end_record(ctx, data, body);
}

/*
 * COMMIT PREPARED and ROLLBACK PREPARED run outside a transaction block:
 * their progress is in the record itself, which the SQL of an origin
 * record (SET CONSTRAINTS first) would not suit.
 */
static void
binary_commit_prepared(LogicalDecodingContext *ctx, DecoderRawData *data,
					   ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	StringInfo	out = data->out;
	uint32		flags = xact_flags(data);
	int			body;

	if (data->opts.origin_progress)
		flags |= BR_FINISH_PROGRESS;
	body = start_record(ctx, data, BR_COMMIT_PREPARED);
	append_xact_fields(out, flags, txn->xid, commit_lsn,
					   txn->xact_time.commit_time);
	append_string(out, decoder_raw_gid(data, txn));
	if (flags & BR_FINISH_PROGRESS)
	{
		append_varint(out, txn->end_lsn);
		append_int64(out, txn->xact_time.commit_time);
	}
	end_record(ctx, data, body);
}

static void
binary_rollback_prepared(LogicalDecodingContext *ctx, DecoderRawData *data,
						 ReorderBufferTXN *txn, XLogRecPtr prepare_end_lsn,
						 TimestampTz prepare_time, bool prepare_sent)
{
	StringInfo	out = data->out;
	uint32		flags = xact_flags(data);
	int			body;

	if (!prepare_sent)
		flags |= BR_FINISH_NOT_SENT;
	else if (data->opts.origin_progress)
		flags |= BR_FINISH_PROGRESS;
	body = start_record(ctx, data, BR_ROLLBACK_PREPARED);
	append_xact_fields(out, flags, txn->xid, txn->final_lsn,
					   txn->xact_time.commit_time);
	append_string(out, decoder_raw_gid(data, txn));
	append_varint(out, prepare_end_lsn);
	append_int64(out, prepare_time);
	if (flags & BR_FINISH_PROGRESS)
	{
		append_varint(out, txn->end_lsn);
		append_int64(out, txn->xact_time.commit_time);
	}
	end_record(ctx, data, body);
}

/* A record of one varint, the transaction id. */
static void
xid_record(LogicalDecodingContext *ctx, DecoderRawData *data, char kind,
		   TransactionId xid)
{
	int			body = start_record(ctx, data, kind);

	append_varint(data->out, xid);
	end_record(ctx, data, body);
}

static void
binary_stream_start(LogicalDecodingContext *ctx, DecoderRawData *data,
					ReorderBufferTXN *txn)
{
	int			body = start_record(ctx, data, BR_STREAM_START);

	append_varint(data->out, rbtxn_is_streamed(txn) ? 0 : BR_STREAM_FIRST);
	append_varint(data->out, txn->xid);
	end_record(ctx, data, body);
}

static void
binary_stream_stop(LogicalDecodingContext *ctx, DecoderRawData *data,
				   ReorderBufferTXN *txn)
{
	xid_record(ctx, data, BR_STREAM_STOP, txn->xid);
}

static void
binary_stream_xid(LogicalDecodingContext *ctx, DecoderRawData *data,
				  TransactionId xid)
{
	xid_record(ctx, data, BR_STREAM_XID, xid);
}

/* A subtransaction's abort, or with its own xid twice, the whole one's. */
static void
binary_stream_abort(LogicalDecodingContext *ctx, DecoderRawData *data,
					ReorderBufferTXN *txn, XLogRecPtr abort_lsn)
{
	StringInfo	out = data->out;
	int			body = start_record(ctx, data, BR_STREAM_ABORT);

	append_varint(out, txn->toptxn != NULL ? txn->toptxn->xid : txn->xid);
	append_varint(out, txn->xid);
	append_varint(out, abort_lsn);
	end_record(ctx, data, body);
}

/* Stream commit and stream prepare: the end of a streamed transaction. */
static void
stream_end_record(LogicalDecodingContext *ctx, DecoderRawData *data,
				  ReorderBufferTXN *txn, char kind, XLogRecPtr lsn)
{
	StringInfo	out = data->out;
	int			body = start_final_record(ctx, data, kind, txn);

	append_varint(out, txn->xid);
	append_varint(out, lsn);
	append_varint(out, txn->end_lsn);
	/* commit_time and prepare_time share a union */
	append_int64(out, txn->xact_time.commit_time);
	if (kind == BR_STREAM_PREPARE)
		append_string(out, decoder_raw_gid(data, txn));
	end_record(ctx, data, body);
}

static void
binary_stream_commit(LogicalDecodingContext *ctx, DecoderRawData *data,
					 ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	stream_end_record(ctx, data, txn, BR_STREAM_COMMIT, commit_lsn);
}

static void
binary_stream_prepare(LogicalDecodingContext *ctx, DecoderRawData *data,
					  ReorderBufferTXN *txn, XLogRecPtr prepare_lsn)
{
	stream_end_record(ctx, data, txn, BR_STREAM_PREPARE, prepare_lsn);
}

static void
binary_init(void)
{
	header_written = false;
}

const DecoderRawWriter decoder_raw_binary_writer = {
	.init = binary_init,
	.begin = binary_begin,
	.commit = binary_commit,
	.relation = binary_relation_record,
	.insert = binary_insert,
	.update = binary_update,
	.delete = binary_delete,
	.truncate = binary_truncate,
	.message = binary_message,
	.skipped = binary_skipped,
	.begin_prepare = binary_begin_prepare,
	.prepare = binary_prepare,
	.commit_prepared = binary_commit_prepared,
	.rollback_prepared = binary_rollback_prepared,
	.stream_start = binary_stream_start,
	.stream_stop = binary_stream_stop,
	.stream_xid = binary_stream_xid,
	.stream_abort = binary_stream_abort,
	.stream_commit = binary_stream_commit,
	.stream_prepare = binary_stream_prepare,
};
