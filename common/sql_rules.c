/*-------------------------------------------------------------------------
 *
 * sql_rules.c
 *		The statements of decoder_raw's SQL format.
 *
 * Each record is a single line that psql can run on a server with the same
 * schema and that reproduces the change exactly, whatever the session
 * settings of the decoding or of the replaying side:
 *
 * - a replica identity column whose type has no equality operator is
 *   compared through its binary image, or its text form;
 * - with REPLICA IDENTITY FULL, UPDATE and DELETE touch exactly one row
 *   (by ctid), as on the source, even if the table holds duplicates;
 * - a GENERATED ALWAYS identity column is never assigned: its sequence
 *   hands out the new value, and SET says DEFAULT.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "dr_common.h"

#include <inttypes.h>
#include <stdio.h>

/* " -- key value, key value" annotations after BEGIN; and COMMIT; */
static void
annotation(dr_out *out, bool *first, const char *key)
{
	dr_puts(out, *first ? " -- " : ", ");
	dr_puts(out, key);
	dr_putc(out, ' ');
	*first = false;
}

static void
append_uint(dr_out *out, uint64_t n)
{
	char		buf[24];

	dr_append(out, buf, snprintf(buf, sizeof(buf), "%" PRIu64, n));
}

static int
append_timestamp(dr_out *out, int64_t ts)
{
	char		buf[DR_TIMESTAMP_BUFSIZE];
	int			n = dr_put_timestamp(buf, ts, true);

	if (n < 0)
		return -1;
	dr_append(out, buf, n);
	return 0;
}

/* Origin names are free text: keep the line a comment. */
static void
append_origin_name(dr_out *out, const char *name, size_t len)
{
	size_t		i;

	for (i = 0; i < len; i++)
	{
		if (name[i] == '\n' || name[i] == '\r' || name[i] == ',')
		{
			dr_append_literal(out, name, len);
			return;
		}
	}
	dr_append(out, name, len);
}

bool
dr_is_number(const char *s, size_t len, bool fraction)
{
	size_t		i = 0;
	size_t		digits = 0;

	if (i < len && s[i] == '-')
		i++;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (digits == 0)
		return false;
	if (fraction && i < len && s[i] == '.')
	{
		digits = 0;
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
		if (digits == 0)
			return false;
	}
	return i == len;
}

static inline bool
text_is(const char *text, size_t len, const char *s)
{
	return len == strlen(s) && memcmp(text, s, len) == 0;
}

/*
 * Booleans and numbers are written bare; NaN and the infinities are not
 * numeric constants, so they are literals, like every other type's text.
 * Money goes through numeric: its own text form depends on lc_monetary.
 * (decoder_raw_apply's procedure reads a value by its kind as well.)
 */
dr_constant_kind
dr_constant_kind_of(uint32_t type_oid, const char *text, size_t len)
{
	switch (type_oid)
	{
		case DR_BOOLOID:
			return DR_CONST_BOOL;
		case DR_INT2OID:
		case DR_INT4OID:
		case DR_INT8OID:
			return DR_CONST_INTEGER;
		case DR_NUMERICOID:
			if (text_is(text, len, "NaN") || text_is(text, len, "Infinity") ||
				text_is(text, len, "-Infinity"))
				return DR_CONST_LITERAL;
			return DR_CONST_NUMERIC;
		case DR_CASHOID:
			return DR_CONST_MONEY;
		default:
			return DR_CONST_LITERAL;
	}
}

