/*-------------------------------------------------------------------------
 *
 * decoder_raw_reader.c
 *		Parser of decoder_raw's binary format (doc/binary-format.md).
 *
 * Every length and count read from the input is checked against the bytes
 * that are actually there before anything is read or allocated, so that
 * malformed input gives an error, never an out-of-bounds read or a huge
 * allocation.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "decoder_raw_reader.h"

#include "../common/dr_common.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A record is written by the server into one buffer, at most 1 GB. */
#define MAX_RECORD_BODY ((uint64_t) 0x3fffffff)

struct drr_reader
{
	uint64_t	offset;			/* stream offset of the next byte */
	int			seen_header;
	uint32_t	version;
	int			failed;
	char		error[256];

	/* relations of the session, open addressing on id */
	drr_relation **slots;
	size_t		nslots;			/* 0 or a power of 2 */
	size_t		nrelations;

	/* buffers handed out in records */
	drr_value  *old_values;
	drr_value  *new_values;
	size_t		values_size;
	const drr_relation **truncate_rels;
	size_t		truncate_size;

	/* between stream start and stream stop */
	int			in_stream;
	uint32_t	stream_top;		/* the streamed transaction */
	uint32_t	stream_xid;		/* (sub)transaction of the next changes */
};

/* A cursor over the body of one record. */
typedef struct cursor
{
	drr_reader *r;
	const unsigned char *start;
	const unsigned char *p;
	const unsigned char *end;
	uint64_t	base;			/* stream offset of start */
	const char *what;			/* record kind, for messages: "insert" */
	const char *a_what;			/* with its article: "an insert" */
} cursor;

#if defined(__GNUC__) || defined(__clang__)
#define DRR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DRR_PRINTF(f, a)
#endif

static int	fail(drr_reader *r, uint64_t offset, const char *fmt,...) DRR_PRINTF(3, 4);

static int
fail(drr_reader *r, uint64_t offset, const char *fmt,...)
{
	va_list		ap;
	int			n;

	n = snprintf(r->error, sizeof(r->error), "offset %" PRIu64 ": ", offset);
	if (n < 0 || (size_t) n >= sizeof(r->error))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(r->error + n, sizeof(r->error) - n, fmt, ap);
	va_end(ap);
	r->failed = 1;
	return DRR_ERROR;
}

/* Arguments for "%zu byte%s left" */
#define BYTES_LEFT(c) \
	(size_t) ((c)->end - (c)->p), (c)->end - (c)->p == 1 ? "" : "s"

static uint64_t
cursor_offset(const cursor *c)
{
	return c->base + (uint64_t) (c->p - c->start);
}

static int
get_varint(cursor *c, uint64_t *value, const char *field)
{
	int			n = dr_decode_varint(c->p, c->end, value);

	if (n == 0)
		return fail(c->r, cursor_offset(c),
					"%s record ends inside its %s", c->what, field);
	if (n < 0)
		return fail(c->r, cursor_offset(c),
					"invalid variable-length integer in the %s of %s record",
					field, c->a_what);
	c->p += n;
	return DRR_OK;
}

static int
get_varint_max(cursor *c, uint64_t *value, uint64_t max, const char *field)
{
	uint64_t	off = cursor_offset(c);

	if (get_varint(c, value, field) != DRR_OK)
		return DRR_ERROR;
	if (*value > max)
		return fail(c->r, off, "%s %" PRIu64 " of %s record is out of range (at most %" PRIu64 ")",
					field, *value, c->a_what, max);
	return DRR_OK;
}

static int
get_flags(cursor *c, uint32_t *flags, uint32_t known, const char *field)
{
	uint64_t	off = cursor_offset(c);
	uint64_t	v;

	if (get_varint(c, &v, field) != DRR_OK)
		return DRR_ERROR;
	if ((v & ~(uint64_t) known) != 0)
		return fail(c->r, off, "unknown %s 0x%" PRIx64 " in %s record",
					field, v & ~(uint64_t) known, c->a_what);
	*flags = (uint32_t) v;
	return DRR_OK;
}

static int
get_byte(cursor *c, unsigned char *b, const char *field)
{
	if (c->p >= c->end)
		return fail(c->r, cursor_offset(c),
					"%s record ends inside its %s", c->what, field);
	*b = *c->p++;
	return DRR_OK;
}

static int
get_int64(cursor *c, int64_t *value, const char *field)
{
	uint64_t	v = 0;
	int			i;

	if (c->end - c->p < 8)
		return fail(c->r, cursor_offset(c),
					"%s record ends inside its %s", c->what, field);
	for (i = 0; i < 8; i++)
		v = (v << 8) | c->p[i];
	c->p += 8;
	/* two's complement, without relying on implementation-defined casts */
	if (v > (uint64_t) INT64_MAX)
		*value = -(int64_t) (~v) - 1;
	else
		*value = (int64_t) v;
	return DRR_OK;
}

