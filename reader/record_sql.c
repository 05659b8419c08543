/*-------------------------------------------------------------------------
 *
 * record_sql.c
 *		The SQL of a binary record, by common/'s rules: what decoder_raw's
 *		SQL format writes for the same change (record_sql.h).
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "record_sql.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t	drs_record_offset;

static drs_hooks hooks;

static void fail_input(const char *fmt,...) DRS_PRINTF(1, 2) DRS_NORETURN;
static void fail_write(const char *fmt,...) DRS_PRINTF(1, 2) DRS_NORETURN;

static void fail_with(drs_failure kind, const char *fmt, va_list ap) DRS_PRINTF(2, 0) DRS_NORETURN;

static void
fail_with(drs_failure kind, const char *fmt, va_list ap)
{
	char		msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	hooks.fail(hooks.arg, kind, msg);
	abort();					/* the hook does not return */
}

static void
fail_input(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	fail_with(DRS_BAD_INPUT, fmt, ap);
	va_end(ap);
}

static void
fail_write(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	fail_with(DRS_CANNOT_WRITE, fmt, ap);
	va_end(ap);
}

void
drs_init(const drs_hooks *h)
{
	hooks = *h;
}

static void
emit(strbuf *sb)
{
	hooks.emit(hooks.arg, sb);
	sb->len = 0;
	if (sb->data != NULL)
		sb->data[0] = '\0';
}

void
sb_reserve(strbuf *sb, size_t more)
{
	if (sb->size - sb->len < more + 1)
	{
		size_t		size = sb->size ? sb->size : 256;
		char	   *data;

		while (size - sb->len < more + 1)
		{
			if (size > SIZE_MAX / 2)
				fail_write("out of memory");
			size *= 2;
		}
		data = realloc(sb->data, size);
		if (data == NULL)
			fail_write("out of memory");
		sb->data = data;
		sb->size = size;
	}
}

void
sb_append(strbuf *sb, const void *data, size_t len)
{
	sb_reserve(sb, len);
	if (len > 0)
		memcpy(sb->data + sb->len, data, len);
	sb->len += len;
	sb->data[sb->len] = '\0';
}

