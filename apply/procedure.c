/*-------------------------------------------------------------------------
 *
 * procedure.c
 *		decoder_raw_apply: batches applied by decoder_raw_apply_batch(), the
 *		procedure of the decoder_raw extension on the target.
 *
 * A batch is built as SQL either way (batch.c).  Where the target has the
 * extension, a batch of whole transactions goes instead as one CALL with
 * the same statements in the procedure's format (common/batch_format.h):
 * the target runs the prepared statements without parsing an EXECUTE, and
 * commits each transaction with its progress without a statement of its
 * own for BEGIN, the progress call or COMMIT.  A CALL is one protocol
 * message, and the procedure holds interrupts from the progress to the
 * commit, so the progress is as safe as in a simple-protocol query.
 *
 * If the procedure fails, the transactions before the one it was in have
 * committed; the rest of the batch runs again as SQL, which reports an
 * error as always.  If that SQL succeeds, the procedure could not take
 * something the SQL could, and the session goes on with SQL.
 *
 * Copyright (c) decoder_raw contributors
 *
 *-------------------------------------------------------------------------
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "../common/batch_format.h"

#define PROC_STATEMENT "dr_batch"

/* the parameter's type: bytea */
static const unsigned int bytea_type[1] = {17};

/* the procedure's name on the target, if it has it and the role may call it */
static const char find_procedure[] =
"SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname)"
" FROM pg_catalog.pg_extension e"
" JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass"
"  AND d.refobjid = e.oid AND d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass"
"  AND d.deptype = 'e'"
" JOIN pg_catalog.pg_proc p ON p.oid = d.objid"
" JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
" WHERE e.extname = 'decoder_raw' AND p.proname = '" DR_BATCH_PROCEDURE "'"
"  AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')"
"  AND pg_catalog.has_function_privilege(p.oid, 'EXECUTE')"
"  AND pg_catalog.has_function_privilege("
"   'pg_catalog.pg_replication_origin_xact_setup(pg_catalog.pg_lsn, pg_catalog.timestamptz)',"
"   'EXECUTE')";

/*
 * Does this session apply through the procedure?  --apply-mode procedure
 * insists on it; auto takes it where it is.  Neither --on-conflict
 * skip-and-log (it reports no row counts) nor --preserve-origins (it binds
 * one origin) goes through it.
 */
ApplyResult
proc_detect(Applier *a)
{
	const ApplyOptions *o = a->opts;
	PGresult   *res;
	char		call[300];

	a->use_proc = false;
	if (o->apply_mode == APPLY_SQL || o->on_conflict != CONFLICT_STOP || o->preserve_origins)
		return AR_OK;
	res = PQexec(a->tgt, find_procedure);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		log_error("on the target, could not look for %s(): %s", DR_BATCH_PROCEDURE,
				  PQresultErrorMessage(res));
		PQclear(res);
		return target_lost(a, NULL) ? AR_LOST : AR_ERROR;
	}
	if (PQntuples(res) == 0)
	{
		PQclear(res);
		if (o->apply_mode == APPLY_PROCEDURE)
		{
			log_error("--apply-mode procedure: the target database has no %s() that "
					  "this role may call", DR_BATCH_PROCEDURE);
			log_info("hint: CREATE EXTENSION decoder_raw (version 1.1 or later) there, or "
					 "ALTER EXTENSION decoder_raw UPDATE; the role needs EXECUTE on "
					 "pg_replication_origin_xact_setup()");
			return AR_ERROR;
		}
		if (o->verbose)
			log_info("applying with SQL statements: the target database has no %s() "
					 "that this role may call (CREATE EXTENSION decoder_raw there applies "
					 "faster)", DR_BATCH_PROCEDURE);
		return AR_OK;
	}
	snprintf(call, sizeof(call), "CALL %s($1)", PQgetvalue(res, 0, 0));
	PQclear(res);
	res = PQprepare(a->tgt, PROC_STATEMENT, call, 1, bytea_type);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		log_error("on the target, could not prepare %s: %s", call, PQresultErrorMessage(res));
		PQclear(res);
		return target_lost(a, NULL) ? AR_LOST : AR_ERROR;
	}
	PQclear(res);
	a->use_proc = true;
	if (o->verbose)
		log_info("applying through %s on the target", call + 5);
	return AR_OK;
}

