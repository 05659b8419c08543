/*-------------------------------------------------------------------------
 *
 * decoder_raw.h
 *		Shared declarations of the decoder_raw output plugin.
 *
 * decoder_raw.c decides what to send (filtering, transaction framing,
 * identity checks); the writers (sql_writer.c, binary_writer.c) decide how
 * it is written, the SQL writer through the rules of common/, which
 * decoder_raw_dump shares.  relcache.c caches per-relation metadata,
 * options.c parses the plugin options, origin.c answers replication origin
 * questions.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DECODER_RAW_H
#define DECODER_RAW_H

#include "access/htup.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "replication/logical.h"
#include "replication/origin.h"
#include "replication/reorderbuffer.h"
#include "utils/relcache.h"

#include "../common/dr_common.h"

/* ----------
 * Options
 * ----------
 */
typedef enum DecoderRawFormat
{
	DR_FORMAT_SQL,
	DR_FORMAT_BINARY
} DecoderRawFormat;

typedef enum DecoderRawMissingIdentity
{
	DR_MISSING_IDENTITY_WARN,
	DR_MISSING_IDENTITY_ERROR
} DecoderRawMissingIdentity;

/*
 * The version of the binary format this build writes.  Version 1 put the
 * origin record after the begin record, which PostgreSQL 16 and later make
 * unsafe; it is read but no longer written.
 */
#define DR_BINARY_FORMAT_VERSION	2

typedef struct DecoderRawOptions
{
	DecoderRawFormat format;
	bool		binary_output;	/* OUTPUT_PLUGIN_BINARY_OUTPUT */
	int			format_version; /* binary format version */
	bool		binary_values;	/* binary format: typsend representation */
	bool		include_transaction;
	bool		skip_empty_xacts;
	bool		include_xids;
	bool		include_timestamp;
	bool		include_lsn;
	bool		include_origin;
	bool		origin_progress;
	bool		only_local;
	List	   *forward_origins;	/* origin names (char *), or NIL */
	List	   *exclude_origins;	/* origin names (char *), or NIL */
	DecoderRawMissingIdentity missing_identity;
	int			message_size;	/* bytes per output message; 0: one record */
	/* what is sent */
	List	   *include_tables; /* DecoderRawTablePattern *, or NIL: all */
	List	   *exclude_tables; /* DecoderRawTablePattern * */
	int			actions;		/* DR_ACTION_* bits */
	List	   *include_message_prefixes;	/* char *, or NIL: all */
	List	   *exclude_message_prefixes;	/* char * */
	List	   *publication_names;	/* char *, or NIL */
	bool		partitions_as_root;
	/* two-phase and streamed transactions */
	char	   *gid_prefix;		/* before every GID written; "" by default */
	bool		stream_changes;
} DecoderRawOptions;

/* The kinds of changes the actions option and publications select. */
#define DR_ACTION_INSERT	0x01
#define DR_ACTION_UPDATE	0x02
#define DR_ACTION_DELETE	0x04
#define DR_ACTION_TRUNCATE	0x08
#define DR_ACTION_MESSAGE	0x10
#define DR_ACTION_ALL		0x1f

typedef struct DecoderRawTablePattern DecoderRawTablePattern;

/*
 * Largest message-size accepted: a message of that size plus one record
 * must fit in a StringInfo, and larger messages gain nothing.
 */
#define DR_MAX_MESSAGE_SIZE		(64 * 1024 * 1024)

/* message-size when none is given, where packing is the default */
#define DR_DEFAULT_MESSAGE_SIZE	(64 * 1024)

extern void decoder_raw_parse_options(List *options, DecoderRawOptions *opts);

/* filter.c */
extern List *decoder_raw_parse_table_patterns(DefElem *elem);
extern bool decoder_raw_table_selected(const DecoderRawOptions *opts,
									   const char *nspname,
									   const char *relname);
extern bool decoder_raw_message_selected(const DecoderRawOptions *opts,
										 const char *prefix);
extern List *decoder_raw_parse_publication_names(DefElem *elem);
extern int	decoder_raw_publication_actions(const DecoderRawOptions *opts,
											Relation rel);
extern void decoder_raw_publications_invalidate(void);

/* ----------
 * Relation cache
 * ----------
 */

