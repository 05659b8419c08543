/*-------------------------------------------------------------------------
 *
 * dr_common.h
 *		The rules that turn a change into SQL, shared by the plugin and
 *		its client programs.
 *
 * decoder_raw's SQL format is written in two places: by the plugin, from
 * Datums and its relation cache (src/sql_writer.c), and by decoder_raw_dump,
 * from binary records (reader/decoder_raw_dump.c).  Both are adapters over
 * the functions below, so that the two write the same bytes by
 * construction:
 *
 * - quote.c: string literals (E'' where needed, the word-at-a-time scan),
 *   identifiers (double quotes, U&"" for control characters), bytea hex;
 * - text.c: LSN and timestamp text, as PostgreSQL writes them under
 *   DateStyle ISO and TimeZone UTC;
 * - sql_rules.c: the statements: which columns an INSERT lists, what SET
 *   assigns, how WHERE finds the row, TRUNCATE, messages, annotations.
 *
 * The code is plain C99 and needs nothing but the C library: it includes
 * no PostgreSQL header, allocates nothing and reports errors through the
 * caller's callbacks, which must not return.  Output goes through dr_out,
 * which the plugin implements over a StringInfo and the programs over their
 * own buffers.  binary_format.h holds the binary format's constants; the
 * column and relation flags below are that format's.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DR_COMMON_H
#define DR_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "binary_format.h"

/* ----------
 * Output buffer
 *
 * The adapter embeds a dr_out as the first member of its own state.  A
 * buffer holds "len" bytes; reserve() makes room for n more and returns its
 * start (which may move), set_len() says how many it now holds.  With
 * max_len, a buffer must stay below max_len bytes: too_large() is told the
 * size a literal would need, and does not return.  long_literal(), if set,
 * is told of a string constant of DR_MAX_LITERAL bytes or more, and does
 * not return either.
 * ----------
 */

/*
 * The server's SQL scanner holds a string constant in a buffer of a power
 * of two bytes, which must stay under its 1 GB allocation limit: a
 * constant of 512 MB or more cannot be parsed, whatever the statement's
 * size.
 */
#define DR_MAX_LITERAL ((size_t) 1 << 29)
typedef struct dr_out dr_out;

struct dr_out
{
	void		(*append) (dr_out *out, const char *data, size_t len);
	char	   *(*reserve) (dr_out *out, size_t n, size_t *len);
	void		(*set_len) (dr_out *out, size_t len);
	size_t		max_len;		/* 0: no limit */
	void		(*too_large) (dr_out *out, size_t needed);
	void		(*long_literal) (dr_out *out, size_t len);
};

static inline void
dr_append(dr_out *out, const char *data, size_t len)
{
	out->append(out, data, len);
}

static inline void
dr_puts(dr_out *out, const char *s)
{
	out->append(out, s, strlen(s));
}

static inline void
dr_putc(dr_out *out, char c)
{
	out->append(out, &c, 1);
}

/* ----------
 * Text forms (quote.c, text.c)
 * ----------
 */

/* An SQL string literal: E'' when it holds a backslash or control char. */
extern void dr_append_literal(dr_out *out, const char *s, size_t len);

/* Bytes the escaped form of [p, end) takes, quotes and E apart. */
extern size_t dr_escaped_size(const unsigned char *p, const unsigned char *end);

/*
 * An identifier: as it is unless quoted, else between double quotes, or as
 * a U&"" identifier when it holds a control character, whose escapes keep
 * the line whole.  The plain form is what pg_get_serial_sequence() parses
 * from text: double quotes only, control characters inside them.
 */
extern void dr_append_ident(dr_out *out, const char *name, size_t len,
							bool quoted);
extern void dr_append_plain_ident(dr_out *out, const char *name, size_t len,
								  bool quoted);

/* bytea's hex form, "\x" and two digits a byte, at dst: 2 + 2 * len bytes */
extern size_t dr_put_hex(char *dst, const unsigned char *data, size_t len);

/*
 * LSN "X/X", and a timestamp in ISO form in UTC ("2026-11-21
 * 08:03:20.626282[+00][ BC]", "infinity", "-infinity"), at dst, which holds
 * DR_LSN_BUFSIZE / DR_TIMESTAMP_BUFSIZE bytes; NUL-terminated.  They return
 * the length; the timestamp -1, having written nothing, for a time outside
 * PostgreSQL's range (4714-11-24 BC to 294276 AD).  Times are microseconds
 * since 2000-01-01 UTC.
 */
#define DR_LSN_BUFSIZE 18
#define DR_TIMESTAMP_BUFSIZE 48
extern int	dr_put_lsn(char *dst, uint64_t lsn);
extern int	dr_put_timestamp(char *dst, int64_t ts, bool with_tz);
extern bool dr_timestamp_valid(int64_t ts);