int
dr_sql_constant(dr_out *out, uint32_t type_oid, const char *text, size_t len)
{
	switch (dr_constant_kind_of(type_oid, text, len))
	{
		case DR_CONST_BOOL:
			if (text_is(text, len, "t"))
				dr_puts(out, "true");
			else if (text_is(text, len, "f"))
				dr_puts(out, "false");
			else
				return -1;
			return 0;
		case DR_CONST_INTEGER:
		case DR_CONST_NUMERIC:
			if (!dr_is_number(text, len, type_oid == DR_NUMERICOID))
				return -1;
			dr_append(out, text, len);
			return 0;
		case DR_CONST_MONEY:
			dr_append_literal(out, text, len);
			dr_puts(out, "::pg_catalog.numeric::pg_catalog.money");
			return 0;
		case DR_CONST_LITERAL:
			break;
	}
	dr_append_literal(out, text, len);
	return 0;
}

void
dr_sql_begin(dr_out *out, const dr_xact *xact)
{
	bool		first = true;

	dr_puts(out, "BEGIN;");
	if (xact->flags & DR_BIN_XACT_XID)
	{
		annotation(out, &first, "xid");
		append_uint(out, xact->xid);
	}
	if (xact->flags & DR_BIN_XACT_ORIGIN)
	{
		annotation(out, &first, "origin");
		if (xact->flags & DR_BIN_XACT_ORIGIN_NAME)
			append_origin_name(out, xact->origin_name, xact->origin_name_len);
		else
			append_uint(out, xact->origin_id);
		annotation(out, &first, "origin_lsn");
		dr_append_lsn(out, xact->origin_lsn);
	}
}

/*
 * " -- xid N, lsn X/X, time T" after COMMIT; and the two-phase statements.
 * Returns -1 if the time is out of range.
 */
static int
xact_annotations(dr_out *out, const dr_xact *xact)
{
	bool		first = true;

	if (xact->flags & DR_BIN_XACT_XID)
	{
		annotation(out, &first, "xid");
		append_uint(out, xact->xid);
	}
	if (xact->flags & DR_BIN_XACT_LSN)
	{
		annotation(out, &first, "lsn");
		dr_append_lsn(out, xact->lsn);
	}
	if (xact->flags & DR_BIN_XACT_TIME)
	{
		annotation(out, &first, "time");
		return append_timestamp(out, xact->time);
	}
	return 0;
}

/* Returns -1 if the commit time is out of range. */
int
dr_sql_commit(dr_out *out, const dr_xact *xact)
{
	dr_puts(out, "COMMIT;");
	return xact_annotations(out, xact);
}

/* A two-phase statement, its GID, and the annotations of a COMMIT. */
static int
gid_statement(dr_out *out, const char *statement, const dr_xact *xact)
{
	dr_puts(out, statement);
	dr_append_literal(out, xact->gid, xact->gid_len);
	dr_putc(out, ';');
	return xact_annotations(out, xact);
}

/*
 * PREPARE TRANSACTION 'gid'; it ends the transaction block as COMMIT does,
 * and its origin progress, if any, comes before it in the same way.
 * Returns -1 if the time is out of range.
 */
int
dr_sql_prepare(dr_out *out, const dr_xact *xact)
{
	return gid_statement(out, "PREPARE TRANSACTION ", xact);
}

/*
 * COMMIT PREPARED or ROLLBACK PREPARED 'gid', in a transaction of its own.
 * It runs outside a transaction block, where no deferred constraint is
 * left: the progress it records (progress, or NULL) is set by the line
 * before it alone.  Returns -1 if a time is out of range.
 */
int
dr_sql_finish_prepared(dr_out *out, bool commit, const dr_xact *xact,
					   const dr_progress *progress)
{
	if (progress != NULL)
	{
		if (dr_sql_origin_progress(out, progress->end_lsn, progress->time,
								   false) != 0)
			return -1;
		dr_putc(out, '\n');
	}
	return gid_statement(out, commit ? "COMMIT PREPARED " : "ROLLBACK PREPARED ",
						 xact);
}

/*
 * A ROLLBACK PREPARED whose PREPARE was never written would fail on the
 * target, and no statement can first check for the prepared transaction
 * (ROLLBACK PREPARED cannot run in a function or a transaction block): it
 * is written as a comment.
 */