static int
get_bytes(cursor *c, drr_bytes *b, const char *field)
{
	uint64_t	off = cursor_offset(c);
	uint64_t	len;

	if (get_varint(c, &len, field) != DRR_OK)
		return DRR_ERROR;
	if (len > (uint64_t) (c->end - c->p))
		return fail(c->r, off,
					"length %" PRIu64 " of the %s overruns the %s record (%zu byte%s left)",
					len, field, c->what, BYTES_LEFT(c));
	b->data = c->p;
	b->len = (size_t) len;
	c->p += len;
	return DRR_OK;
}

/* A name: bytes without NUL, copied and NUL-terminated. */
static int
get_name(cursor *c, char **dst, size_t *dst_len, const char *field)
{
	uint64_t	off = cursor_offset(c);
	drr_bytes	b;

	if (get_bytes(c, &b, field) != DRR_OK)
		return DRR_ERROR;
	if (b.len > 0 && memchr(b.data, '\0', b.len) != NULL)
		return fail(c->r, off, "%s in %s record contains a NUL byte",
					field, c->a_what);
	*dst = malloc(b.len + 1);
	if (*dst == NULL)
		return fail(c->r, off, "out of memory");
	if (b.len > 0)
		memcpy(*dst, b.data, b.len);
	(*dst)[b.len] = '\0';
	*dst_len = b.len;
	return DRR_OK;
}

/* Text without NUL, left in the input. */
static int
get_text(cursor *c, drr_bytes *b, const char *field)
{
	uint64_t	off = cursor_offset(c);

	if (get_bytes(c, b, field) != DRR_OK)
		return DRR_ERROR;
	if (b->len > 0 && memchr(b->data, '\0', b->len) != NULL)
		return fail(c->r, off, "%s in %s record contains a NUL byte",
					field, c->a_what);
	return DRR_OK;
}

/* ----------
 * Relations
 * ----------
 */

static void
free_relation(drr_relation *rel)
{
	uint32_t	i;

	if (rel == NULL)
		return;
	if (rel->cols != NULL)
	{
		for (i = 0; i < rel->ncols; i++)
		{
			free(rel->cols[i].name);
			free(rel->cols[i].type_name);
			free(rel->cols[i].key_coll_schema);
			free(rel->cols[i].key_coll_name);
			free(rel->cols[i].key_opr_schema);
			free(rel->cols[i].key_opr_name);
		}
		free(rel->cols);
	}
	free(rel->schema);
	free(rel->name);
	free(rel);
}

static size_t
slot_of(uint64_t id, size_t nslots)
{
	/* splitmix64 finalizer: ids are small and sequential, spread them */
	id ^= id >> 30;
	id *= UINT64_C(0xbf58476d1ce4e5b9);
	id ^= id >> 27;
	id *= UINT64_C(0x94d049bb133111eb);
	id ^= id >> 31;
	return (size_t) (id & (nslots - 1));
}

static drr_relation *
find_relation(const drr_reader *r, uint64_t id)
{
	size_t		i;

	if (r->nslots == 0)
		return NULL;
	for (i = slot_of(id, r->nslots); r->slots[i] != NULL; i = (i + 1) & (r->nslots - 1))
	{
		if (r->slots[i]->id == id)
			return r->slots[i];
	}
	return NULL;
}

static void
clear_relations(drr_reader *r)
{
	size_t		i;

	for (i = 0; i < r->nslots; i++)
	{
		free_relation(r->slots[i]);
		r->slots[i] = NULL;
	}
	r->nrelations = 0;
}

/* Add or replace a relation; returns 0 when out of memory. */
static int
store_relation(drr_reader *r, drr_relation *rel)
{
	size_t		i;

	if ((r->nrelations + 1) * 2 > r->nslots)
	{
		size_t		nslots = r->nslots ? r->nslots * 2 : 64;
		drr_relation **slots = calloc(nslots, sizeof(drr_relation *));

		if (slots == NULL)
			return 0;
		for (i = 0; i < r->nslots; i++)
		{
			size_t		j;

			if (r->slots[i] == NULL)
				continue;
			for (j = slot_of(r->slots[i]->id, nslots); slots[j] != NULL; j = (j + 1) & (nslots - 1))
				;
			slots[j] = r->slots[i];
		}
		free(r->slots);
		r->slots = slots;
		r->nslots = nslots;
	}

	for (i = slot_of(rel->id, r->nslots); r->slots[i] != NULL; i = (i + 1) & (r->nslots - 1))
	{
		if (r->slots[i]->id == rel->id)
		{
			free_relation(r->slots[i]);
			r->slots[i] = rel;
			return 1;
		}
	}
	r->slots[i] = rel;
	r->nrelations++;
	return 1;
}

static int
get_relation_ref(cursor *c, const drr_relation **rel)
{
	uint64_t	off = cursor_offset(c);
	uint64_t	id;

	if (get_varint(c, &id, "relation id") != DRR_OK)
		return DRR_ERROR;
	*rel = find_relation(c->r, id);
	if (*rel == NULL)
		return fail(c->r, off,
					"%s record refers to relation id %" PRIu64 ", which no relation record of this session described",
					c->what, id);
	return DRR_OK;
}

