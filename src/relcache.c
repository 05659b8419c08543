/*-------------------------------------------------------------------------
 *
 * relcache.c
 *		Per-relation metadata cache of decoder_raw.
 *
 * Everything the writers need to know about a relation (its quoted name,
 * column names, output functions, replica identity columns, ...) is looked
 * up once and kept until a relcache or syscache invalidation says it may
 * have changed, as pgoutput's RelationSyncEntry is.  No catalog lookup is
 * made per row.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "compat.h"
#include "decoder_raw.h"

#include "access/htup_details.h"
#include "access/nbtree.h"
#include "catalog/pg_am.h"
#include "commands/defrem.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/fmgroids.h"
#include "nodes/bitmapset.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

static HTAB *RelationCache = NULL;
static DecoderRawRelation *last_entry = NULL;	/* changes come in runs */
static uint32 next_relation_id = 1;
static bool callbacks_registered = false;

static void invalidate_relation_cb(Datum arg, Oid relid);
static void build_relation_guts(DecoderRawRelation *entry, Relation rel);
static void invalidate_all_cb(Datum arg, int cacheid, uint32 hashvalue);

void
decoder_raw_relcache_init(void)
{
	HASHCTL		ctl;

	/* a session that ended in an error left its cache behind */
	decoder_raw_relcache_destroy();

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(DecoderRawRelation);
	ctl.hcxt = CacheMemoryContext;
	RelationCache = hash_create("decoder_raw relation cache", 128, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	next_relation_id = 1;

	/*
	 * Callbacks cannot be unregistered, so register them once per process;
	 * they do nothing while no decoding session has a cache.
	 */
	if (!callbacks_registered)
	{
		CacheRegisterRelcacheCallback(invalidate_relation_cb, (Datum) 0);
		/* type and schema renames change what is cached, too */
		CacheRegisterSyscacheCallback(TYPEOID, invalidate_all_cb, (Datum) 0);
		CacheRegisterSyscacheCallback(NAMESPACEOID, invalidate_all_cb, (Datum) 0);
		callbacks_registered = true;
	}
}

void
decoder_raw_relcache_destroy(void)
{
	HASH_SEQ_STATUS status;
	DecoderRawRelation *entry;

	last_entry = NULL;
	if (RelationCache == NULL)
		return;

	hash_seq_init(&status, RelationCache);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (entry->cxt != NULL)
			MemoryContextDelete(entry->cxt);
	}
	hash_destroy(RelationCache);
	RelationCache = NULL;
}

static void
invalidate_relation_cb(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	DecoderRawRelation *entry;

	if (RelationCache == NULL)
		return;

	/* Only mark invalid: the entry may be in use right now. */
	if (OidIsValid(relid))
	{
		entry = hash_search(RelationCache, &relid, HASH_FIND, NULL);
		if (entry != NULL)
			entry->valid = false;
		return;
	}

	hash_seq_init(&status, RelationCache);
	while ((entry = hash_seq_search(&status)) != NULL)
		entry->valid = false;
}

static void
invalidate_all_cb(Datum arg, int cacheid, uint32 hashvalue)
{
	invalidate_relation_cb(arg, InvalidOid);
}

/*
 * Does the text output of this type depend on session settings (DateStyle,
 * IntervalStyle, TimeZone, extra_float_digits, bytea_output, lc_monetary,
 * search_path, quote_all_identifiers)?  Types of unknown provenance are assumed to.
 */
static bool
type_needs_gucs(Oid typid)
{
	HeapTuple	tp;
	Form_pg_type typ;
	bool		result;

	check_stack_depth();

	typid = getBaseType(typid);

	switch (typid)
	{
		case BOOLOID:
		case CHAROID:
		case NAMEOID:
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case XIDOID:
		case XID8OID:
		case CIDOID:
		case TIDOID:
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
		case NUMERICOID:
		case UUIDOID:
		case JSONOID:
		case JSONBOID:
		case JSONPATHOID:
		case XMLOID:
		case BITOID:
		case VARBITOID:
		case INETOID:
		case CIDROID:
		case MACADDROID:
		case MACADDR8OID:
		case TSVECTOROID:
		case TSQUERYOID:
		case PG_LSNOID:
		case OIDVECTOROID:
		case INT2VECTOROID:
		case TXID_SNAPSHOTOID:
		case PG_SNAPSHOTOID:
			return false;
		default:
			break;
	}

	tp = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for type %u", typid);
	typ = (Form_pg_type) GETSTRUCT(tp);

	if (typ->typtype == TYPTYPE_ENUM)
		result = false;
	else if (OidIsValid(typ->typelem) && IsTrueArrayType(typ))
		result = type_needs_gucs(typ->typelem);
	else if (typ->typtype == TYPTYPE_RANGE)
		result = type_needs_gucs(get_range_subtype(typid));
	else if (typ->typtype == TYPTYPE_MULTIRANGE)
		result = type_needs_gucs(get_multirange_range(typid));
	else if (typ->typtype == TYPTYPE_COMPOSITE)
	{
		TupleDesc	desc = lookup_rowtype_tupdesc(typid, -1);
		int			i;

		result = false;
		for (i = 0; i < desc->natts && !result; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (!att->attisdropped)
				result = type_needs_gucs(att->atttypid);
		}
		ReleaseTupleDesc(desc);
	}
	else
		result = true;			/* floats, dates, bytea, money, reg*, ... */

	ReleaseSysCache(tp);
	return result;
}

