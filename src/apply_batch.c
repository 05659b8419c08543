/*-------------------------------------------------------------------------
 *
 * apply_batch.c
 *		decoder_raw_apply_batch(): the procedure that runs a batch of
 *		decoder_raw_apply's transactions inside the target's backend.
 *
 * The applier sends the same statements either way; this saves the
 * target the parsing and planning of each EXECUTE, BEGIN, progress call
 * and COMMIT.  Each 'X' entry runs the session's prepared statement
 * dr_<name> through a plan made once from that statement's own text and
 * parameter types, so that it reads its rows as EXECUTE would; each 'C'
 * entry fires what constraints were deferred, sets the session origin's
 * progress and commits (common/batch_format.h has the format).
 *
 * The progress is set with interrupts held, just before the commit: from
 * PostgreSQL 16 on, an abort records the progress that is set, and a
 * transaction that aborted after it would be claimed by the origin without
 * being on the target.  No signal, cancel or lost client takes effect in
 * between.  A commit that fails by itself is aborted inside SPI_commit(),
 * which records the progress; the applier puts the origin back then.
 *
 * Copyright (c) decoder_raw contributors
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/prepare.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "replication/origin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/pg_lsn.h"
#include "utils/timestamp.h"

#include "../common/batch_format.h"

PG_FUNCTION_INFO_V1(decoder_raw_apply_batch);

/* a prepared statement of the session, planned for SPI */
typedef struct BatchPlan
{
	uint32		name;			/* hash key: dr_<name> */
	SPIPlanPtr	plan;
	bool		checked;		/* must change a row */
	int			nargs;
	Oid		   *types;
	Oid		   *base_types;
	FmgrInfo   *input;
	Oid		   *ioparams;
} BatchPlan;

/* the batch being read */
typedef struct BatchReader
{
	const char *p;
	const char *end;
	int			entry;			/* entry number, from 1 */
	char		tag;
	MemoryContext run_cxt;		/* lives as long as the call */
	uint32	   *drops;			/* statements to let go at the end */
	int			ndrops;
	int			maxdrops;
} BatchReader;

static HTAB *batch_plans = NULL;
static MemoryContext batch_plan_cxt = NULL;

static void
batch_truncated(BatchReader *r)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("batch entry %d is truncated", r->entry)));
}

static inline uint32
read_uint(BatchReader *r, int bytes)
{
	uint32		v = 0;

	if (r->end - r->p < bytes)
		batch_truncated(r);
	for (int i = 0; i < bytes; i++)
		v = (v << 8) | (unsigned char) *r->p++;
	return v;
}

static uint64
read_uint64(BatchReader *r)
{
	uint64		hi = read_uint(r, 4);

	return (hi << 32) | read_uint(r, 4);
}

static const char *
read_bytes(BatchReader *r, uint32 len)
{
	const char *s = r->p;

	if ((uint32) (r->end - r->p) < len)
		batch_truncated(r);
	r->p += len;
	return s;
}

static void
batch_error_context(void *arg)
{
	BatchReader *r = (BatchReader *) arg;

	errcontext("decoder_raw_apply_batch entry %d", r->entry);
}