/* Make room for tuples of ncols values. */
static int
reserve_values(drr_reader *r, uint32_t ncols)
{
	drr_value  *o;
	drr_value  *n;
	size_t		size;

	if (ncols <= r->values_size)
		return 1;
	size = ncols < 64 ? 64 : ncols;
	o = realloc(r->old_values, size * sizeof(drr_value));
	if (o == NULL)
		return 0;
	r->old_values = o;
	n = realloc(r->new_values, size * sizeof(drr_value));
	if (n == NULL)
		return 0;
	r->new_values = n;
	r->values_size = size;
	return 1;
}

/* ----------
 * Records
 * ----------
 */

static int
parse_header(cursor *c, drr_record *rec)
{
	drr_reader *r = c->r;
	uint64_t	off = cursor_offset(c);
	uint64_t	version;

	if (c->end - c->p < DR_BIN_MAGIC_LEN ||
		memcmp(c->p, DR_BIN_MAGIC, DR_BIN_MAGIC_LEN) != 0)
		return fail(r, off, "not a decoder_raw binary stream: the header record lacks the \"DRAW\" magic");
	c->p += DR_BIN_MAGIC_LEN;
	off = cursor_offset(c);
	if (get_varint(c, &version, "version") != DRR_OK)
		return DRR_ERROR;
	if (version < 1 || version > DRR_MAX_VERSION)
		return fail(r, off,
					"unsupported binary format version %" PRIu64 " (this reader knows versions 1 to %d)",
					version, DRR_MAX_VERSION);
	rec->version = (uint32_t) version;
	r->version = (uint32_t) version;
	r->seen_header = 1;
	/* a new session: relation ids start over, and no stream is open */
	clear_relations(r);
	r->in_stream = 0;
	return DRR_OK;
}

/* The xid, LSN and time that rec->flags announce. */
static int
get_xact_fields(cursor *c, drr_record *rec)
{
	uint64_t	v;

	if (rec->flags & DRR_XACT_XID)
	{
		if (get_varint_max(c, &v, UINT32_MAX, "xid") != DRR_OK)
			return DRR_ERROR;
		rec->xid = (uint32_t) v;
	}
	if (rec->flags & DRR_XACT_LSN)
	{
		if (get_varint(c, &rec->lsn, "commit LSN") != DRR_OK)
			return DRR_ERROR;
	}
	if (rec->flags & DRR_XACT_TIME)
	{
		if (get_int64(c, &rec->time, "commit time") != DRR_OK)
			return DRR_ERROR;
	}
	return DRR_OK;
}

static int
parse_xact(cursor *c, drr_record *rec, int is_begin)
{
	uint64_t	v;

	if (get_flags(c, &rec->flags,
				  is_begin ? DR_BIN_BEGIN_FLAGS : DR_BIN_COMMIT_FLAGS,
				  "flags") != DRR_OK)
		return DRR_ERROR;
	if ((rec->flags & DRR_XACT_ORIGIN_NAME) && !(rec->flags & DRR_XACT_ORIGIN))
		return fail(c->r, cursor_offset(c) - 1,
					"begin record has an origin name flag without the origin flag");
	if (get_xact_fields(c, rec) != DRR_OK)
		return DRR_ERROR;
	if (rec->flags & DRR_XACT_ORIGIN)
	{
		if (get_varint_max(c, &v, UINT16_MAX, "origin id") != DRR_OK)
			return DRR_ERROR;
		rec->origin_id = (uint32_t) v;
		if (get_varint(c, &rec->origin_lsn, "origin LSN") != DRR_OK)
			return DRR_ERROR;
		if (rec->flags & DRR_XACT_ORIGIN_NAME)
		{
			if (get_text(c, &rec->origin_name, "origin name") != DRR_OK)
				return DRR_ERROR;
		}
	}
	return DRR_OK;
}

static int
parse_origin(cursor *c, drr_record *rec)
{
	if (get_varint(c, &rec->end_lsn, "end LSN") != DRR_OK)
		return DRR_ERROR;
	return get_int64(c, &rec->time, "commit time");
}

/* The identity index's collation and equality operator of a key column. */
static int
parse_key_comparison(cursor *c, drr_column *col)
{
	uint64_t	off = cursor_offset(c);

	if (!(col->flags & DRR_COL_KEY))
		return fail(c->r, off, "column \"%s\" of a relation record has a key comparison but is no key column",
					col->name);
	if (get_name(c, &col->key_coll_schema, &col->key_coll_schema_len, "collation schema") != DRR_OK ||
		get_name(c, &col->key_coll_name, &col->key_coll_name_len, "collation name") != DRR_OK ||
		get_name(c, &col->key_opr_schema, &col->key_opr_schema_len, "operator schema") != DRR_OK ||
		get_name(c, &col->key_opr_name, &col->key_opr_name_len, "operator name") != DRR_OK)
		return DRR_ERROR;
	if ((col->key_coll_schema_len == 0) != (col->key_coll_name_len == 0) ||
		(col->key_opr_schema_len == 0) != (col->key_opr_name_len == 0) ||
		(col->key_coll_name_len == 0 && col->key_opr_name_len == 0))
		return fail(c->r, off, "invalid key comparison of column \"%s\" in a relation record",
					col->name);
	return DRR_OK;
}

