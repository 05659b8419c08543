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

#include "../common/dr_common.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *progname = "decoder_raw_dump";
static const char *input_name = "standard input";

/* A growable output line, and the rules' buffer over it */
typedef struct strbuf
{
	dr_out		out;			/* set by sb_out() */
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
static dr_out *
sb_out(strbuf *sb)
{
	sb->out.append = sbo_append;
	sb->out.reserve = sbo_reserve;
	sb->out.set_len = sbo_set_len;
	sb->out.max_len = 0;
	sb->out.too_large = NULL;
	return &sb->out;
}

static void
sb_lsn(strbuf *sb, uint64_t lsn)
{
	dr_append_lsn(sb_out(sb), lsn);
}

static void
check_timestamp(int64_t t, uint64_t offset)
{
	if (!dr_timestamp_valid(t))
		bad_input("offset %" PRIu64 ": timestamp %" PRId64 " is out of range",
				  offset, t);
}

static void
sb_timestamp(strbuf *sb, int64_t t, uint64_t offset)
{
	check_timestamp(t, offset);
	sb_reserve(sb, DR_TIMESTAMP_BUFSIZE);
	sb->len += dr_put_timestamp(sb->data + sb->len, t, true);
}

/* An SQL string literal, as decoder_raw's SQL format writes it. */
static void
sb_literal(strbuf *sb, const unsigned char *s, size_t len)
{
	dr_append_literal(sb_out(sb), (const char *) s, len);
}

static void
sb_hex(strbuf *sb, const unsigned char *s, size_t len)
{
	sb_reserve(sb, 2 + 2 * len);
	sb->len += dr_put_hex(sb->data + sb->len, s, len);
	sb->data[sb->len] = '\0';
}

/* A name the stream leaves bare: only what quote_identifier() leaves so. */
static void
check_bare_name(const char *name, size_t len)
{
	size_t		i;

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
}

/* An identifier, quoted when the plugin said it must be. */
static void
sb_ident(strbuf *sb, const char *name, size_t len, int quoted)
{
	if (!quoted)
		check_bare_name(name, len);
	dr_append_ident(sb_out(sb), name, len, quoted != 0);
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

/* An operator name, as OPERATOR() takes it: symbols only. */
static int
operator_valid(const drr_column *col)
{
	size_t		i;

	for (i = 0; i < col->key_opr_name_len; i++)
	{
		if (strchr("+-*/<>=~!@#%^&|`?", col->key_opr_name[i]) == NULL)
			return 0;
	}
	return 1;
}

static void DUMP_NORETURN
bad_operator(const drr_column *col)
{
	bad_input("offset %" PRIu64 ": invalid operator name \"%s\" for column \"%s\"",
			  record_offset, col->key_opr_name, col->name);
}

/* How a key column is compared: as its identity index compares it. */
static void
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
	if (!operator_valid(col))
		bad_operator(col);
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
	/* a truncate's relations, a message's hex: here, for bad_input() */
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
		die("out of memory");
	view.size = size;
}

static void
view_free(void)
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
		*bad_opr = !operator_valid(src);
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
		check_bare_name(rel->schema, rel->schema_len);
	if (!(rel->flags & DRR_REL_NAME_QUOTED))
		check_bare_name(rel->name, rel->name_len);
	for (i = 0; columns && i < rel->ncols; i++)
	{
		if (!(rel->cols[i].flags & (DRR_COL_QUOTED | DRR_COL_GENERATED)))
			check_bare_name(rel->cols[i].name, rel->cols[i].name_len);
	}
}

static void
row_naming(const dr_row *row, int i)
{
	const drr_column *col = &((const dump_row *) row)->rec->rel->cols[i];

	if (!(col->flags & DRR_COL_QUOTED))
		check_bare_name(col->name, col->name_len);
}

static dr_value_state
row_state(const dr_row *row, int i)
{
	return ((const dump_row *) row)->tuple->values[i].kind;
}