/* the plan of dr_<name>, made from the prepared statement on first use */
static BatchPlan *
get_plan(uint32 name)
{
	BatchPlan  *bp;
	bool		found;
	char		stmt_name[24];
	PreparedStatement *ps;
	CachedPlanSource *src;
	SPIPlanPtr	plan;
	const char *query;
	size_t		len,
				head = strlen(DR_CHECK_HEAD),
				tail = strlen(DR_CHECK_TAIL);
	bool		checked;

	if (batch_plans == NULL)
	{
		HASHCTL		ctl;

		batch_plan_cxt = AllocSetContextCreate(TopMemoryContext,
											   "decoder_raw batch plans",
											   ALLOCSET_SMALL_SIZES);
		ctl.keysize = sizeof(uint32);
		ctl.entrysize = sizeof(BatchPlan);
		ctl.hcxt = batch_plan_cxt;
		batch_plans = hash_create("decoder_raw batch plans", 256, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	bp = hash_search(batch_plans, &name, HASH_FIND, NULL);
	if (bp != NULL)
		return bp;

	snprintf(stmt_name, sizeof(stmt_name), "dr_%u", name);
	ps = FetchPreparedStatement(stmt_name, false);
	if (ps == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_PSTATEMENT),
				 errmsg("prepared statement \"%s\" does not exist", stmt_name)));
	if (ps->from_sql)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PSTATEMENT_DEFINITION),
				 errmsg("prepared statement \"%s\" was not prepared through the protocol",
						stmt_name)));
	src = ps->plansource;
	query = src->query_string;
	len = strlen(query);
	checked = strncmp(query, DR_CHECK_HEAD, head) == 0 && len > head + tail &&
		strcmp(query + len - tail, DR_CHECK_TAIL) == 0;
	if (checked)
		query = pnstrdup(query + head, len - head - tail);
	plan = SPI_prepare(query, src->num_params, src->param_types);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare of \"%s\" failed: %s", stmt_name,
			 SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan of \"%s\" failed", stmt_name);

	bp = hash_search(batch_plans, &name, HASH_ENTER, &found);
	bp->plan = plan;
	bp->checked = checked;
	bp->nargs = src->num_params;
	bp->types = MemoryContextAlloc(batch_plan_cxt, sizeof(Oid) * Max(bp->nargs, 1));
	bp->base_types = MemoryContextAlloc(batch_plan_cxt, sizeof(Oid) * Max(bp->nargs, 1));
	bp->ioparams = MemoryContextAlloc(batch_plan_cxt, sizeof(Oid) * Max(bp->nargs, 1));
	bp->input = MemoryContextAlloc(batch_plan_cxt, sizeof(FmgrInfo) * Max(bp->nargs, 1));
	for (int i = 0; i < bp->nargs; i++)
	{
		Oid			func;

		bp->types[i] = src->param_types[i];
		bp->base_types[i] = getBaseType(bp->types[i]);
		getTypeInputInfo(bp->types[i], &func, &bp->ioparams[i]);
		fmgr_info_cxt(func, &bp->input[i], batch_plan_cxt);
	}
	return bp;
}

/*
 * 'D': the applier let the statement go.  It goes once the whole batch has
 * run: the applier runs a batch that failed again as SQL, DEALLOCATE too.
 */
static void
drop_plan(uint32 name)
{
	char		stmt_name[24];
	BatchPlan  *bp;

	if (batch_plans != NULL &&
		(bp = hash_search(batch_plans, &name, HASH_FIND, NULL)) != NULL)
	{
		SPI_freeplan(bp->plan);
		pfree(bp->types);
		pfree(bp->base_types);
		pfree(bp->ioparams);
		pfree(bp->input);
		hash_search(batch_plans, &name, HASH_REMOVE, NULL);
	}
	snprintf(stmt_name, sizeof(stmt_name), "dr_%u", name);
	DropPreparedStatement(stmt_name, false);
}

/*
 * Does the parameter read the constant as EXECUTE would?  A literal is
 * read by the parameter type's input function either way; a bare constant
 * is of its own type, which the parameter must have for that to hold.
 */
static bool
class_fits(int cls, Oid base)
{
	switch (cls)
	{
		case DR_ARG_LITERAL:
			return true;
		case DR_ARG_BOOL:
			return base == BOOLOID;
		case DR_ARG_INTEGER:
			return base == INT2OID || base == INT4OID || base == INT8OID ||
				base == NUMERICOID;
		case DR_ARG_NUMERIC:
			return base == NUMERICOID;
		default:
			return false;
	}
}