void
dr_sql_rollback_left_out(dr_out *out, const char *gid, size_t gid_len)
{
	dr_puts(out, "-- ROLLBACK PREPARED ");
	dr_append_literal(out, gid, gid_len);
	dr_puts(out, " left out: the transaction was prepared before two-phase decoding started, and its PREPARE TRANSACTION was not written");
}

/*
 * Origin progress goes right before COMMIT (see sql_writer.c), deferred
 * constraints checked first; "constraints" is false only for version 1
 * streams.  Returns -1 if the time is out of range.
 */
int
dr_sql_origin_progress(dr_out *out, uint64_t end_lsn, int64_t time,
					   bool constraints)
{
	if (constraints)
		dr_puts(out, "SET CONSTRAINTS ALL IMMEDIATE;\n");
	dr_puts(out, DR_XACT_SETUP "('");
	dr_append_lsn(out, end_lsn);
	dr_puts(out, "', '");
	if (append_timestamp(out, time) != 0)
		return -1;
	dr_puts(out, "')" DR_XACT_SETUP_END ";");
	return 0;
}

static inline void
append_name(dr_out *out, const dr_column *col)
{
	dr_append(out, col->quoted, col->quoted_len);
}

/* The name of a column, in a statement that writes the row's values */
static inline void
name_column(dr_out *out, const dr_row *row, const dr_column *col, int i)
{
	if (row->naming != NULL)
		row->naming(row, i);
	dr_append(out, col->quoted, col->quoted_len);
}

static inline void
append_type(dr_out *out, const dr_column *col)
{
	dr_append(out, col->type_name, col->type_name_len);
}

/* INSERT INTO rel (cols) [OVERRIDING SYSTEM VALUE] VALUES (, or DEFAULT */
void
dr_sql_insert_prefix(dr_out *out, const dr_relation *rel)
{
	bool		first = true;
	bool		identity_always = false;
	int			i;

	dr_puts(out, "INSERT INTO ");
	dr_append(out, rel->qualname, rel->qualname_len);
	dr_putc(out, ' ');
	for (i = 0; i < rel->ncols; i++)
	{
		const dr_column *col = &rel->cols[i];

		if (col->flags & DR_COL_DROPPED)
			continue;
		if (col->flags & DR_BIN_COL_IDENTITY_ALWAYS)
			identity_always = true;
		if (col->flags & DR_BIN_COL_GENERATED)
			continue;
		dr_puts(out, first ? "(" : ", ");
		append_name(out, col);
		first = false;
	}
	if (first)
	{
		dr_puts(out, "DEFAULT VALUES");
		return;
	}
	dr_puts(out, ") ");
	if (identity_always)
		dr_puts(out, "OVERRIDING SYSTEM VALUE ");
	dr_puts(out, "VALUES (");
}

/* The values of what the prefix lists, and the statement's end. */
void
dr_sql_insert_values(dr_out *out, const dr_relation *rel, const dr_row *row)
{
	bool		first = true;
	int			i;

	for (i = 0; i < rel->ncols; i++)
	{
		if (rel->cols[i].flags & (DR_COL_DROPPED | DR_BIN_COL_GENERATED))
			continue;
		if (!first)
			dr_append(out, ", ", 2);
		first = false;

		switch (row->state(row, i))
		{
			case DR_VALUE_NULL:
				dr_append(out, "NULL", 4);
				break;
			case DR_VALUE_PRESENT:
				row->append_value(row, out, i);
				break;
			default:
				row->fail(row, DR_ERR_INSERT_VALUE, i);
				break;
		}
	}
	dr_puts(out, first ? ";" : ");");
}

/* [ONLY ]rel: ONLY where inheritance children would be touched too */
static void
append_only_rel(dr_out *out, const dr_relation *rel)
{
	if (rel->flags & DR_BIN_REL_ONLY)
		dr_append(out, "ONLY ", 5);
	dr_append(out, rel->qualname, rel->qualname_len);
}