static DecoderRawColumnKind
column_kind(Oid typid)
{
	switch (typid)
	{
		case BOOLOID:
			return DR_COL_BOOL;
		case INT2OID:
			return DR_COL_INT2;
		case INT4OID:
			return DR_COL_INT4;
		case INT8OID:
			return DR_COL_INT8;
		case FLOAT4OID:
			return DR_COL_FLOAT4;
		case FLOAT8OID:
			return DR_COL_FLOAT8;
		case NUMERICOID:
			return DR_COL_NUMERIC;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			return DR_COL_TEXT;
		case BYTEAOID:
			return DR_COL_BYTEA;
		case DATEOID:
			return DR_COL_DATE;
		case TIMESTAMPOID:
			return DR_COL_TIMESTAMP;
		case TIMESTAMPTZOID:
			return DR_COL_TIMESTAMPTZ;
		case CASHOID:
			return DR_COL_MONEY;
		default:
			return DR_COL_GENERIC;
	}
}

/* Are equal values of this type always the same value? */
static bool
type_is_image_equal(Oid typid, Oid collid)
{
	Oid			opclass = GetDefaultOpClass(typid, BTREE_AM_OID);
	Oid			opcintype;
	Oid			proc;

	if (!OidIsValid(opclass) || DR_EQUALIMAGE_DIFFERS_BY_MAJOR(typid))
		return false;
	opcintype = get_opclass_input_type(opclass);
	proc = get_opfamily_proc(get_opclass_family(opclass), opcintype, opcintype,
							 BTEQUALIMAGE_PROC);
	if (!OidIsValid(proc))
		return false;
	return DatumGetBool(OidFunctionCall1Coll(proc, collid,
											 ObjectIdGetDatum(opcintype)));
}

/* The kinds written without going through the session's settings. */
static bool
kind_is_setting_free(DecoderRawColumnKind kind)
{
	return kind != DR_COL_GENERIC && kind != DR_COL_MONEY;
}

/*
 * quote_identifier(), but a name holding a control character becomes a
 * U&"" identifier with escapes, so that every record stays on one line.
 * Callers have quote_all_identifiers off.
 */
static char *
quote_name(const char *name)
{
	const unsigned char *p;
	StringInfoData buf;

	for (p = (const unsigned char *) name; *p; p++)
	{
		if (*p < 0x20 || *p == 0x7f)
			break;
	}
	if (*p == '\0')
		return (char *) quote_identifier(name);

	initStringInfo(&buf);
	appendStringInfoString(&buf, "U&\"");
	for (p = (const unsigned char *) name; *p; p++)
	{
		if (*p < 0x20 || *p == 0x7f)
			appendStringInfo(&buf, "\\%04X", *p);
		else if (*p == '\\')
			appendStringInfoString(&buf, "\\\\");
		else if (*p == '"')
			appendStringInfoString(&buf, "\"\"");
		else
			appendStringInfoChar(&buf, *p);
	}
	appendStringInfoChar(&buf, '"');
	return buf.data;
}

static void
build_relation(DecoderRawRelation *entry, Relation rel)
{
	bool		save_quote_all = quote_all_identifiers;

	/* the output must not depend on the session's quote_all_identifiers */
	quote_all_identifiers = false;
	PG_TRY();
	{
		build_relation_guts(entry, rel);
	}
	PG_FINALLY();
	{
		quote_all_identifiers = save_quote_all;
	}
	PG_END_TRY();
}

/*
 * The type's name as a cast writes it: qualified, and the same on every
 * major (16 stopped qualifying json).
 */
static char *
qualified_type_name(Oid typid, int32 typmod)
{
#if DR_FORMAT_TYPE_UNQUALIFIED_JSON
	if (typid == JSONOID)
		return pstrdup("pg_catalog.json");
	if (typid == JSONARRAYOID)
		return pstrdup("pg_catalog.json[]");
#endif
	return format_type_extended(typid, typmod,
								FORMAT_TYPE_TYPEMOD_GIVEN |
								FORMAT_TYPE_FORCE_QUALIFY);
}