/* 'X': EXECUTE dr_<name>(args) */
static void
run_execute(BatchReader *r)
{
	uint32		name = read_uint(r, 4);
	int			nargs = (int) read_uint(r, 2);
	BatchPlan  *bp = get_plan(name);
	Datum	   *values = palloc(sizeof(Datum) * Max(nargs, 1));
	char	   *nulls = palloc(Max(nargs, 1));
	int			rc;

	if (nargs != bp->nargs)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("prepared statement \"dr_%u\" takes %d parameters, not %d",
						name, bp->nargs, nargs)));
	for (int i = 0; i < nargs; i++)
	{
		int			cls = (int) read_uint(r, 1);
		uint32		len;
		char	   *str;

		if (cls == DR_ARG_NULL)
		{
			nulls[i] = 'n';
			values[i] = (Datum) 0;
			continue;
		}
		if (!class_fits(cls, bp->base_types[i]))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("parameter $%d of prepared statement \"dr_%u\" is of type %s, "
							"which does not read the constant as its source type does",
							i + 1, name, format_type_be(bp->types[i]))));
		len = read_uint(r, 4);
		str = palloc(len + 1);
		memcpy(str, read_bytes(r, len), len);
		str[len] = '\0';
		nulls[i] = ' ';
		values[i] = InputFunctionCall(&bp->input[i], str, bp->ioparams[i], -1);
	}
	rc = SPI_execute_plan(bp->plan, values, nulls, false, 0);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan of \"dr_%u\" failed: %s", name,
			 SPI_result_code_string(rc));
	if (bp->checked && SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DIVISION_BY_ZERO),
				 errmsg("the row to change is not on the target")));
	SPI_freetuptable(SPI_tuptable);
}

/* 'S': a statement without parameters */
static void
run_statement(BatchReader *r)
{
	uint32		len = read_uint(r, 4);
	char	   *sql = palloc(len + 1);
	int			rc;

	memcpy(sql, read_bytes(r, len), len);
	sql[len] = '\0';
	rc = SPI_execute(sql, false, 0);
	if (rc < 0)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
	SPI_freetuptable(SPI_tuptable);
}

/*
 * 'C': what constraints were deferred are checked, then the progress is
 * set and the transaction commits, with no interrupt in between.
 */
static void
commit_xact(BatchReader *r)
{
	XLogRecPtr	lsn = (XLogRecPtr) read_uint64(r);
	TimestampTz time = (TimestampTz) read_uint64(r);
	ConstraintsSetStmt *immediate = makeNode(ConstraintsSetStmt);

	(void) read_uint(r, 1);		/* flags: none yet */
	immediate->constraints = NIL;
	immediate->deferred = false;
	AfterTriggerSetState(immediate);
	if (!IS_VALID_TIMESTAMP(time))
		time = GetCurrentTimestamp();

	HOLD_INTERRUPTS();
	replorigin_session_origin_lsn = lsn;
	replorigin_session_origin_timestamp = time;
	PG_TRY();
	{
		SPI_commit();
	}
	PG_CATCH();
	{
		replorigin_session_origin_lsn = InvalidXLogRecPtr;
		replorigin_session_origin_timestamp = 0;
		RESUME_INTERRUPTS();
		PG_RE_THROW();
	}
	PG_END_TRY();
	replorigin_session_origin_lsn = InvalidXLogRecPtr;
	replorigin_session_origin_timestamp = 0;
	RESUME_INTERRUPTS();
}

/* may this session set its origin's progress, and is it called as CALL? */
static void
check_caller(FunctionCallInfo fcinfo)
{
	AclResult	aclresult;

	if (fcinfo->context == NULL || !IsA(fcinfo->context, CallContext) ||
		castNode(CallContext, fcinfo->context)->atomic)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("%s() must be called with CALL outside a transaction block",
						DR_BATCH_PROCEDURE)));
#if PG_VERSION_NUM >= 160000
	aclresult = object_aclcheck(ProcedureRelationId, F_PG_REPLICATION_ORIGIN_XACT_SETUP,
								GetUserId(), ACL_EXECUTE);
#else
	aclresult = pg_proc_aclcheck(F_PG_REPLICATION_ORIGIN_XACT_SETUP, GetUserId(), ACL_EXECUTE);
#endif
	if (aclresult != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to set replication origin progress"),
				 errhint("%s() needs the EXECUTE privilege on pg_replication_origin_xact_setup().",
						 DR_BATCH_PROCEDURE)));
	if (replorigin_session_origin == InvalidRepOriginId ||
		replorigin_session_origin == DoNotReplicateId)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no replication origin is configured"),
				 errhint("Call pg_replication_origin_session_setup() first.")));
}