void
dr_sql_update_prefix(dr_out *out, const dr_relation *rel)
{
	dr_puts(out, "UPDATE ");
	append_only_rel(out, rel);
	dr_puts(out, " SET ");
}

void
dr_sql_delete_prefix(dr_out *out, const dr_relation *rel)
{
	dr_puts(out, "DELETE FROM ");
	append_only_rel(out, rel);
	dr_puts(out, " WHERE ");
}

/*
 * Can the update have changed this GENERATED ALWAYS identity column?  Only
 * SET col = DEFAULT does that, and it is known only where the old value is
 * logged: for key columns, or for all with REPLICA IDENTITY FULL.  The
 * caller compares the old and new values of the columns this accepts.
 */
bool
dr_identity_may_change(const dr_relation *rel, int i, bool old_logged)
{
	uint32_t	flags = rel->cols[i].flags;

	return old_logged && (flags & DR_BIN_COL_IDENTITY_ALWAYS) &&
		!(flags & DR_COL_DROPPED) &&
		((flags & DR_BIN_COL_KEY) || dr_relation_full(rel));
}

/*
 * Such a column cannot be assigned, only set to DEFAULT: have its sequence
 * hand out the new value next.  "value" is the new value's text.
 */
void
dr_sql_setval(dr_out *out, const dr_relation *rel, int i,
			  const char *value, size_t len)
{
	const dr_column *col = &rel->cols[i];

	dr_puts(out, "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(");
	dr_append_literal(out, rel->plain_qualname, rel->plain_qualname_len);
	dr_append(out, ", ", 2);
	dr_append_literal(out, col->name, col->name_len);
	dr_append(out, "), ", 3);
	dr_append(out, value, len);
	dr_puts(out, ", false);");
}

/*
 * The assignments of an UPDATE: every column but generated and GENERATED
 * ALWAYS ones, and but unchanged TOAST values, which the WAL does not hold.
 * Returns how many were written.
 */
int
dr_sql_set_list(dr_out *out, const dr_relation *rel, const dr_row *row,
				const bool *identity_changed)
{
	int			n = 0;
	int			i;

	for (i = 0; i < rel->ncols; i++)
	{
		const dr_column *col = &rel->cols[i];
		dr_value_state state;

		if (identity_changed != NULL && identity_changed[i])
		{
			if (n++ > 0)
				dr_append(out, ", ", 2);
			name_column(out, row, col, i);
			dr_append(out, " = DEFAULT", 10);
			continue;
		}
		if (col->flags & (DR_COL_DROPPED | DR_BIN_COL_GENERATED |
						  DR_BIN_COL_IDENTITY_ALWAYS))
			continue;
		state = row->state(row, i);
		if (state == DR_VALUE_UNCHANGED)
			continue;
		if (n++ > 0)
			dr_append(out, ", ", 2);
		name_column(out, row, col, i);
		dr_append(out, " = ", 3);
		if (state == DR_VALUE_NULL)
			dr_append(out, "NULL", 4);
		else if (state == DR_VALUE_PRESENT)
			row->append_value(row, out, i);
		else
			row->fail(row, DR_ERR_SET_VALUE, i);
	}
	return n;
}

/*
 * Nothing assignable changed in the WAL's view (only unchanged TOAST or
 * generated columns): the row stays as it is, but say so.
 */
void
dr_sql_unassigned(dr_out *out, const dr_relation *rel)
{
	dr_puts(out, "-- UPDATE on ");
	dr_append(out, rel->qualname, rel->qualname_len);
	dr_puts(out, " changed no column that can be assigned");
}