/* ----------
 * The payload
 * ----------
 */

static void
put(Applier *a, size_t *len, const void *data, size_t n)
{
	if (*len + n > a->payload_cap)
	{
		while (*len + n > a->payload_cap)
			a->payload_cap = a->payload_cap ? 2 * a->payload_cap : 1024 * 1024;
		a->payload = xrealloc(a->payload, a->payload_cap);
	}
	memcpy(a->payload + *len, data, n);
	*len += n;
}

static void
put_uint(Applier *a, size_t *len, uint64_t v, int bytes)
{
	unsigned char buf[8];

	for (int i = 0; i < bytes; i++)
		buf[i] = (unsigned char) (v >> (8 * (bytes - 1 - i)));
	put(a, len, buf, bytes);
}

static void
note_entry(Batch *b, int entry, int stmt)
{
	if (entry >= b->entry_cap)
	{
		b->entry_cap = b->entry_cap ? 2 * b->entry_cap : 1024;
		while (entry >= b->entry_cap)
			b->entry_cap *= 2;
		b->entry_stmt = xrealloc(b->entry_stmt, sizeof(int) * b->entry_cap);
	}
	b->entry_stmt[entry] = stmt;
}

/* the batch in the procedure's format; its length */
static size_t
build_payload(Applier *a, Batch *b)
{
	size_t		len = 0;
	int			entries = 0;

	put(a, &len, DR_BATCH_MAGIC, 3);
	put_uint(a, &len, DR_BATCH_VERSION, 1);
	for (int i = 0; i < b->nstmts; i++)
	{
		const BatchStmt *st = &b->stmts[i];

		switch (st->kind)
		{
			case STMT_BEGIN:
				put_uint(a, &len, DR_BATCH_BEGIN, 1);
				break;
			case STMT_COMMIT:
				put_uint(a, &len, DR_BATCH_COMMIT, 1);
				put_uint(a, &len, st->xact_end, 8);
				put_uint(a, &len, (uint64_t) st->xact_time, 8);
				put_uint(a, &len, 0, 1);
				break;
			case STMT_DEALLOCATE:
				put_uint(a, &len, DR_BATCH_DEALLOCATE, 1);
				put_uint(a, &len, st->name, 4);
				break;
			case STMT_PROGRESS:
			case STMT_POSITION:
				continue;		/* the procedure's own work */
			default:
				if (st->name != 0)
				{
					put_uint(a, &len, DR_BATCH_EXECUTE, 1);
					put_uint(a, &len, st->name, 4);
					put_uint(a, &len, st->nparams, 2);
					put(a, &len, b->raw + st->raw_start, st->raw_len);
				}
				else
				{
					put_uint(a, &len, DR_BATCH_STATEMENT, 1);
					put_uint(a, &len, st->len, 4);
					put(a, &len, b->text + st->start, st->len);
				}
				break;
		}
		note_entry(b, entries++, i);
	}
	b->nentries = entries;
	return len;
}

/*
 * Send the batch to the procedure if it can take it: whole transactions
 * only, as a CALL commits what is open when it ends.
 */
ApplyResult
proc_send(Applier *a, Batch *b, bool *sent)
{
	size_t		len;
	int			format = 1;
	int			ilen;
	const char *value;

	*sent = false;
	if (!a->use_proc || b->sql_only || (a->in_xact && a->xact_first >= 0) ||
		PQtransactionStatus(a->tgt) != PQTRANS_IDLE)
		return AR_OK;
	len = build_payload(a, b);
	if (len > (size_t) 0x3fffffff - 1024)
		return AR_OK;			/* a bytea of 1 GB at most: SQL's */
	ilen = (int) len;
	value = a->payload;
	if (!PQsendQueryPrepared(a->tgt, PROC_STATEMENT, 1, &value, &ilen, &format, 0))
	{
		log_info("connection to the target lost: %s", PQerrorMessage(a->tgt));
		return AR_LOST;
	}
	b->via_proc = true;
	*sent = true;
	return AR_OK;
}