/* One column of a relation record. */
static int
parse_column(cursor *c, drr_column *col)
{
	uint64_t	v;
	uint64_t	off;

	if (get_flags(c, &col->flags, DR_BIN_COL_FLAGS, "column flags") != DRR_OK)
		return DRR_ERROR;
	if (get_name(c, &col->name, &col->name_len, "column name") != DRR_OK)
		return DRR_ERROR;
	if (get_varint_max(c, &v, UINT32_MAX, "type OID") != DRR_OK)
		return DRR_ERROR;
	col->type_oid = (uint32_t) v;
	off = cursor_offset(c);
	if (get_varint(c, &v, "type modifier") != DRR_OK)
		return DRR_ERROR;
	/* zigzag: the value fits in int32 when v < 2^32 */
	if (v > UINT32_MAX)
		return fail(c->r, off, "type modifier out of range in a relation record");
	col->typmod = dr_unzigzag32(v);
	if (get_name(c, &col->type_name, &col->type_name_len, "type name") != DRR_OK)
		return DRR_ERROR;
	if ((col->flags & DRR_COL_KEY_COMPARISON) &&
		parse_key_comparison(c, col) != DRR_OK)
		return DRR_ERROR;
	return DRR_OK;
}

/* A relation record up to its columns: id, OID, flags, kind, names. */
static int
parse_relation_head(cursor *c, drr_relation *rel)
{
	uint64_t	v;
	uint64_t	off;
	unsigned char b = 0;

	if (get_varint(c, &rel->id, "relation id") != DRR_OK)
		return DRR_ERROR;
	if (get_varint_max(c, &v, UINT32_MAX, "relation OID") != DRR_OK)
		return DRR_ERROR;
	rel->oid = (uint32_t) v;
	if (get_flags(c, &rel->flags, DR_BIN_REL_FLAGS, "relation flags") != DRR_OK)
		return DRR_ERROR;
	if (get_byte(c, &b, "relkind") != DRR_OK)
		return DRR_ERROR;
	rel->relkind = (char) b;
	off = cursor_offset(c);
	if (get_byte(c, &b, "replica identity") != DRR_OK)
		return DRR_ERROR;
	if (b != 'd' && b != 'n' && b != 'f' && b != 'i')
		return fail(c->r, off, "invalid replica identity 0x%02x in a relation record", b);
	rel->replident = (char) b;
	if (get_name(c, &rel->schema, &rel->schema_len, "schema name") != DRR_OK)
		return DRR_ERROR;
	return get_name(c, &rel->name, &rel->name_len, "relation name");
}

static int
parse_relation(cursor *c, drr_record *rec)
{
	drr_reader *r = c->r;
	drr_relation *rel;
	uint64_t	v;
	uint64_t	off;
	uint32_t	i;

	rel = calloc(1, sizeof(drr_relation));
	if (rel == NULL)
		return fail(r, cursor_offset(c), "out of memory");
	if (parse_relation_head(c, rel) != DRR_OK)
		goto error;

	off = cursor_offset(c);
	if (get_varint(c, &v, "column count") != DRR_OK)
		goto error;
	/* a column takes at least 5 bytes: bound the allocation by the input */
	if (v > (uint64_t) (c->end - c->p) / 5)
	{
		fail(r, off, "column count %" PRIu64 " overruns the relation record (%zu byte%s left)",
			 v, BYTES_LEFT(c));
		goto error;
	}
	rel->ncols = (uint32_t) v;
	if (rel->ncols > 0)
	{
		rel->cols = calloc(rel->ncols, sizeof(drr_column));
		if (rel->cols == NULL)
		{
			fail(r, off, "out of memory");
			goto error;
		}
	}
	for (i = 0; i < rel->ncols; i++)
	{
		if (parse_column(c, &rel->cols[i]) != DRR_OK)
			goto error;
		if (rel->cols[i].flags & DRR_COL_KEY)
			rel->nkeys++;
	}

	/* the relation must be complete before it replaces a previous one */
	if (c->p != c->end)
	{
		fail(r, cursor_offset(c), "%zu unexpected byte%s at the end of a relation record",
			 (size_t) (c->end - c->p), c->end - c->p > 1 ? "s" : "");
		goto error;
	}
	if (!reserve_values(r, rel->ncols) || !store_relation(r, rel))
	{
		fail(r, rec->offset, "out of memory");
		goto error;
	}
	rec->rel = rel;
	return DRR_OK;

error:
	free_relation(rel);
	return DRR_ERROR;
}