/* How a column's values are written; all but GENERIC avoid the fmgr. */
typedef enum DecoderRawColumnKind
{
	DR_COL_GENERIC,				/* type output function */
	DR_COL_BOOL,
	DR_COL_INT2,
	DR_COL_INT4,
	DR_COL_INT8,
	DR_COL_FLOAT4,
	DR_COL_FLOAT8,
	DR_COL_NUMERIC,
	DR_COL_TEXT,				/* text, varchar, bpchar */
	DR_COL_BYTEA,
	DR_COL_DATE,
	DR_COL_TIMESTAMP,
	DR_COL_TIMESTAMPTZ,
	DR_COL_MONEY
} DecoderRawColumnKind;

/*
 * A column as the server sees it.  How statements name and compare it (the
 * rendering hints: key, generated, quoting, equality, ...) is in the
 * relation's rule_cols, as the binary format's column flags.
 */
typedef struct DecoderRawColumn
{
	char	   *name;			/* column name as stored */
	Oid			typid;
	int32		typmod;
	DecoderRawColumnKind kind;
	bool		typisvarlena;
	/* key columns: how the identity index compares, if not as the type */
	char	   *key_coll_nsp;	/* index collation, or NULL */
	char	   *key_coll_name;
	char	   *key_opr_nsp;	/* index equality operator, or NULL */
	char	   *key_opr_name;
	FmgrInfo	outfunc;		/* type output function */
	bool		send_ready;		/* sendfunc looked up */
	bool		has_send;		/* type has a binary send function */
	FmgrInfo	sendfunc;
} DecoderRawColumn;

typedef struct DecoderRawRelation
{
	Oid			relid;			/* hash key: must be first */
	bool		valid;
	MemoryContext cxt;			/* everything below lives here */
	uint32		id;				/* short id, unique within the session */
	bool		sent;			/* binary format: relation record sent */
	char	   *nspname;
	char	   *relname;
	char		relkind;
	char		replident;		/* pg_class.relreplident */
	bool		has_identity;	/* UPDATE/DELETE can be expressed */
	bool		full_identity;	/* REPLICA IDENTITY FULL */
	bool		needs_gucs;		/* output depends on session settings */
	bool		has_identity_always;
	int			actions;		/* DR_ACTION_* sent for it; 0: none */
	/* partitions-as-root: a partition's changes are written as the root's */
	Oid			root_relid;		/* InvalidOid: written as itself */
	struct TupleConversionMap *root_map;	/* NULL: same layout */
	bool		root_identity_ok;	/* old tuples hold the root's key */
	int			ndeps;			/* catalog entries the entry depends on */
	struct DecoderRawDep *deps;
	TupleDesc	desc;			/* copy of the relation's descriptor */
	int			natts;
	DecoderRawColumn *cols;		/* natts entries, by attnum - 1 */
	/* the relation as statements see it: names, flags; rule_cols[natts] */
	dr_relation rules;
	dr_column  *rule_cols;
	/* scratch space for heap_deform_tuple(), natts entries each */
	Datum	   *old_values;
	bool	   *old_nulls;
	Datum	   *new_values;
	bool	   *new_nulls;
	void	   *writer_private; /* writer's derived data, in cxt */
} DecoderRawRelation;

extern void decoder_raw_relcache_init(void);
extern void decoder_raw_relcache_destroy(void);
extern void decoder_raw_relcache_sweep(void);
extern DecoderRawRelation *decoder_raw_get_relation(Relation rel);
extern DecoderRawRelation *decoder_raw_get_root(DecoderRawRelation *entry);
extern void decoder_raw_column_prepare_send(DecoderRawColumn *col);

/* Does column i (0-based) have this DR_BIN_COL_* flag, or DR_COL_DROPPED? */
static inline bool
decoder_raw_column_is(const DecoderRawRelation *rel, int i, uint32 flag)
{
	return (rel->rule_cols[i].flags & flag) != 0;
}

/* ----------
 * Replication origins
 * ----------
 */
extern void decoder_raw_origin_init(void);
extern void decoder_raw_origin_destroy(void);
extern bool decoder_raw_origin_filtered(RepOriginId origin_id);
extern const char *decoder_raw_origin_name(RepOriginId origin_id);

/* ----------
 * Writers
 * ----------
 */
typedef struct DecoderRawData DecoderRawData;

/*
 * The changes of one relation left out for lack of a replica identity:
 * counted in each transaction, reported once per decoding session.
 */
typedef struct DecoderRawSkipped
{
	Oid			relid;			/* hash key: must be first */
	char	   *nspname;		/* copies: the relation may be gone */
	char	   *relname;
	uint32		flags;			/* DR_BIN_SKIP_*_QUOTED */
	uint64		xact_updates;	/* in the transaction being decoded */
	uint64		xact_deletes;
	uint64		unreported;		/* left out since the WARNING */
	bool		warned;			/* WARNING given in this session */
	bool		in_xact;		/* on the transaction's list */
} DecoderRawSkipped;