static void
build_relation_guts(DecoderRawRelation *entry, Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Bitmapset  *keys;
	MemoryContext oldcxt;
	int			i;

	if (entry->cxt != NULL)
		MemoryContextDelete(entry->cxt);
	entry->cxt = AllocSetContextCreate(CacheMemoryContext,
									   "decoder_raw relation",
									   ALLOCSET_SMALL_SIZES);
	MemoryContextCopyAndSetIdentifier(entry->cxt, RelationGetRelationName(rel));
	oldcxt = MemoryContextSwitchTo(entry->cxt);

	/* valid from now on, unless an invalidation arrives while we build */
	entry->valid = true;
	entry->sent = false;
	entry->writer_private = NULL;
	entry->nspname = get_namespace_name(RelationGetNamespace(rel));
	entry->relname = pstrdup(RelationGetRelationName(rel));
	entry->quoted_nspname = quote_name(entry->nspname);
	entry->quoted_relname = quote_name(entry->relname);
	entry->qualname = psprintf("%s.%s", entry->quoted_nspname,
							   entry->quoted_relname);
	entry->relkind = rel->rd_rel->relkind;
	entry->replident = rel->rd_rel->relreplident;
	entry->full_identity = (entry->replident == REPLICA_IDENTITY_FULL);
	entry->use_only = rel->rd_rel->relhassubclass &&
		entry->relkind != RELKIND_PARTITIONED_TABLE;
	entry->needs_gucs = false;
	entry->has_identity_always = false;

	/* key columns of the replica identity index, INCLUDE columns left out */
	keys = entry->full_identity ? NULL : RelationGetIdentityKeyBitmap(rel);
	entry->has_identity = entry->full_identity || !bms_is_empty(keys);

	entry->desc = CreateTupleDescCopyConstr(desc); /* keeps missing values */
	entry->natts = desc->natts;
	entry->cols = palloc0(sizeof(DecoderRawColumn) * Max(desc->natts, 1));
	entry->old_values = palloc(sizeof(Datum) * Max(desc->natts, 1));
	entry->old_nulls = palloc(sizeof(bool) * Max(desc->natts, 1));
	entry->new_values = palloc(sizeof(Datum) * Max(desc->natts, 1));
	entry->new_nulls = palloc(sizeof(bool) * Max(desc->natts, 1));
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		DecoderRawColumn *col = &entry->cols[i];
		Oid			typoutput;
		TypeCacheEntry *tce;

		col->dropped = att->attisdropped;
		if (col->dropped)
			continue;

		col->name = pstrdup(NameStr(att->attname));
		col->quoted = quote_name(col->name);
		col->quoted_len = strlen(col->quoted);
		col->typid = att->atttypid;
		col->typmod = att->atttypmod;
		col->generated = (att->attgenerated == ATTRIBUTE_GENERATED_STORED);
		col->identity_always = (att->attidentity == ATTRIBUTE_IDENTITY_ALWAYS);
		col->is_key = bms_is_member(att->attnum - FirstLowInvalidHeapAttributeNumber,
									keys);
		col->kind = column_kind(col->typid);
		col->typname = qualified_type_name(col->typid, col->typmod);

		getTypeOutputInfo(col->typid, &typoutput, &col->typisvarlena);
		fmgr_info_cxt(typoutput, &col->outfunc, entry->cxt);

		tce = lookup_type_cache(col->typid, TYPECACHE_EQ_OPR);
		col->has_equality = OidIsValid(tce->eq_opr);
		if (col->has_equality)
		{
			Oid			left,
						right;

			op_input_types(tce->eq_opr, &left, &right);
			col->cast_in_where = left == RECORDOID ||
				(left == OIDOID && getBaseType(col->typid) != OIDOID);
			col->exact_check = !type_is_image_equal(col->typid, att->attcollation);
		}

		if (col->identity_always)
			entry->has_identity_always = true;
		if (!kind_is_setting_free(col->kind) && type_needs_gucs(col->typid))
			entry->needs_gucs = true;
	}

	bms_free(keys);
	MemoryContextSwitchTo(oldcxt);
}

/*
 * Look up (building it if needed) the cache entry of a relation.  Called in
 * the change callbacks, where the relation is open and catalog access uses
 * the historic snapshot of the change.
 */
DecoderRawRelation *
decoder_raw_get_relation(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	DecoderRawRelation *entry;
	bool		found;

	Assert(RelationCache != NULL);

	if (last_entry != NULL && last_entry->relid == relid && last_entry->valid)
		return last_entry;

	entry = hash_search(RelationCache, &relid, HASH_ENTER, &found);
	if (!found)
	{
		entry->valid = false;
		entry->cxt = NULL;
		entry->id = next_relation_id++;
	}
	if (!entry->valid)
		build_relation(entry, rel);

	last_entry = entry;
	return entry;
}

/* Look up the binary send function of a column, once. */
void
decoder_raw_column_prepare_send(DecoderRawColumn *col)
{
	HeapTuple	tp;
	Form_pg_type typ;

	if (col->send_ready)
		return;

	tp = SearchSysCache1(TYPEOID, ObjectIdGetDatum(col->typid));
	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for type %u", col->typid);
	typ = (Form_pg_type) GETSTRUCT(tp);
	col->has_send = OidIsValid(typ->typsend);
	if (col->has_send)
		fmgr_info_cxt(typ->typsend, &col->sendfunc,
					  GetMemoryChunkContext(col->name));
	ReleaseSysCache(tp);
	col->send_ready = true;
}