/*
 * A tuple: a count, then one value per column of the relation, or per key
 * column for an old key.
 */
static int
parse_tuple(cursor *c, const drr_relation *rel, int key_only,
			drr_value *values, drr_tuple *tuple)
{
	uint64_t	off = cursor_offset(c);
	uint64_t	count;
	uint32_t	expected = key_only ? rel->nkeys : rel->ncols;
	uint32_t	i;

	if (get_varint(c, &count, "value count") != DRR_OK)
		return DRR_ERROR;
	if (count != expected)
		return fail(c->r, off,
					"the %s of %s record has %" PRIu64 " values, but relation %" PRIu64 " has %u %scolumn%s",
					key_only ? "old key" : "tuple", c->a_what, count, rel->id,
					expected, key_only ? "key " : "", expected == 1 ? "" : "s");

	for (i = 0; i < rel->ncols; i++)
	{
		drr_value  *val = &values[i];
		uint64_t	h;

		val->data.data = NULL;
		val->data.len = 0;
		if (key_only && !(rel->cols[i].flags & DRR_COL_KEY))
		{
			val->kind = DRR_VALUE_ABSENT;
			continue;
		}
		off = cursor_offset(c);
		if (get_varint(c, &h, "value") != DRR_OK)
			return DRR_ERROR;
		if (h == DR_BIN_VALUE_NULL)
			val->kind = DRR_VALUE_NULL;
		else if (h == DR_BIN_VALUE_UNCHANGED)
			val->kind = DRR_VALUE_UNCHANGED;
		else
		{
			uint64_t	len = h - DR_BIN_VALUE_BASE;

			if (len > (uint64_t) (c->end - c->p))
				return fail(c->r, off,
							"length %" PRIu64 " of the value of column %u overruns the %s record (%zu byte%s left)",
							len, i + 1, c->what, BYTES_LEFT(c));
			val->kind = DRR_VALUE_PRESENT;
			val->data.data = c->p;
			val->data.len = (size_t) len;
			c->p += len;
		}
	}
	tuple->nvalues = rel->ncols;
	tuple->values = values;
	return DRR_OK;
}

static int
parse_change(cursor *c, drr_record *rec)
{
	drr_reader *r = c->r;
	const drr_relation *rel;

	if (get_relation_ref(c, &rel) != DRR_OK)
		return DRR_ERROR;
	rec->rel = rel;

	if (rec->kind == DRR_UPDATE || rec->kind == DRR_DELETE)
	{
		uint64_t	off = cursor_offset(c);
		unsigned char b = 0;

		if (get_byte(c, &b, "old tuple kind") != DRR_OK)
			return DRR_ERROR;
		if (!(b == DRR_OLD_KEY || b == DRR_OLD_ROW ||
			  (b == DRR_OLD_NONE && rec->kind == DRR_UPDATE)))
			return fail(r, off, "invalid old tuple kind 0x%02x in %s record",
						b, c->a_what);
		rec->old_kind = b;
		if (b != DRR_OLD_NONE &&
			parse_tuple(c, rel, b == DRR_OLD_KEY, r->old_values,
						&rec->old_tuple) != DRR_OK)
			return DRR_ERROR;
	}
	if (rec->kind == DRR_INSERT || rec->kind == DRR_UPDATE)
	{
		if (parse_tuple(c, rel, 0, r->new_values, &rec->new_tuple) != DRR_OK)
			return DRR_ERROR;
	}
	return DRR_OK;
}

static int
parse_truncate(cursor *c, drr_record *rec)
{
	drr_reader *r = c->r;
	uint64_t	off;
	uint64_t	n;
	uint32_t	i;

	if (get_flags(c, &rec->flags, DR_BIN_TRUNCATE_FLAGS, "flags") != DRR_OK)
		return DRR_ERROR;
	off = cursor_offset(c);
	if (get_varint(c, &n, "relation count") != DRR_OK)
		return DRR_ERROR;
	/* each relation id takes at least one byte */
	if (n > (uint64_t) (c->end - c->p))
		return fail(r, off, "relation count %" PRIu64 " overruns the truncate record (%zu byte%s left)",
					n, BYTES_LEFT(c));
	if (n > r->truncate_size)
	{
		const drr_relation **rels = realloc(r->truncate_rels,
											(size_t) n * sizeof(drr_relation *));

		if (rels == NULL)
			return fail(r, off, "out of memory");
		r->truncate_rels = rels;
		r->truncate_size = (size_t) n;
	}
	for (i = 0; i < n; i++)
	{
		if (get_relation_ref(c, &r->truncate_rels[i]) != DRR_OK)
			return DRR_ERROR;
	}
	rec->nrels = (uint32_t) n;
	rec->rels = r->truncate_rels;
	return DRR_OK;
}