/* A FULL comparison of a column with a value's image, or its text form. */
static void
append_image_condition(dr_out *out, const dr_row *row, const dr_column *col,
					   dr_compare cmp, int i)
{
	switch (cmp)
	{
		case DR_CMP_IMAGE:

			/*
			 * No equality operator (json, point, ...), or, to find the very
			 * row of a FULL match, one that calls different values equal (1.5
			 * and 1.50, 0 and -0): compare binary images, which no session
			 * setting of the replaying side affects.
			 */
			dr_puts(out, "pg_catalog.record_image_eq(ROW(");
			name_column(out, row, col, i);
			dr_puts(out, "), ROW((");
			row->append_value(row, out, i);
			dr_puts(out, ")::");
			append_type(out, col);
			dr_puts(out, "))");
			break;
		case DR_CMP_RECORD_IMAGE:
			/* a composite's fields by image, whatever its layout on disk */
			dr_puts(out, "pg_catalog.record_image_eq(");
			name_column(out, row, col, i);
			dr_puts(out, ", (");
			row->append_value(row, out, i);
			dr_puts(out, ")::");
			append_type(out, col);
			dr_putc(out, ')');
			break;
		case DR_CMP_TEXT:
			dr_putc(out, '(');
			name_column(out, row, col, i);
			dr_puts(out, ")::pg_catalog.text = ");
			row->append_value(row, out, i);
			break;
		default:
			break;
	}
}

/* Equal, and the same text form in the replaying session. */
static void
append_equal_text_condition(dr_out *out, const dr_row *row,
							const dr_column *col, int i)
{
	dr_putc(out, '(');
	name_column(out, row, col, i);
	dr_puts(out, " = (");
	row->append_value(row, out, i);
	dr_puts(out, ")::");
	append_type(out, col);
	dr_puts(out, " AND (");
	name_column(out, row, col, i);
	dr_puts(out, ")::pg_catalog.text = ((");
	row->append_value(row, out, i);
	dr_puts(out, ")::");
	append_type(out, col);
	dr_puts(out, ")::pg_catalog.text)");
}

/* One column's condition that finds the row, the value present. */
static void
append_condition(dr_out *out, const dr_relation *rel, const dr_row *row,
				 int i)
{
	const dr_column *col = &rel->cols[i];
	dr_compare	cmp = dr_column_compare(col->flags, dr_relation_full(rel));

	switch (cmp)
	{
		case DR_CMP_EQUAL:
			name_column(out, row, col, i);
			if (col->key_cmp != NULL)
				dr_append(out, col->key_cmp, col->key_cmp_len);
			else
				dr_append(out, " = ", 3);
			row->append_value(row, out, i);
			if (col->flags & DR_BIN_COL_CAST_EQUALITY)
			{
				dr_append(out, "::", 2);
				append_type(out, col);
			}
			break;
		case DR_CMP_EQUAL_TEXT:
			append_equal_text_condition(out, row, col, i);
			break;
		case DR_CMP_NONE:
			row->fail(row, DR_ERR_NO_EXACT, i);
			break;
		default:
			append_image_condition(out, row, col, cmp, i);
			break;
	}
}

/* The identity key columns, or every column with REPLICA IDENTITY FULL. */
static void
append_where(dr_out *out, const dr_relation *rel, const dr_row *row)
{
	bool		full = dr_relation_full(rel);
	bool		first = true;
	int			i;

	for (i = 0; i < rel->ncols; i++)
	{
		const dr_column *col = &rel->cols[i];
		dr_value_state state;

		if ((col->flags & DR_COL_DROPPED) ||
			!(full || (col->flags & DR_BIN_COL_KEY)))
			continue;
		if (!first)
			dr_append(out, " AND ", 5);
		first = false;

		state = row->state(row, i);
		if (state == DR_VALUE_NULL)
		{
			name_column(out, row, col, i);
			dr_append(out, " IS NULL", 8);
		}
		else if (state == DR_VALUE_PRESENT)
			append_condition(out, rel, row, i);
		else
			row->fail(row, DR_ERR_KEY_VALUE, i);
	}
	if (first)
		dr_puts(out, "true");	/* FULL on a table without columns */
}