typedef struct DecoderRawWriter
{
	void		(*init) (void); /* once per decoding session, may be NULL */
	void		(*begin) (LogicalDecodingContext *ctx, DecoderRawData *data,
						  ReorderBufferTXN *txn);
	void		(*commit) (LogicalDecodingContext *ctx, DecoderRawData *data,
						   ReorderBufferTXN *txn, XLogRecPtr commit_lsn);
	/* NULL when the format does not describe relations */
	void		(*relation) (LogicalDecodingContext *ctx, DecoderRawData *data,
							 DecoderRawRelation *rel);
	void		(*insert) (LogicalDecodingContext *ctx, DecoderRawData *data,
						   DecoderRawRelation *rel, HeapTuple newtuple);
	void		(*update) (LogicalDecodingContext *ctx, DecoderRawData *data,
						   DecoderRawRelation *rel, HeapTuple oldtuple,
						   HeapTuple newtuple);
	void		(*delete) (LogicalDecodingContext *ctx, DecoderRawData *data,
						   DecoderRawRelation *rel, HeapTuple oldtuple);
	void		(*truncate) (LogicalDecodingContext *ctx, DecoderRawData *data,
							 int nrels, DecoderRawRelation **rels,
							 bool cascade, bool restart_seqs);
	void		(*message) (LogicalDecodingContext *ctx, DecoderRawData *data,
							ReorderBufferTXN *txn, XLogRecPtr lsn,
							bool transactional, const char *prefix,
							Size sz, const char *message);
	/* changes of a transaction left out: before its commit */
	void		(*skipped) (LogicalDecodingContext *ctx, DecoderRawData *data,
							DecoderRawSkipped *skipped);
	/* two-phase: the BEGIN of a prepared transaction is begin_prepare */
	void		(*begin_prepare) (LogicalDecodingContext *ctx,
								  DecoderRawData *data, ReorderBufferTXN *txn);
	void		(*prepare) (LogicalDecodingContext *ctx, DecoderRawData *data,
							ReorderBufferTXN *txn, XLogRecPtr prepare_lsn);
	void		(*commit_prepared) (LogicalDecodingContext *ctx,
									DecoderRawData *data,
									ReorderBufferTXN *txn,
									XLogRecPtr commit_lsn);
	/* prepare_sent false: its PREPARE was decoded before two-phase began */
	void		(*rollback_prepared) (LogicalDecodingContext *ctx,
									  DecoderRawData *data,
									  ReorderBufferTXN *txn,
									  XLogRecPtr prepare_end_lsn,
									  TimestampTz prepare_time,
									  bool prepare_sent);
	/* streamed transactions; NULL in formats that cannot carry them */
	void		(*stream_start) (LogicalDecodingContext *ctx,
								 DecoderRawData *data, ReorderBufferTXN *txn);
	void		(*stream_stop) (LogicalDecodingContext *ctx,
								DecoderRawData *data, ReorderBufferTXN *txn);
	void		(*stream_xid) (LogicalDecodingContext *ctx,
							   DecoderRawData *data, TransactionId xid);
	void		(*stream_abort) (LogicalDecodingContext *ctx,
								 DecoderRawData *data, ReorderBufferTXN *txn,
								 XLogRecPtr abort_lsn);
	void		(*stream_commit) (LogicalDecodingContext *ctx,
								  DecoderRawData *data, ReorderBufferTXN *txn,
								  XLogRecPtr commit_lsn);
	void		(*stream_prepare) (LogicalDecodingContext *ctx,
								   DecoderRawData *data, ReorderBufferTXN *txn,
								   XLogRecPtr prepare_lsn);
} DecoderRawWriter;

/*
 * What a decoding session keeps between callbacks, beyond its options: the
 * caches of relcache.c, filter.c and origin.c, which live in cache_cxt,
 * under the decoding context, and the writers' state.  decoder_raw_session
 * points to the session being decoded, for the invalidation callbacks,
 * which outlive it; a reset callback of the decoding context clears it.
 */
typedef struct DecoderRawSession
{
	const DecoderRawOptions *opts;
	MemoryContext cache_cxt;	/* child of the decoding context */

	/* relcache.c */
	HTAB	   *relations;		/* DecoderRawRelation by relid */
	DecoderRawRelation *last_relation;	/* changes come in runs */
	uint32		next_relation_id;
	bool		sweep_needed;	/* some entry was invalidated */
	int			relation_dep_entries;	/* entries with relation deps */
	bool		follow_publications;	/* publication-names given */

	/* filter.c: the publications of publication-names */
	MemoryContext publications_cxt;
	List	   *publications;	/* Publication * */
	bool		publications_valid;

	/* origin.c */
	HTAB	   *origins;		/* OriginEntry by RepOriginId */
	MemoryContext origin_names; /* names of the cached origins */
	struct OriginEntry *last_origin;	/* changes come in runs */

	/* binary_writer.c */
	bool		header_written; /* header record of the session */
} DecoderRawSession;