static int
parse_message(cursor *c, drr_record *rec)
{
	if (get_flags(c, &rec->flags, DR_BIN_MSG_FLAGS, "flags") != DRR_OK)
		return DRR_ERROR;
	if ((rec->flags & DRR_MSG_LSN) &&
		get_varint(c, &rec->lsn, "LSN") != DRR_OK)
		return DRR_ERROR;
	if (get_text(c, &rec->prefix, "prefix") != DRR_OK)
		return DRR_ERROR;
	return get_bytes(c, &rec->content, "content");
}

static int
parse_skipped(cursor *c, drr_record *rec)
{
	if (get_flags(c, &rec->flags, DR_BIN_SKIP_FLAGS, "flags") != DRR_OK)
		return DRR_ERROR;
	if (get_text(c, &rec->schema, "schema name") != DRR_OK ||
		get_text(c, &rec->name, "relation name") != DRR_OK ||
		get_varint(c, &rec->updates, "update count") != DRR_OK)
		return DRR_ERROR;
	return get_varint(c, &rec->deletes, "delete count");
}

static const char *
kind_name(int kind)
{
	switch (kind)
	{
		case DRR_HEADER:
			return "header";
		case DRR_BEGIN:
			return "begin";
		case DRR_COMMIT:
			return "commit";
		case DRR_ORIGIN:
			return "origin";
		case DRR_RELATION:
			return "relation";
		case DRR_INSERT:
			return "insert";
		case DRR_UPDATE:
			return "update";
		case DRR_DELETE:
			return "delete";
		case DRR_TRUNCATE:
			return "truncate";
		case DRR_MESSAGE:
			return "message";
		case DRR_SKIPPED:
			return "skipped-changes";
		case DRR_BEGIN_PREPARE:
			return "begin prepare";
		case DRR_PREPARE:
			return "prepare";
		case DRR_COMMIT_PREPARED:
			return "commit prepared";
		case DRR_ROLLBACK_PREPARED:
			return "rollback prepared";
		case DRR_STREAM_START:
			return "stream start";
		case DRR_STREAM_XID:
			return "stream xid";
		case DRR_STREAM_STOP:
			return "stream stop";
		case DRR_STREAM_ABORT:
			return "stream abort";
		case DRR_STREAM_COMMIT:
			return "stream commit";
		case DRR_STREAM_PREPARE:
			return "stream prepare";
		default:
			return NULL;
	}
}

static const char *
kind_name_article(int kind)
{
	switch (kind)
	{
		case DRR_INSERT:
			return "an insert";
		case DRR_UPDATE:
			return "an update";
		case DRR_ORIGIN:
			return "an origin";
		case DRR_HEADER:
			return "a header";
		case DRR_BEGIN:
			return "a begin";
		case DRR_COMMIT:
			return "a commit";
		case DRR_RELATION:
			return "a relation";
		case DRR_DELETE:
			return "a delete";
		case DRR_TRUNCATE:
			return "a truncate";
		case DRR_MESSAGE:
			return "a message";
		case DRR_SKIPPED:
			return "a skipped-changes";
		case DRR_BEGIN_PREPARE:
			return "a begin prepare";
		case DRR_PREPARE:
			return "a prepare";
		case DRR_COMMIT_PREPARED:
			return "a commit prepared";
		case DRR_ROLLBACK_PREPARED:
			return "a rollback prepared";
		case DRR_STREAM_START:
			return "a stream start";
		case DRR_STREAM_XID:
			return "a stream xid";
		case DRR_STREAM_STOP:
			return "a stream stop";
		case DRR_STREAM_ABORT:
			return "a stream abort";
		case DRR_STREAM_COMMIT:
			return "a stream commit";
		case DRR_STREAM_PREPARE:
			return "a stream prepare";
		default:
			return NULL;
	}
}

/* ----------
 * Two-phase and stream records (version 2 additions)
 * ----------
 */

/* Begin prepare and prepare: begin and commit fields, then the GID. */
static int
parse_prepare(cursor *c, drr_record *rec, int is_begin)
{
	if (parse_xact(c, rec, is_begin) != DRR_OK)
		return DRR_ERROR;
	return get_text(c, &rec->gid, "GID");
}

/* Commit prepared and rollback prepared. */
static int
parse_finish_prepared(cursor *c, drr_record *rec, int is_rollback)
{
	uint64_t	off = cursor_offset(c);

	if (get_flags(c, &rec->flags,
				  DR_BIN_COMMIT_FLAGS | DR_BIN_FINISH_PROGRESS |
				  (is_rollback ? DR_BIN_FINISH_NOT_SENT : 0),
				  "flags") != DRR_OK)
		return DRR_ERROR;
	if ((rec->flags & DRR_FINISH_PROGRESS) && (rec->flags & DRR_FINISH_NOT_SENT))
		return fail(c->r, off, "rollback prepared record has both the progress and the not-prepared flags");
	if (get_xact_fields(c, rec) != DRR_OK ||
		get_text(c, &rec->gid, "GID") != DRR_OK)
		return DRR_ERROR;
	if (is_rollback &&
		(get_varint(c, &rec->prepare_end_lsn, "prepare end LSN") != DRR_OK ||
		 get_int64(c, &rec->prepare_time, "prepare time") != DRR_OK))
		return DRR_ERROR;
	if (rec->flags & DRR_FINISH_PROGRESS)
	{
		if (get_varint(c, &rec->end_lsn, "end LSN") != DRR_OK ||
			get_int64(c, &rec->progress_time, "progress time") != DRR_OK)
			return DRR_ERROR;
	}
	return DRR_OK;
}