extern void dr_append_lsn(dr_out *out, uint64_t lsn);

/*
 * Built-in types whose SQL constants are written specially: their OIDs are
 * fixed in pg_type.dat.
 */
#define DR_BOOLOID		16
#define DR_INT8OID		20
#define DR_INT2OID		21
#define DR_INT4OID		23
#define DR_CASHOID		790
#define DR_NUMERICOID	1700

/* Digits with an optional minus sign, and a fraction if allowed. */
extern bool dr_is_number(const char *s, size_t len, bool fraction);

/* how dr_sql_constant() writes a value */
typedef enum dr_constant_kind
{
	DR_CONST_LITERAL,			/* a quoted literal */
	DR_CONST_BOOL,				/* true or false */
	DR_CONST_INTEGER,			/* digits */
	DR_CONST_NUMERIC,			/* digits with a fraction */
	DR_CONST_MONEY				/* a literal cast through numeric */
} dr_constant_kind;

extern dr_constant_kind dr_constant_kind_of(uint32_t type_oid, const char *text,
											size_t len);

/*
 * A value of the given type, from its text form (money's as numeric), as an
 * SQL constant.  Returns -1 for text that the type's output cannot give.
 */
extern int	dr_sql_constant(dr_out *out, uint32_t type_oid, const char *text,
							size_t len);

/* ----------
 * Relations as the statements see them
 * ----------
 */

/* Column flags: the binary format's DR_BIN_COL_*, and one never sent. */
#define DR_COL_DROPPED		0x80000000u

typedef struct dr_column
{
	uint32_t	flags;			/* DR_BIN_COL_*, DR_COL_DROPPED */
	const char *name;			/* as stored */
	size_t		name_len;
	const char *quoted;			/* as SQL names it */
	size_t		quoted_len;
	const char *type_name;		/* qualified, as a cast writes it */
	size_t		type_name_len;
	const char *key_cmp;		/* between a key and its value; NULL: " = " */
	size_t		key_cmp_len;
} dr_column;

typedef struct dr_relation
{
	const char *qualname;		/* quoted schema.relation */
	size_t		qualname_len;
	const char *plain_qualname; /* the same as pg_get_serial_sequence() text */
	size_t		plain_qualname_len;
	char		relkind;		/* pg_class.relkind */
	char		replident;		/* pg_class.relreplident */
	uint32_t	flags;			/* DR_BIN_REL_* */
	int			ncols;
	const dr_column *cols;
} dr_relation;

static inline bool
dr_relation_full(const dr_relation *rel)
{
	return rel->replident == 'f';
}

/* How a column finds the row; "full": under REPLICA IDENTITY FULL. */
typedef enum dr_compare
{
	DR_CMP_EQUAL,				/* col = value: equal values are identical */
	DR_CMP_IMAGE,				/* record_image_eq(ROW(col), ROW(value)) */
	DR_CMP_RECORD_IMAGE,		/* record_image_eq(col, value), composites */
	DR_CMP_TEXT,				/* col::text = value, setting-free output */
	DR_CMP_EQUAL_TEXT,			/* col = value and the same text form */
	DR_CMP_NONE					/* no exact comparison */
} dr_compare;

static inline dr_compare
dr_column_compare(uint32_t flags, bool full)
{
	if (full)
	{
		if (flags & DR_BIN_COL_NO_EXACT)
			return DR_CMP_NONE;
		if (flags & DR_BIN_COL_RECORD_IMAGE)
			return DR_CMP_RECORD_IMAGE;
		if (flags & DR_BIN_COL_EQUAL_TEXT)
			return DR_CMP_EQUAL_TEXT;
		if (flags & DR_BIN_COL_TEXT_IMAGE)
			return DR_CMP_TEXT;
		if (flags & DR_BIN_COL_INEXACT_EQUALITY)
			return DR_CMP_IMAGE;
	}
	return (flags & DR_BIN_COL_NO_EQUALITY) ? DR_CMP_IMAGE : DR_CMP_EQUAL;
}

/* The flags a FULL comparison is written as: the inverse of the above. */
static inline uint32_t
dr_compare_flags(dr_compare cmp)
{
	switch (cmp)
	{
		case DR_CMP_RECORD_IMAGE:
			return DR_BIN_COL_RECORD_IMAGE;
		case DR_CMP_TEXT:
			return DR_BIN_COL_TEXT_IMAGE;
		case DR_CMP_EQUAL_TEXT:
			return DR_BIN_COL_EQUAL_TEXT;
		case DR_CMP_NONE:
			return DR_BIN_COL_NO_EXACT;
		default:
			return 0;
	}
}

/* ----------
 * Rows: the adapter's values, by column index
 * ----------
 */