void
sb_puts(strbuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

void
sb_putc(strbuf *sb, char c)
{
	sb_append(sb, &c, 1);
}

void
sb_printf(strbuf *sb, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fail_write("could not format output");
	sb_reserve(sb, (size_t) n);
	va_start(ap, fmt);
	vsnprintf(sb->data + sb->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t) n;
}

static void
sbo_append(dr_out *out, const char *data, size_t len)
{
	sb_append((strbuf *) out, data, len);
}

static char *
sbo_reserve(dr_out *out, size_t n, size_t *len)
{
	strbuf	   *sb = (strbuf *) out;

	sb_reserve(sb, n);
	*len = sb->len;
	return sb->data;
}

static void
sbo_set_len(dr_out *out, size_t len)
{
	strbuf	   *sb = (strbuf *) out;

	sb->len = len;
	sb->data[len] = '\0';
}

/* The rules' buffer over sb: no size limit but memory. */
dr_out *
sb_out(strbuf *sb)
{
	sb->out.append = sbo_append;
	sb->out.reserve = sbo_reserve;
	sb->out.set_len = sbo_set_len;
	sb->out.max_len = 0;
	sb->out.too_large = NULL;
	sb->out.long_literal = NULL;
	return &sb->out;
}

void
sb_lsn(strbuf *sb, uint64_t lsn)
{
	dr_append_lsn(sb_out(sb), lsn);
}

void
drs_check_timestamp(int64_t t, uint64_t offset)
{
	if (!dr_timestamp_valid(t))
		fail_input("offset %" PRIu64 ": timestamp %" PRId64 " is out of range",
				   offset, t);
}

void
sb_timestamp(strbuf *sb, int64_t t, uint64_t offset)
{
	drs_check_timestamp(t, offset);
	sb_reserve(sb, DR_TIMESTAMP_BUFSIZE);
	sb->len += dr_put_timestamp(sb->data + sb->len, t, true);
}

/* An SQL string literal, as decoder_raw's SQL format writes it. */
void
sb_literal(strbuf *sb, const unsigned char *s, size_t len)
{
	dr_append_literal(sb_out(sb), (const char *) s, len);
}

void
sb_hex(strbuf *sb, const unsigned char *s, size_t len)
{
	sb_reserve(sb, 2 + 2 * len);
	sb->len += dr_put_hex(sb->data + sb->len, s, len);
	sb->data[sb->len] = '\0';
}

/* A name the stream leaves bare: only what quote_identifier() leaves so. */
void
drs_check_bare_name(const char *name, size_t len)
{
	size_t		i;

	for (i = 0; i < len; i++)
	{
		char		c = name[i];

		if (!((c >= 'a' && c <= 'z') || c == '_' ||
			  (i > 0 && c >= '0' && c <= '9')))
			fail_input("offset %" PRIu64 ": name \"%.*s\" needs quotes, but the stream says it does not",
					   drs_record_offset, (int) len, name);
	}
	if (len == 0)
		fail_input("offset %" PRIu64 ": an empty name needs quotes, but the stream says it does not",
				   drs_record_offset);
}

/* An identifier, quoted when the plugin said it must be. */
void
sb_ident(strbuf *sb, const char *name, size_t len, int quoted)
{
	if (!quoted)
		drs_check_bare_name(name, len);
	dr_append_ident(sb_out(sb), name, len, quoted != 0);
}

void
sb_qualname(strbuf *sb, const drr_relation *rel)
{
	sb_ident(sb, rel->schema, rel->schema_len,
			 (rel->flags & DRR_REL_SCHEMA_QUOTED) != 0);
	sb_putc(sb, '.');
	sb_ident(sb, rel->name, rel->name_len,
			 (rel->flags & DRR_REL_NAME_QUOTED) != 0);
}

void
sb_colname(strbuf *sb, const drr_column *col)
{
	sb_ident(sb, col->name, col->name_len, (col->flags & DRR_COL_QUOTED) != 0);
}


/* An operator name, as OPERATOR() takes it: symbols only. */
int
drs_operator_valid(const drr_column *col)
{
	size_t		i;

	for (i = 0; i < col->key_opr_name_len; i++)
	{
		if (strchr("+-*/<>=~!@#%^&|`?", col->key_opr_name[i]) == NULL)
			return 0;
	}
	return 1;
}

void		DRS_NORETURN
drs_bad_operator(const drr_column *col)
{
	fail_input("offset %" PRIu64 ": invalid operator name \"%s\" for column \"%s\"",
			   drs_record_offset, col->key_opr_name, col->name);
}

/* How a key column is compared: as its identity index compares it. */
void
sb_key_comparison(strbuf *sb, const drr_column *col)
{
	if (!(col->flags & DRR_COL_KEY_COMPARISON))
	{
		sb_append(sb, " = ", 3);
		return;
	}
	dr_sql_key_comparison(sb_out(sb),
						  col->key_coll_schema, col->key_coll_schema_len,
						  col->key_coll_name, col->key_coll_name_len,
						  col->key_opr_schema, col->key_opr_schema_len,
						  col->key_opr_name, col->key_opr_name_len);
	if (!drs_operator_valid(col))
		drs_bad_operator(col);
}

/* ----------
 * SQL output: what decoder_raw's SQL format writes for each record, by
 * common/'s rules, over a view of the reader's relation.
 * ----------
 */

/*
 * The relation of the last change, as the rules see it: names quoted once
 * for the run of changes to it.  A relation or header record may free the
 * reader's relation, so they drop the view.  A name the stream leaves bare
 * is checked where a statement writes it (check_names(), row_naming()), so
 * that a statement that does not write it is not refused.
 */
typedef struct sql_view
{
	const drr_relation *rel;	/* NULL: no view */
	dr_relation rules;
	dr_column  *cols;
	unsigned char *bad_opr;		/* per column: invalid operator name */
	bool	   *changed;		/* per column: identity column changed */
	size_t	   *offs;			/* where names start in text: 2 a column */
	uint32_t	size;			/* entries of the arrays */
	strbuf		text;			/* every name, one after another */
	/* a truncate's relations, a message's hex: here, for fail_input() */
	dr_relation *trunc_rels;
	const dr_relation **trunc_refs;
	uint32_t	trunc_size;
	strbuf		scratch;
} sql_view;

static sql_view view;

/* version of the stream being read, from its header record */
static uint32_t stream_version;

static void
view_reserve(uint32_t ncols)
{
	uint32_t	size = ncols < 16 ? 16 : ncols;

	if (size <= view.size)
		return;
	free(view.cols);
	free(view.bad_opr);
	free(view.changed);
	free(view.offs);
	view.cols = calloc(size, sizeof(dr_column));
	view.bad_opr = calloc(size, 1);
	view.changed = calloc(size, sizeof(bool));
	view.offs = calloc(2 * (size_t) size + 2, sizeof(size_t));
	if (!view.cols || !view.bad_opr || !view.changed || !view.offs)
		fail_write("out of memory");
	view.size = size;
}

void
drs_reset(void)
{
	free(view.cols);
	free(view.bad_opr);
	free(view.changed);
	free(view.offs);
	free(view.text.data);
	free(view.trunc_rels);
	free(view.trunc_refs);
	free(view.scratch.data);
	memset(&view, 0, sizeof(view));
}

/* A column's quoted name and key comparison, at offs[0] and offs[1]. */
static void
view_column(const drr_column *src, dr_column *col, size_t *offs,
			unsigned char *bad_opr)
{
	col->flags = src->flags;
	col->name = src->name;
	col->name_len = src->name_len;
	col->type_name = src->type_name;
	col->type_name_len = src->type_name_len;
	offs[0] = view.text.len;
	dr_append_ident(sb_out(&view.text), src->name, src->name_len,
					(src->flags & DRR_COL_QUOTED) != 0);
	col->quoted_len = view.text.len - offs[0];
	offs[1] = view.text.len;
	col->key_cmp_len = 0;
	*bad_opr = 0;
	if (src->flags & DRR_COL_KEY_COMPARISON)
	{
		dr_sql_key_comparison(sb_out(&view.text),
							  src->key_coll_schema, src->key_coll_schema_len,
							  src->key_coll_name, src->key_coll_name_len,
							  src->key_opr_schema, src->key_opr_schema_len,
							  src->key_opr_name, src->key_opr_name_len);
		col->key_cmp_len = view.text.len - offs[1];
		*bad_opr = !drs_operator_valid(src);
	}
}

/* The names at their offsets, now that the text has stopped moving. */
static void
view_fix_names(uint32_t ncols)
{
	uint32_t	i;

	view.rules.qualname = view.text.data + view.offs[0];
	view.rules.plain_qualname = view.text.data + view.offs[1];
	for (i = 0; i < ncols; i++)
	{
		view.cols[i].quoted = view.text.data + view.offs[2 + 2 * i];
		view.cols[i].key_cmp = view.cols[i].key_cmp_len > 0 ?
			view.text.data + view.offs[3 + 2 * i] : NULL;
	}
}

static const dr_relation *
view_of(const drr_relation *rel)
{
	dr_out	   *out;
	uint32_t	i;

	if (view.rel == rel)
		return &view.rules;
	view.rel = NULL;
	view_reserve(rel->ncols);
	view.text.len = 0;
	out = sb_out(&view.text);

	dr_append_ident(out, rel->schema, rel->schema_len,
					(rel->flags & DRR_REL_SCHEMA_QUOTED) != 0);
	dr_putc(out, '.');
	dr_append_ident(out, rel->name, rel->name_len,
					(rel->flags & DRR_REL_NAME_QUOTED) != 0);
	view.rules.qualname_len = view.text.len;
	view.offs[1] = view.text.len;
	dr_append_plain_ident(out, rel->schema, rel->schema_len,
						  (rel->flags & DRR_REL_SCHEMA_QUOTED) != 0);
	dr_putc(out, '.');
	dr_append_plain_ident(out, rel->name, rel->name_len,
						  (rel->flags & DRR_REL_NAME_QUOTED) != 0);
	view.rules.plain_qualname_len = view.text.len - view.offs[1];
	for (i = 0; i < rel->ncols; i++)
		view_column(&rel->cols[i], &view.cols[i], &view.offs[2 + 2 * i],
					&view.bad_opr[i]);

	view.offs[0] = 0;
	view_fix_names(rel->ncols);
	view.rules.relkind = rel->relkind;
	view.rules.replident = rel->replident;
	view.rules.flags = rel->flags;
	view.rules.ncols = (int) rel->ncols;
	view.rules.cols = view.cols;
	view.rel = rel;
	return &view.rules;
}

/* A tuple of a record, as the rules read it. */
typedef struct dump_row
{
	dr_row		row;			/* must be first */
	const drr_record *rec;
	const drr_tuple *tuple;
	int			where;			/* finds the row */
} dump_row;

/* The relation's names, and with "columns" those an INSERT lists. */
static void
check_names(const drr_relation *rel, int columns)
{
	uint32_t	i;

	if (!(rel->flags & DRR_REL_SCHEMA_QUOTED))
		drs_check_bare_name(rel->schema, rel->schema_len);
	if (!(rel->flags & DRR_REL_NAME_QUOTED))
		drs_check_bare_name(rel->name, rel->name_len);
	for (i = 0; columns && i < rel->ncols; i++)
	{
		if (!(rel->cols[i].flags & (DRR_COL_QUOTED | DRR_COL_GENERATED)))
			drs_check_bare_name(rel->cols[i].name, rel->cols[i].name_len);
	}
}

static void
row_naming(const dr_row *row, int i)
{
	const drr_column *col = &((const dump_row *) row)->rec->rel->cols[i];

	if (!(col->flags & DRR_COL_QUOTED))
		drs_check_bare_name(col->name, col->name_len);
}

static dr_value_state
row_state(const dr_row *row, int i)
{
	return ((const dump_row *) row)->tuple->values[i].kind;
}

void
drs_constant(dr_out *out, const drr_record *rec, const drr_tuple *tuple,
			 uint32_t i)
{
	const drr_column *col = &rec->rel->cols[i];
	const drr_bytes *d = &tuple->values[i].data;

	if (dr_sql_constant(out, col->type_oid, (const char *) d->data, d->len) != 0)
		fail_input("offset %" PRIu64 ": invalid %s value in column \"%s\"",
				   rec->offset,
				   col->type_oid == DR_BOOLOID ? "boolean" :
				   col->type_oid == DR_NUMERICOID ? "numeric" : "integer",
				   col->name);
}

static void
row_append_value(const dr_row *row, dr_out *out, int i)
{
	const dump_row *r = (const dump_row *) row;
	const drr_column *col = &r->rec->rel->cols[i];

	/* a key comparison checked where it is written, as it always was */
	if (r->where && view.bad_opr[i] &&
		dr_column_compare(col->flags, r->rec->rel->replident == 'f') == DR_CMP_EQUAL)
		drs_bad_operator(col);
	if (hooks.value != NULL)
		hooks.value(hooks.arg, out, r->rec, r->tuple, (uint32_t) i);
	else
		drs_constant(out, r->rec, r->tuple, (uint32_t) i);
}

static void
row_fail(const dr_row *row, dr_error error, int i)
{
	const dump_row *r = (const dump_row *) row;
	const drr_record *rec = r->rec;
	const char *name = rec->rel->cols[i].name;

	switch (error)
	{
		case DR_ERR_INSERT_VALUE:
		case DR_ERR_SET_VALUE:
			fail_input("offset %" PRIu64 ": column \"%s\" has no value to write in %s",
					   rec->offset, name,
					   error == DR_ERR_INSERT_VALUE ? "an INSERT" : "a SET clause");
			break;
		case DR_ERR_KEY_VALUE:
			fail_input("offset %" PRIu64 ": identity column \"%s\" has no value to find the row by",
					   rec->offset, name);
			break;
		case DR_ERR_NO_EXACT:
			fail_write("offset %" PRIu64 ": the row of relation \"%s.%s\" cannot be found by column \"%s\": no comparison of its type is exact",
					   rec->offset, rec->rel->schema, rec->rel->name, name);
			break;
	}
}

static const dr_row *
dump_row_of(dump_row *r, const drr_record *rec, const drr_tuple *tuple,
			int where)
{
	r->row.state = row_state;
	r->row.append_value = row_append_value;
	r->row.fail = row_fail;
	r->row.naming = row_naming;
	r->rec = rec;
	r->tuple = tuple;
	r->where = where;
	return &r->row;
}

/* What a begin or commit record says, as the rules take it. */
static const dr_xact *
xact_of(const drr_record *rec, dr_xact *xact)
{
	xact->flags = rec->flags;
	xact->xid = rec->xid;
	xact->lsn = rec->lsn;
	xact->time = rec->time;
	xact->origin_id = rec->origin_id;
	xact->origin_lsn = rec->origin_lsn;
	xact->origin_name = (const char *) rec->origin_name.data;
	xact->origin_name_len = rec->origin_name.len;
	return xact;
}

void
drs_insert_prefix(strbuf *sb, const drr_record *rec)
{
	check_names(rec->rel, 1);
	dr_sql_insert_prefix(sb_out(sb), view_of(rec->rel));
}

void
drs_insert_values(strbuf *sb, const drr_record *rec)
{
	dump_row	row;

	dr_sql_insert_values(sb_out(sb), view_of(rec->rel),
						 dump_row_of(&row, rec, &rec->new_tuple, 0));
}

static void
sql_delete(strbuf *sb, const drr_record *rec)
{
	const dr_relation *rel = view_of(rec->rel);
	dump_row	row;

	check_names(rec->rel, 0);
	dr_sql_delete_prefix(sb_out(sb), rel);
	dr_sql_row_condition(sb_out(sb), rel,
						 dump_row_of(&row, rec, &rec->old_tuple, 1));
}

/* Did the update change this GENERATED ALWAYS identity column? */
static int
identity_changed(const drr_record *rec, const dr_relation *rel, uint32_t i)
{
	const drr_value *o;
	const drr_value *n;

	/* no old tuple, no values to point at */
	if (!dr_identity_may_change(rel, (int) i, rec->old_kind != DRR_OLD_NONE))
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

/* The sequence of a changed identity column hands out the new value. */
static void
sql_setvals(strbuf *sb, const drr_record *rec, const dr_relation *rel)
{
	uint32_t	i;

	for (i = 0; i < rec->rel->ncols; i++)
	{
		const drr_value *val = &rec->new_tuple.values[i];

		view.changed[i] = identity_changed(rec, rel, i);
		if (!view.changed[i])
			continue;
		if (val->kind != DRR_VALUE_PRESENT ||
			!dr_is_number((const char *) val->data.data, val->data.len, false))
			fail_input("offset %" PRIu64 ": identity column \"%s\" has no valid new value",
					   rec->offset, rec->rel->cols[i].name);
		check_names(rec->rel, 0);
		dr_sql_setval(sb_out(sb), rel, (int) i,
					  (const char *) val->data.data, val->data.len);
		emit(sb);
	}
}

static void
sql_update(strbuf *sb, const drr_record *rec)
{
	const dr_relation *rel = view_of(rec->rel);
	dump_row	new_row;
	dump_row	key_row;

	sql_setvals(sb, rec, rel);
	check_names(rec->rel, 0);
	dr_sql_update_prefix(sb_out(sb), rel);
	if (dr_sql_set_list(sb_out(sb), rel,
						dump_row_of(&new_row, rec, &rec->new_tuple, 0),
						view.changed) == 0)
	{
		sb->len = 0;
		dr_sql_unassigned(sb_out(sb), rel);
		return;
	}
	sb_puts(sb, " WHERE ");
	dr_sql_row_condition(sb_out(sb), rel,
						 dump_row_of(&key_row, rec,
									 rec->old_kind != DRR_OLD_NONE ?
									 &rec->old_tuple : &rec->new_tuple, 1));
}

/* Only their names and kinds, the names one after another. */
static void
sql_truncate(strbuf *sb, const drr_record *rec)
{
	strbuf	   *names = &view.scratch;
	uint32_t	i;

	if (rec->nrels > view.trunc_size)
	{
		free(view.trunc_rels);
		free(view.trunc_refs);
		view.trunc_rels = calloc(rec->nrels, sizeof(dr_relation));
		view.trunc_refs = calloc(rec->nrels, sizeof(dr_relation *));
		if (view.trunc_rels == NULL || view.trunc_refs == NULL)
			fail_write("out of memory");
		view.trunc_size = rec->nrels;
	}
	names->len = 0;
	for (i = 0; i < rec->nrels; i++)
	{
		size_t		start = names->len;

		sb_qualname(names, rec->rels[i]);
		view.trunc_rels[i].qualname_len = names->len - start;
		view.trunc_rels[i].relkind = rec->rels[i]->relkind;
	}
	for (i = 0; i < rec->nrels; i++)
	{
		view.trunc_rels[i].qualname = i == 0 ? names->data :
			view.trunc_rels[i - 1].qualname + view.trunc_rels[i - 1].qualname_len;
		view.trunc_refs[i] = &view.trunc_rels[i];
	}
	dr_sql_truncate(sb_out(sb), view.trunc_refs, (int) rec->nrels,
					(rec->flags & DRR_TRUNCATE_CASCADE) != 0,
					(rec->flags & DRR_TRUNCATE_RESTART) != 0);
}

static void
sql_message(strbuf *sb, const drr_record *rec)
{
	strbuf	   *hex = &view.scratch;
	int			text = (rec->flags & DRR_MSG_TEXT) != 0;

	hex->len = 0;
	if (!text)
		sb_hex(hex, rec->content.data, rec->content.len);
	dr_sql_message(sb_out(sb), (rec->flags & DRR_MSG_TRANSACTIONAL) != 0,
				   (const char *) rec->prefix.data, rec->prefix.len,
				   text ? (const char *) rec->content.data : hex->data,
				   text ? rec->content.len : hex->len, !text);
}

static void
sql_skipped(strbuf *sb, const drr_record *rec)
{
	int			schema_quoted = (rec->flags & DRR_SKIP_SCHEMA_QUOTED) != 0;
	int			name_quoted = (rec->flags & DRR_SKIP_NAME_QUOTED) != 0;

	if (!schema_quoted)
		drs_check_bare_name((const char *) rec->schema.data, rec->schema.len);
	if (!name_quoted)
		drs_check_bare_name((const char *) rec->name.data, rec->name.len);
	dr_sql_skipped(sb_out(sb), rec->updates, rec->deletes,
				   (const char *) rec->schema.data, rec->schema.len,
				   schema_quoted,
				   (const char *) rec->name.data, rec->name.len, name_quoted);
}


/* SQL is written from text values only. */
static void
check_text_values(const drr_record *rec)
{
	uint32_t	i;

	for (i = 0; i < rec->rel->ncols; i++)
	{
		if (rec->rel->cols[i].flags & DRR_COL_BINARY)
			fail_input("offset %" PRIu64 ": column \"%s\" of relation \"%s.%s\" has values in binary form (binary-values), which cannot be written as SQL; use --records",
					   rec->offset, rec->rel->cols[i].name,
					   rec->rel->schema, rec->rel->name);
	}
}

/* ----------
 * Two-phase and stream records (version 2 additions)
 * ----------
 */

/* PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED, as format sql */
static void
sql_two_phase(strbuf *sb, const drr_record *rec)
{
	dr_xact		xact;
	dr_progress progress;
	int			has_progress = (rec->flags & DRR_FINISH_PROGRESS) != 0 &&
	rec->kind != DRR_PREPARE;

	xact_of(rec, &xact);
	xact.gid = (const char *) rec->gid.data;
	xact.gid_len = rec->gid.len;
	if (rec->kind == DRR_ROLLBACK_PREPARED &&
		(rec->flags & DRR_FINISH_NOT_SENT))
	{
		dr_sql_rollback_left_out(sb_out(sb), xact.gid, xact.gid_len);
		return;
	}
	if (has_progress)
		drs_check_timestamp(rec->progress_time, rec->offset);
	if (rec->flags & DRR_XACT_TIME)
		drs_check_timestamp(rec->time, rec->offset);
	if (rec->kind == DRR_PREPARE)
	{
		(void) dr_sql_prepare(sb_out(sb), &xact);
		return;
	}
	progress.end_lsn = rec->end_lsn;
	progress.time = rec->progress_time;
	(void) dr_sql_finish_prepared(sb_out(sb),
								  rec->kind == DRR_COMMIT_PREPARED, &xact,
								  has_progress ? &progress : NULL);
}

/*
 * Streamed transactions interleave, and one script replays one transaction
 * at a time: they have no SQL form.
 */
static void
sql_refuse_stream(const drr_record *rec)
{
	fail_input("offset %" PRIu64 ": %s record: a transaction streamed before its commit (stream-changes) cannot be written as SQL, as its changes interleave with other transactions'; use --records",
			   rec->offset, rec->kind == DRR_STREAM_START ? "stream start" :
			   rec->kind == DRR_STREAM_ABORT ? "stream abort" :
			   rec->kind == DRR_STREAM_COMMIT ? "stream commit" :
			   rec->kind == DRR_STREAM_PREPARE ? "stream prepare" : "stream");
}

void
drs_record(strbuf *sb, const drr_record *rec)
{
	dr_xact		xact;

	switch (rec->kind)
	{
		case DRR_HEADER:
			stream_version = rec->version;
			view.rel = NULL;
			return;
		case DRR_RELATION:
			view.rel = NULL;
			check_text_values(rec);
			return;
		case DRR_BEGIN:
			dr_sql_begin(sb_out(sb), xact_of(rec, &xact));
			break;
		case DRR_ORIGIN:
			/* from version 2 on it comes right before the commit */
			drs_check_timestamp(rec->time, rec->offset);
			(void) dr_sql_origin_progress(sb_out(sb), rec->end_lsn, rec->time,
										  stream_version >= 2);
			break;
		case DRR_COMMIT:
			if (rec->flags & DRR_XACT_TIME)
				drs_check_timestamp(rec->time, rec->offset);
			(void) dr_sql_commit(sb_out(sb), xact_of(rec, &xact));
			break;
		case DRR_INSERT:
			drs_insert_prefix(sb, rec);
			drs_insert_values(sb, rec);
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
			sql_skipped(sb, rec);
			break;
		case DRR_BEGIN_PREPARE:
			dr_sql_begin(sb_out(sb), xact_of(rec, &xact));
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