static int
get_xid(cursor *c, uint32_t *xid, const char *field)
{
	uint64_t	v;

	if (get_varint_max(c, &v, UINT32_MAX, field) != DRR_OK)
		return DRR_ERROR;
	*xid = (uint32_t) v;
	return DRR_OK;
}

/* Stream start, stop and xid records: where a block begins and ends. */
static int
parse_stream_block(cursor *c, drr_record *rec)
{
	drr_reader *r = c->r;
	uint64_t	off = cursor_offset(c);

	if (rec->kind == DRR_STREAM_START &&
		get_flags(c, &rec->flags, DRR_STREAM_FIRST, "flags") != DRR_OK)
		return DRR_ERROR;
	if (get_xid(c, &rec->xid, "xid") != DRR_OK)
		return DRR_ERROR;
	if (rec->kind == DRR_STREAM_START)
	{
		if (r->in_stream)
			return fail(r, rec->offset, "stream start record inside the stream block of transaction %" PRIu32,
						r->stream_top);
		r->in_stream = 1;
		r->stream_top = r->stream_xid = rec->xid;
		return DRR_OK;
	}
	if (!r->in_stream)
		return fail(r, rec->offset, "%s record outside a stream block",
					c->what);
	if (rec->kind == DRR_STREAM_XID)
		r->stream_xid = rec->xid;
	else if (rec->xid != r->stream_top)
		return fail(r, off, "stream stop record for transaction %" PRIu32 " ends the block of transaction %" PRIu32,
					rec->xid, r->stream_top);
	else
		r->in_stream = 0;
	return DRR_OK;
}

/* Stream abort, commit and prepare: the end of a streamed transaction. */
static int
parse_stream_end(cursor *c, drr_record *rec)
{
	if (get_xid(c, &rec->xid, "xid") != DRR_OK)
		return DRR_ERROR;
	if (rec->kind == DRR_STREAM_ABORT)
	{
		if (get_xid(c, &rec->subxid, "subtransaction xid") != DRR_OK)
			return DRR_ERROR;
		return get_varint(c, &rec->lsn, "abort LSN");
	}
	if (get_varint(c, &rec->lsn, "LSN") != DRR_OK ||
		get_varint(c, &rec->end_lsn, "end LSN") != DRR_OK ||
		get_int64(c, &rec->time, "time") != DRR_OK)
		return DRR_ERROR;
	if (rec->kind == DRR_STREAM_PREPARE)
		return get_text(c, &rec->gid, "GID");
	return DRR_OK;
}

/*
 * Inside a stream block only relations, changes and messages may come;
 * they belong to the block's current (sub)transaction.
 */
static int
check_stream_member(drr_reader *r, drr_record *rec)
{
	if (!r->in_stream || rec->kind == DRR_STREAM_XID ||
		rec->kind == DRR_STREAM_STOP)
		return DRR_OK;
	switch (rec->kind)
	{
		case DRR_RELATION:
		case DRR_INSERT:
		case DRR_UPDATE:
		case DRR_DELETE:
		case DRR_TRUNCATE:
		case DRR_MESSAGE:
		case DRR_SKIPPED:
			rec->streamed = 1;
			rec->xid = r->stream_xid;
			return DRR_OK;
		default:
			return fail(r, rec->offset, "%s record inside the stream block of transaction %" PRIu32,
						kind_name(rec->kind), r->stream_top);
	}
}

drr_reader *
drr_reader_create(void)
{
	return calloc(1, sizeof(drr_reader));
}

void
drr_reader_destroy(drr_reader *r)
{
	if (r == NULL)
		return;
	clear_relations(r);
	free(r->slots);
	free(r->old_values);
	free(r->new_values);
	free(r->truncate_rels);
	free(r);
}

const char *
drr_reader_error(const drr_reader *r)
{
	return r->failed ? r->error : "no error";
}

uint64_t
drr_reader_offset(const drr_reader *r)
{
	return r->offset;
}