/* What the rules cannot write; fail() does not return. */
typedef enum dr_error
{
	DR_ERR_INSERT_VALUE,		/* no value for a column of an INSERT */
	DR_ERR_SET_VALUE,			/* nor of a SET clause */
	DR_ERR_KEY_VALUE,			/* nor for a column that finds the row */
	DR_ERR_NO_EXACT				/* no exact comparison for the column */
} dr_error;

/* The adapter embeds a dr_row as the first member of its own state. */
typedef struct dr_row dr_row;

struct dr_row
{
	dr_value_state (*state) (const dr_row *row, int i);
	/* the value, present, as an SQL constant */
	void		(*append_value) (const dr_row *row, dr_out *out, int i);
	void		(*fail) (const dr_row *row, dr_error error, int i);
	/* NULL, or told before a column is named, to check the name */
	void		(*naming) (const dr_row *row, int i);
};

/* ----------
 * Statements (sql_rules.c)
 * ----------
 */

/* What BEGIN and COMMIT records are annotated with (DR_BIN_XACT_*). */
typedef struct dr_xact
{
	uint32_t	flags;
	uint32_t	xid;
	uint64_t	lsn;			/* commit LSN */
	int64_t		time;			/* commit time */
	uint32_t	origin_id;
	uint64_t	origin_lsn;
	const char *origin_name;	/* with DR_BIN_XACT_ORIGIN_NAME */
	size_t		origin_name_len;
	const char *gid;			/* of a prepared transaction */
	size_t		gid_len;
} dr_xact;

/*
 * The call that sets a transaction's origin progress, as written before its
 * COMMIT: "SELECT WHERE " DR_XACT_SETUP "('X/X', 'time')" DR_XACT_SETUP_END.
 * From PostgreSQL 16 on an abort records that progress too, so nothing
 * that could abort may follow the call: as the qual of a SELECT without
 * FROM it runs once, after the executor's last interrupt check, and returns
 * no row, so that a signal, a cancel or a lost client is acted on only
 * after COMMIT (doc/topologies.md).
 */
#define DR_XACT_SETUP "SELECT WHERE pg_catalog.pg_replication_origin_xact_setup"
#define DR_XACT_SETUP_END " IS NULL"

/* The origin progress that COMMIT PREPARED and ROLLBACK PREPARED record */
typedef struct dr_progress
{
	uint64_t	end_lsn;
	int64_t		time;
} dr_progress;

extern void dr_sql_begin(dr_out *out, const dr_xact *xact);
extern int	dr_sql_commit(dr_out *out, const dr_xact *xact);
extern int	dr_sql_origin_progress(dr_out *out, uint64_t end_lsn, int64_t time,
								   bool constraints);
extern int	dr_sql_prepare(dr_out *out, const dr_xact *xact);
extern int	dr_sql_finish_prepared(dr_out *out, bool commit,
								   const dr_xact *xact,
								   const dr_progress *progress);
extern void dr_sql_rollback_left_out(dr_out *out, const char *gid,
									 size_t gid_len);

extern void dr_sql_insert_prefix(dr_out *out, const dr_relation *rel);
extern void dr_sql_insert_values(dr_out *out, const dr_relation *rel,
								 const dr_row *row);

extern void dr_sql_update_prefix(dr_out *out, const dr_relation *rel);
extern bool dr_identity_may_change(const dr_relation *rel, int i,
								   bool old_logged);
extern void dr_sql_setval(dr_out *out, const dr_relation *rel, int i,
						  const char *value, size_t len);
extern int	dr_sql_set_list(dr_out *out, const dr_relation *rel,
							const dr_row *row, const bool *identity_changed);
extern void dr_sql_unassigned(dr_out *out, const dr_relation *rel);

extern void dr_sql_delete_prefix(dr_out *out, const dr_relation *rel);
extern void dr_sql_row_condition(dr_out *out, const dr_relation *rel,
								 const dr_row *row);

extern void dr_sql_key_comparison(dr_out *out,
								  const char *coll_schema, size_t coll_schema_len,
								  const char *coll_name, size_t coll_name_len,
								  const char *opr_schema, size_t opr_schema_len,
								  const char *opr_name, size_t opr_name_len);

extern void dr_sql_truncate(dr_out *out, const dr_relation *const *rels,
							int nrels, bool cascade, bool restart_seqs);
extern void dr_sql_message(dr_out *out, bool transactional,
						   const char *prefix, size_t prefix_len,
						   const char *content, size_t content_len,
						   bool bytea_hex);
extern void dr_sql_skipped(dr_out *out, uint64_t updates, uint64_t deletes,
						   const char *schema, size_t schema_len,
						   bool schema_quoted,
						   const char *name, size_t name_len,
						   bool name_quoted);

#endif							/* DR_COMMON_H */