/* The condition after WHERE; with FULL identity, one row only, by ctid. */
void
dr_sql_row_condition(dr_out *out, const dr_relation *rel, const dr_row *row)
{
	if (dr_relation_full(rel))
	{
		dr_puts(out, "ctid = (SELECT ctid FROM ");
		append_only_rel(out, rel);
		dr_puts(out, " WHERE ");
		append_where(out, rel, row);
		dr_puts(out, " LIMIT 1);");
	}
	else
	{
		append_where(out, rel, row);
		dr_putc(out, ';');
	}
}

/*
 * How a key column is compared when its identity index compares otherwise
 * than its type: with the index's collation and equality operator (empty
 * names: the column's own).  Written once per relation.
 */
void
dr_sql_key_comparison(dr_out *out,
					  const char *coll_schema, size_t coll_schema_len,
					  const char *coll_name, size_t coll_name_len,
					  const char *opr_schema, size_t opr_schema_len,
					  const char *opr_name, size_t opr_name_len)
{
	if (coll_name_len > 0)
	{
		dr_puts(out, " COLLATE ");
		dr_append_ident(out, coll_schema, coll_schema_len, true);
		dr_putc(out, '.');
		dr_append_ident(out, coll_name, coll_name_len, true);
	}
	if (opr_name_len > 0)
	{
		dr_puts(out, " OPERATOR(");
		dr_append_ident(out, opr_schema, opr_schema_len, true);
		dr_putc(out, '.');
		dr_append(out, opr_name, opr_name_len);
		dr_puts(out, ") ");
	}
	else
		dr_append(out, " = ", 3);
}

void
dr_sql_truncate(dr_out *out, const dr_relation *const *rels, int nrels,
				bool cascade, bool restart_seqs)
{
	int			i;

	dr_puts(out, "TRUNCATE ");
	for (i = 0; i < nrels; i++)
	{
		if (i > 0)
			dr_append(out, ", ", 2);
		/* ONLY, where allowed: children are listed if they are truncated */
		if (rels[i]->relkind != 'p')
			dr_append(out, "ONLY ", 5);
		dr_append(out, rels[i]->qualname, rels[i]->qualname_len);
	}
	if (restart_seqs)
		dr_puts(out, " RESTART IDENTITY");
	if (cascade)
		dr_puts(out, " CASCADE");
	dr_putc(out, ';');
}

/*
 * A message is written as the call that emits it again, so the output stays
 * executable and a cascaded consumer sees the message too.  Content that is
 * not text comes as bytea's hex form, and is cast back.
 */
void
dr_sql_message(dr_out *out, bool transactional,
			   const char *prefix, size_t prefix_len,
			   const char *content, size_t content_len, bool bytea_hex)
{
	dr_puts(out, "SELECT pg_catalog.pg_logical_emit_message(");
	dr_puts(out, transactional ? "true, " : "false, ");
	dr_append_literal(out, prefix, prefix_len);
	dr_append(out, ", ", 2);
	dr_append_literal(out, content, content_len);
	if (bytea_hex)
		dr_puts(out, "::pg_catalog.bytea");
	dr_puts(out, ");");
}

/* Changes left out for lack of a replica identity: a comment line. */
void
dr_sql_skipped(dr_out *out, uint64_t updates, uint64_t deletes,
			   const char *schema, size_t schema_len, bool schema_quoted,
			   const char *name, size_t name_len, bool name_quoted)
{
	dr_puts(out, "-- ");
	append_uint(out, updates);
	dr_puts(out, " UPDATE and ");
	append_uint(out, deletes);
	dr_puts(out, " DELETE on ");
	dr_append_ident(out, schema, schema_len, schema_quoted);
	dr_putc(out, '.');
	dr_append_ident(out, name, name_len, name_quoted);
	dr_puts(out, " left out: the table has no replica identity");
}