/* The body of a record of a known kind, by kind. */
static int
parse_body(cursor *c, drr_record *rec)
{
	int			rc;

	switch (rec->kind)
	{
		case DRR_HEADER:
			rc = parse_header(c, rec);
			break;
		case DRR_BEGIN:
			rc = parse_xact(c, rec, 1);
			break;
		case DRR_COMMIT:
			rc = parse_xact(c, rec, 0);
			break;
		case DRR_ORIGIN:
			rc = parse_origin(c, rec);
			break;
		case DRR_RELATION:
			rc = parse_relation(c, rec);
			break;
		case DRR_INSERT:
		case DRR_UPDATE:
		case DRR_DELETE:
			rc = parse_change(c, rec);
			break;
		case DRR_TRUNCATE:
			rc = parse_truncate(c, rec);
			break;
		case DRR_MESSAGE:
			rc = parse_message(c, rec);
			break;
		case DRR_SKIPPED:
			rc = parse_skipped(c, rec);
			break;
		case DRR_BEGIN_PREPARE:
		case DRR_PREPARE:
			rc = parse_prepare(c, rec, rec->kind == DRR_BEGIN_PREPARE);
			break;
		case DRR_COMMIT_PREPARED:
		case DRR_ROLLBACK_PREPARED:
			rc = parse_finish_prepared(c, rec,
									   rec->kind == DRR_ROLLBACK_PREPARED);
			break;
		case DRR_STREAM_START:
		case DRR_STREAM_XID:
		case DRR_STREAM_STOP:
			rc = parse_stream_block(c, rec);
			break;
		case DRR_STREAM_ABORT:
		case DRR_STREAM_COMMIT:
		case DRR_STREAM_PREPARE:
			rc = parse_stream_end(c, rec);
			break;
		default:
			rc = fail(c->r, rec->offset, "unknown record kind 0x%02x", rec->kind);
			break;
	}
	if (rc == DRR_OK && rec->kind != DRR_STREAM_START)
		rc = check_stream_member(c->r, rec);
	return rc;
}

int
drr_reader_next(drr_reader *r, const unsigned char *buf, size_t len,
				int at_eof, drr_record *rec, size_t *consumed)
{
	size_t		skip = 0;
	const unsigned char *p;
	const unsigned char *end;
	uint64_t	body_len;
	int			n;
	cursor		c;

	*consumed = 0;
	if (r->failed)
		return DRR_ERROR;
	if (len == 0)
		return at_eof ? DRR_END : DRR_MORE;
	end = buf + len;

	/* pg_recvlogical -f writes a newline after every record */
	while (skip < len && buf[skip] == '\n')
		skip++;
	r->offset += skip;
	*consumed = skip;
	p = buf + skip;

	/* an empty stream is valid: a session that had nothing to write */
	if (p == end)
		return at_eof ? DRR_END : DRR_MORE;

	memset(rec, 0, sizeof(drr_record));
	rec->kind = (drr_kind) p[0];
	rec->offset = r->offset;
	if (kind_name(p[0]) == NULL)
		return fail(r, r->offset, "unknown record kind 0x%02x", p[0]);
	if (!r->seen_header && p[0] != DRR_HEADER)
		return fail(r, r->offset,
					"not a decoder_raw binary stream: it does not begin with a header record");

	n = dr_decode_varint(p + 1, end, &body_len);
	if (n < 0)
		return fail(r, r->offset + 1, "invalid record length");
	if (n == 0)
	{
		if (!at_eof)
			return DRR_MORE;
		return fail(r, r->offset, "truncated %s record: the input ends inside its length",
					kind_name(p[0]));
	}
	if (body_len > MAX_RECORD_BODY)
		return fail(r, r->offset + 1, "record length %" PRIu64 " exceeds the maximum of %" PRIu64,
					body_len, MAX_RECORD_BODY);
	if (body_len > (uint64_t) (end - p) - 1 - n)
	{
		if (!at_eof)
			return DRR_MORE;
		return fail(r, r->offset,
					"truncated %s record: its body has %" PRIu64 " bytes, the input holds %zu of them",
					kind_name(p[0]), body_len, (size_t) (end - p) - 1 - n);
	}

	c.r = r;
	c.start = p + 1 + n;
	c.p = c.start;
	c.end = c.start + body_len;
	c.base = r->offset + 1 + n;
	c.what = kind_name(p[0]);
	c.a_what = kind_name_article(p[0]);
	rec->size = 1 + n + body_len;

	if (parse_body(&c, rec) != DRR_OK)
		return DRR_ERROR;
	if (c.p != c.end)
		return fail(r, cursor_offset(&c), "%zu unexpected byte%s at the end of %s record",
					(size_t) (c.end - c.p), c.end - c.p > 1 ? "s" : "", c.a_what);

	r->offset += rec->size;
	*consumed = skip + (size_t) rec->size;
	return DRR_OK;
}

/* ----------
 * Formatting
 * ----------
 */

/* As common/text.c writes them for the plugin and decoder_raw_dump. */
void
drr_format_lsn(char *buf, uint64_t lsn)
{
	(void) dr_put_lsn(buf, lsn);
}

int
drr_format_timestamp(char *buf, int64_t t)
{
	return dr_put_timestamp(buf, t, true) < 0 ? -1 : 0;
}