extern DecoderRawSession *decoder_raw_session;

/* Private state of one decoding session. */
struct DecoderRawData
{
	MemoryContext context;		/* reset after every callback */
	DecoderRawOptions opts;
	const DecoderRawWriter *writer;
	DecoderRawSession session;

	/* per-transaction state */
	bool		xact_wrote_begin;	/* BEGIN record written */
	int			guc_nestlevel;	/* > 0 while output settings are pinned */

	StringInfo	scratch;		/* reusable buffer for value text */

	/* changes left out for lack of a replica identity */
	HTAB	   *skipped;		/* DecoderRawSkipped by relid */
	List	   *xact_skipped;	/* entries with changes in this transaction */
	int			skipped_since_progress;

	/*
	 * Where the writers append records: ctx->out itself with message-size 0,
	 * else the pending message, sent by decoder_raw_end_record() when full
	 * and at the latest by the commit callback.
	 */
	StringInfo	out;
	int			record_start;	/* offset of the record being written */
	int			record_body;	/* the same, past the separator */
	int			record_sep;		/* bytes between records: '\n' in SQL */
	bool		in_commit;		/* commit callback: send nothing yet */
	int			pack_keep;		/* capacity kept between messages */

	/* streamed transactions: between stream start and stream stop */
	bool		in_stream;
	TransactionId stream_xid;	/* (sub)transaction of the change at hand */
	TransactionId stream_written_xid;	/* of the last record written */
};

extern const DecoderRawWriter decoder_raw_sql_writer;
extern const DecoderRawWriter decoder_raw_binary_writer;

/* Helpers shared by the writers (decoder_raw.c). */
extern StringInfo decoder_raw_begin_record(LogicalDecodingContext *ctx,
										   DecoderRawData *data);
extern void decoder_raw_restart_record(LogicalDecodingContext *ctx,
									   DecoderRawData *data);
extern void decoder_raw_end_record(LogicalDecodingContext *ctx,
								   DecoderRawData *data);
extern void decoder_raw_pin_output_settings(DecoderRawData *data);
extern void decoder_raw_append_lsn(StringInfo out, XLogRecPtr lsn);
extern void decoder_raw_prepared_xact(DecoderRawData *data,
									  ReorderBufferTXN *txn, XLogRecPtr lsn,
									  dr_xact *xact);
extern void decoder_raw_xact_info(DecoderRawData *data, ReorderBufferTXN *txn,
								  bool is_begin, XLogRecPtr commit_lsn,
								  dr_xact *xact);

/*
 * The rules' output buffer over a StringInfo (value.c).  rel and col say
 * what a literal too large to write belongs to, for the ERROR.
 */
typedef struct DecoderRawOut
{
	dr_out		out;			/* must be first */
	StringInfo	buf;
	DecoderRawRelation *rel;
	DecoderRawColumn *col;
} DecoderRawOut;

extern dr_out *decoder_raw_out(DecoderRawOut *o, StringInfo buf);

/*
 * Room for n more bytes: enlargeStringInfo() is a call, and the values of
 * a row need it several times, almost always with room to spare.
 */
static inline void
decoder_raw_reserve(StringInfo out, int n)
{
	if (n < 0 || n >= out->maxlen - out->len)
		enlargeStringInfo(out, n);
}

/* value.c */
extern void decoder_raw_append_value_text(StringInfo out, DecoderRawColumn *col,
										  Datum value);
extern void decoder_raw_append_timestamp(StringInfo out, TimestampTz ts);
extern void decoder_raw_append_hex(StringInfo out, const char *data, int len);
extern bool decoder_raw_message_is_text(const char *message, Size sz);

/*
 * Is this value an unchanged TOAST pointer, one that an UPDATE did not log?
 * Both formats leave it out.
 */
static inline bool
decoder_raw_value_unchanged(const DecoderRawColumn *col, Datum value,
							bool isnull)
{
	return !isnull && col->typisvarlena &&
		VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(value));
}

/* numeric_text.c */
extern void decoder_raw_append_numeric(StringInfo out, Datum value);

#endif							/* DECODER_RAW_H */