/* ----------
 * Results
 * ----------
 */

/* what the statements before the nth did, now that they have run */
static void
account(Applier *a, Batch *b, int n, lsn_t local, lsn_t flushed)
{
	for (int i = 0; i < n; i++)
	{
		const BatchStmt *st = &b->stmts[i];

		if (st->kind == STMT_CHANGE || st->kind == STMT_CHECKED)
			a->xact_changes += st->rows;
		else if (st->kind == STMT_COMMIT)
			batch_committed(a, st);
		else if (st->kind == STMT_POSITION && local != 0)
		{
			a->last_local = local;
			lsn_map_push(a, a->committed, local);
			lsn_map_flushed(a, flushed);
		}
	}
	b->nresults = n;
}

/* The procedure's answer: its row, or an error to take up at the end. */
void
proc_take_result(Applier *a, Batch *b, PGresult *res)
{
	lsn_t		local,
				flushed;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		if (b->error == NULL)
		{
			b->error = res;
			b->failed = 0;
		}
		else
			PQclear(res);
		return;
	}
	if (PQntuples(res) != 1 || PQnfields(res) != 3 ||
		strtoll(PQgetvalue(res, 0, 0), NULL, 10) != b->ncommits ||
		!parse_lsn(PQgetvalue(res, 0, 1), &local) ||
		!parse_lsn(PQgetvalue(res, 0, 2), &flushed))
	{
		log_error("%s() answered %s commits for the %d of a batch", DR_BATCH_PROCEDURE,
				  PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "no", b->ncommits);
		b->failed = 0;
		b->error = res;
		return;
	}
	account(a, b, b->nstmts, local, flushed);
	PQclear(res);
}

/* the statement of the payload's entry that an error names, or -1 */
static int
failed_entry(const Batch *b, PGresult *error)
{
	const char *context = PQresultErrorField(error, PG_DIAG_CONTEXT);
	static const char mark[] = DR_BATCH_PROCEDURE " entry ";
	const char *p = context ? strstr(context, mark) : NULL;
	long		entry;

	if (p == NULL)
		return -1;
	entry = strtol(p + sizeof(mark) - 1, NULL, 10);
	if (entry < 1 || entry > b->nentries)
		return -1;
	return b->entry_stmt[entry - 1];
}

/*
 * The procedure failed.  What committed before the failing transaction is
 * counted, the origin put back should the failure have been its commit's,
 * and the rest sent again as SQL.  false: not possible, the error stands.
 */
bool
proc_fallback(Applier *a, Batch *b)
{
	int			stmt = failed_entry(b, b->error);
	int			from;

	if (target_lost(a, b->error) || stmt < 0)
		return false;
	from = stmt;
	while (from > 0 && b->stmts[from].kind != STMT_BEGIN && b->stmts[from].xact_begin != 0)
		from--;
	account(a, b, from, 0, 0);
	a->xact_changes = 0;
	repair_origin(a);
	/* the procedure lets no statement go from a batch that failed */
	for (int i = 0; i < from; i++)
	{
		char		sql[64];

		if (b->stmts[i].kind != STMT_DEALLOCATE)
			continue;
		snprintf(sql, sizeof(sql), "DEALLOCATE dr_%u", b->stmts[i].name);
		PQclear(PQexec(a->tgt, sql));
	}
	free(a->proc_error);
	a->proc_error = xstrdup(PQresultErrorMessage(b->error));
	PQclear(b->error);
	b->error = NULL;
	b->failed = -1;
	b->via_proc = false;
	b->resent = true;
	if (!PQsendQuery(a->tgt, b->text + b->stmts[from].start))
	{
		b->lost = true;
		return false;
	}
	return true;
}

/* the SQL did what the procedure could not: SQL from now on */
void
proc_gave_way(Applier *a)
{
	a->use_proc = false;
	log_info("%s() on the target could not apply a batch that SQL statements could; "
			 "applying with SQL statements from now on.  It said: %s",
			 DR_BATCH_PROCEDURE, a->proc_error ? a->proc_error : "");
}