/* one entry of the batch; returns whether a transaction is open after it */
static bool
run_entry(BatchReader *r, bool in_xact, int64 *commits)
{
	switch (r->tag)
	{
		case DR_BATCH_BEGIN:
			if (in_xact)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("batch entry %d begins a transaction inside another",
								r->entry)));
			return true;
		case DR_BATCH_EXECUTE:
			run_execute(r);
			return in_xact;
		case DR_BATCH_STATEMENT:
			run_statement(r);
			return in_xact;
		case DR_BATCH_DEALLOCATE:
			if (r->ndrops == r->maxdrops)
			{
				r->maxdrops = r->maxdrops ? 2 * r->maxdrops : 16;
				r->drops = r->drops ?
					repalloc(r->drops, sizeof(uint32) * r->maxdrops) :
					MemoryContextAlloc(r->run_cxt, sizeof(uint32) * r->maxdrops);
			}
			r->drops[r->ndrops++] = read_uint(r, 4);
			return in_xact;
		case DR_BATCH_COMMIT:
			if (!in_xact)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("batch entry %d commits outside a transaction",
								r->entry)));
			commit_xact(r);
			(*commits)++;
			return false;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("batch entry %d has unknown tag 0x%02x", r->entry,
							(unsigned char) r->tag)));
	}
	return in_xact;				/* not reached */
}

/* the procedure's outputs: commits, WAL insert and flush positions */
static Datum
batch_result(FunctionCallInfo fcinfo, int64 commits)
{
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Int64GetDatum(commits);
	values[1] = LSNGetDatum(GetXLogInsertRecPtr());
	values[2] = LSNGetDatum(GetFlushRecPtr(NULL));
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

Datum
decoder_raw_apply_batch(PG_FUNCTION_ARGS)
{
	bytea	   *batch = PG_GETARG_BYTEA_PP(0);
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext entry_cxt;
	ErrorContextCallback errcallback;
	BatchReader r;
	bool		in_xact = false;
	int64		commits = 0;

	check_caller(fcinfo);
	r.p = VARDATA_ANY(batch);
	r.end = r.p + VARSIZE_ANY_EXHDR(batch);
	r.entry = 0;
	r.drops = NULL;
	r.ndrops = r.maxdrops = 0;
	if (r.end - r.p < DR_BATCH_HEADER_LEN || memcmp(r.p, DR_BATCH_MAGIC, 3) != 0 ||
		r.p[3] != DR_BATCH_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("not a batch of version %d of decoder_raw_apply", DR_BATCH_VERSION)));
	r.p += DR_BATCH_HEADER_LEN;

	SPI_connect_ext(SPI_OPT_NONATOMIC);
	r.run_cxt = AllocSetContextCreate(TopMemoryContext, "decoder_raw batch",
									  ALLOCSET_SMALL_SIZES);
	entry_cxt = AllocSetContextCreate(r.run_cxt, "decoder_raw batch entry",
									  ALLOCSET_DEFAULT_SIZES);
	errcallback.callback = batch_error_context;
	errcallback.arg = &r;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	PG_TRY();
	{
		while (r.p < r.end)
		{
			MemoryContext old;

			r.entry++;
			r.tag = *r.p++;
			old = MemoryContextSwitchTo(entry_cxt);
			in_xact = run_entry(&r, in_xact, &commits);
			MemoryContextSwitchTo(old);
			MemoryContextReset(entry_cxt);
		}
		if (in_xact)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the batch ends inside a transaction")));
		for (int i = 0; i < r.ndrops; i++)
			drop_plan(r.drops[i]);
	}
	PG_FINALLY();
	{
		error_context_stack = errcallback.previous;
		MemoryContextDelete(r.run_cxt);
	}
	PG_END_TRY();
	SPI_finish();
	MemoryContextSwitchTo(caller);
	return batch_result(fcinfo, commits);
}