static void
row_append_value(const dr_row *row, dr_out *out, int i)
{
	const dump_row *r = (const dump_row *) row;
	const drr_column *col = &r->rec->rel->cols[i];
	const drr_bytes *d = &r->tuple->values[i].data;

	/* a key comparison checked where it is written, as it always was */
	if (r->where && view.bad_opr[i] &&
		dr_column_compare(col->flags, r->rec->rel->replident == 'f') == DR_CMP_EQUAL)
		bad_operator(col);
	if (dr_sql_constant(out, col->type_oid, (const char *) d->data, d->len) != 0)
		bad_input("offset %" PRIu64 ": invalid %s value in column \"%s\"",
				  r->rec->offset,
				  col->type_oid == DR_BOOLOID ? "boolean" :
				  col->type_oid == DR_NUMERICOID ? "numeric" : "integer",
				  col->name);
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
			bad_input("offset %" PRIu64 ": column \"%s\" has no value to write in %s",
					  rec->offset, name,
					  error == DR_ERR_INSERT_VALUE ? "an INSERT" : "a SET clause");
			break;
		case DR_ERR_KEY_VALUE:
			bad_input("offset %" PRIu64 ": identity column \"%s\" has no value to find the row by",
					  rec->offset, name);
			break;
		case DR_ERR_NO_EXACT:
			die("offset %" PRIu64 ": the row of relation \"%s.%s\" cannot be found by column \"%s\": no comparison of its type is exact",
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

/* INSERT, or with "old" DELETE: a prefix, the values or the condition. */
static void
sql_insert_delete(strbuf *sb, const drr_record *rec, int old)
{
	const dr_relation *rel = view_of(rec->rel);
	dump_row	row;

	check_names(rec->rel, !old);
	if (old)
	{
		dr_sql_delete_prefix(sb_out(sb), rel);
		dr_sql_row_condition(sb_out(sb), rel,
							 dump_row_of(&row, rec, &rec->old_tuple, 1));
	}
	else
	{
		dr_sql_insert_prefix(sb_out(sb), rel);
		dr_sql_insert_values(sb_out(sb), rel,
							 dump_row_of(&row, rec, &rec->new_tuple, 0));
	}
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
			bad_input("offset %" PRIu64 ": identity column \"%s\" has no valid new value",
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
			die("out of memory");
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
		check_bare_name((const char *) rec->schema.data, rec->schema.len);
	if (!name_quoted)
		check_bare_name((const char *) rec->name.data, rec->name.len);
	dr_sql_skipped(sb_out(sb), rec->updates, rec->deletes,
				   (const char *) rec->schema.data, rec->schema.len,
				   schema_quoted,
				   (const char *) rec->name.data, rec->name.len, name_quoted);
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

/* SQL is written from text values only. */
static void
check_text_values(const drr_record *rec)
{
	uint32_t	i;

	for (i = 0; i < rec->rel->ncols; i++)
	{
		if (rec->rel->cols[i].flags & DRR_COL_BINARY)
			bad_input("offset %" PRIu64 ": column \"%s\" of relation \"%s.%s\" has values in binary form (binary-values), which cannot be written as SQL; use --records",
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
		check_timestamp(rec->progress_time, rec->offset);
	if (rec->flags & DRR_XACT_TIME)
		check_timestamp(rec->time, rec->offset);
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
	bad_input("offset %" PRIu64 ": %s record: a transaction streamed before its commit (stream-changes) cannot be written as SQL, as its changes interleave with other transactions'; use --records",
			  rec->offset, rec->kind == DRR_STREAM_START ? "stream start" :
			  rec->kind == DRR_STREAM_ABORT ? "stream abort" :
			  rec->kind == DRR_STREAM_COMMIT ? "stream commit" :
			  rec->kind == DRR_STREAM_PREPARE ? "stream prepare" : "stream");
}

static void
print_sql(strbuf *sb, const drr_record *rec)
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
			check_timestamp(rec->time, rec->offset);
			(void) dr_sql_origin_progress(sb_out(sb), rec->end_lsn, rec->time,
										  stream_version >= 2);
			break;
		case DRR_COMMIT:
			if (rec->flags & DRR_XACT_TIME)
				check_timestamp(rec->time, rec->offset);
			(void) dr_sql_commit(sb_out(sb), xact_of(rec, &xact));
			break;
		case DRR_INSERT:
			sql_insert_delete(sb, rec, 0);
			break;
		case DRR_UPDATE:
			sql_update(sb, rec);
			break;
		case DRR_DELETE:
			sql_insert_delete(sb, rec, 1);
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
	view_free();
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
