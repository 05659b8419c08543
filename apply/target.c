/*-------------------------------------------------------------------------
 *
 * target.c
 *		decoder_raw_apply: the session on the target that replays the SQL.
 *
 * The session is bound to the stream's replication origin and runs with
 * session_replication_role = replica and synchronous_commit = off (what is
 * confirmed to the slot waits for the target's WAL flush: flush.c).  The
 * statements reach it in batches (batch.c), each transaction's progress
 * and COMMIT in the same query, so that an applier that dies leaves the
 * transaction and its progress on the target, or neither.
 *
 * Copyright (c) decoder_raw contributors
 *
 *-------------------------------------------------------------------------
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"


static void
notice_processor(void *arg, const char *message)
{
	(void) arg;
	fprintf(stderr, "decoder_raw_apply: target: %s", message);
}

/* was the failure the connection's, rather than the statement's? */
bool
target_lost(Applier *a, PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return PQstatus(a->tgt) == CONNECTION_BAD ||
		(state != NULL && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0));
}

/* run a setup query with text parameters; NULL and a message on failure */
static PGresult *
setup_query(Applier *a, const char *sql, int nparams, const char *const *params,
			ApplyResult *r)
{
	PGresult   *res = PQexecParams(a->tgt, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	if (res != NULL && PQresultErrorField(res, PG_DIAG_SQLSTATE) != NULL &&
		strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE), "55006") == 0)
	{
		log_info("origin \"%s\" is still in use on the target, waiting", a->origin);
		*r = AR_BUSY;
	}
	else
	{
		log_error("on the target, %s: %s", sql,
				  res ? PQresultErrorMessage(res) : PQerrorMessage(a->tgt));
		*r = target_lost(a, res) ? AR_LOST : AR_ERROR;
	}
	PQclear(res);
	return NULL;
}

bool
origin_list_has(const OriginList *l, const char *name)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->names[i], name) == 0)
			return true;
	return false;
}

void
origin_list_add(OriginList *l, const char *name)
{
	if (origin_list_has(l, name))
		return;
	if (l->n == l->cap)
	{
		l->cap = l->cap ? 2 * l->cap : 16;
		l->names = xrealloc(l->names, sizeof(char *) * l->cap);
	}
	l->names[l->n++] = xstrdup(name);
}

static void
origin_list_clear(OriginList *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->names[i]);
	l->n = 0;
}

/*
 * --preserve-origins: the stream's transactions are recorded under its own
 * origin and under the upstream origins they carry, each with its source
 * end LSN, so the stream resumes after the largest of these progresses.
 * The upstream origins are those of the source (source.c), and those the
 * stream switched to since: each must be fed by this stream alone.
 */
static ApplyResult
preserved_progress(Applier *a)
{
	PGresult   *res;
	ApplyResult r = AR_OK;

	origin_list_clear(&a->made);
	res = setup_query(a, "SELECT roname, pg_catalog.pg_replication_origin_progress(roname, true)"
					  " FROM pg_catalog.pg_replication_origin", 0, NULL, &r);
	if (res == NULL)
		return r;
	for (int i = 0; i < PQntuples(res); i++)
	{
		const char *name = PQgetvalue(res, i, 0);
		lsn_t		lsn = 0;

		origin_list_add(&a->made, name);
		if (strcmp(name, a->origin) == 0 || !origin_list_has(&a->upstream, name) ||
			PQgetisnull(res, i, 1) || !parse_lsn(PQgetvalue(res, i, 1), &lsn) ||
			lsn <= a->committed)
			continue;
		log_info("origin \"%s\" on the target is at " LSN_FORMAT ", past origin \"%s\": resuming after it",
				 name, LSN_ARGS(lsn), a->origin);
		a->committed = lsn;
	}
	PQclear(res);
	return AR_OK;
}

#define RESET_ORIGIN "SELECT pg_catalog.pg_replication_origin_session_reset()"

/*
 * Bind the session to the origin a transaction is to be recorded under,
 * creating it first if it is new: the switch goes in the batch, before
 * the transaction's BEGIN.
 */
ApplyResult
bind_origin(Applier *a, const char *name, size_t len)
{
	char		buf[MAX_ORIGIN_NAME + 1];
	const char *params[1] = {buf};
	char		sql[MAX_ORIGIN_NAME * 2 + 80];
	ApplyResult r = AR_OK;
	PGresult   *res;
	char	   *lit;
	size_t		n;

	if (len == 0 || len > MAX_ORIGIN_NAME || memchr(name, '\0', len) != NULL)
	{
		log_error("the transaction at source LSN " LSN_FORMAT " carries an origin name "
				  "PostgreSQL cannot take (%zu bytes)", LSN_ARGS(a->xact_begin), len);
		return AR_ERROR;
	}
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (strcmp(buf, a->bound) == 0)
		return AR_OK;
	if (!origin_list_has(&a->made, buf))
	{
		if ((r = batch_drain(a, false)) != AR_OK)
			return r;
		res = setup_query(a, "SELECT pg_catalog.pg_replication_origin_create($1)"
						  " WHERE pg_catalog.pg_replication_origin_oid($1) IS NULL",
						  1, params, &r);
		if (res == NULL)
			return r;
		if (PQntuples(res) == 1)
			log_info("created replication origin \"%s\" on the target", buf);
		PQclear(res);
		origin_list_add(&a->made, buf);
	}
	origin_list_add(&a->upstream, buf);
	lit = PQescapeLiteral(a->tgt, buf, len);
	if (lit == NULL)
	{
		log_error("could not quote origin name \"%s\": %s", buf, PQerrorMessage(a->tgt));
		return AR_ERROR;
	}
	/* each a statement of its own: the batch counts one result each */
	batch_add(a, STMT_OTHER, a->xact_begin, RESET_ORIGIN, strlen(RESET_ORIGIN), -1, 0);
	n = snprintf(sql, sizeof(sql), "SELECT pg_catalog.pg_replication_origin_session_setup(%s)", lit);
	PQfreemem(lit);
	batch_add(a, STMT_OTHER, a->xact_begin, sql, n, -1, 0);
	memcpy(a->bound, buf, len + 1);
	if (a->opts->verbose)
		log_info("transactions from source LSN " LSN_FORMAT " on are recorded under origin \"%s\"",
				 LSN_ARGS(a->xact_begin), buf);
	return AR_OK;
}

static ApplyResult
setup_origin(Applier *a)
{
	const char *params[1] = {a->origin};
	ApplyResult r = AR_OK;
	PGresult   *res;

	res = setup_query(a, "SELECT pg_catalog.pg_replication_origin_oid($1)", 1, params, &r);
	if (res == NULL)
		return r;
	if (PQgetisnull(res, 0, 0))
	{
		PQclear(res);
		res = setup_query(a, "SELECT pg_catalog.pg_replication_origin_create($1)", 1, params, &r);
		if (res == NULL)
			return r;
		log_info("created replication origin \"%s\" on the target", a->origin);
	}
	PQclear(res);

	/*
	 * Bind the session first, then read the progress: a previous applier's
	 * backend holds the origin until its last commit is done or rolled back.
	 */
	res = setup_query(a, "SELECT pg_catalog.pg_replication_origin_session_setup($1)",
					  1, params, &r);
	if (res == NULL)
		return r;
	PQclear(res);
	res = setup_query(a, "SELECT pg_catalog.pg_replication_origin_progress($1, true)",
					  1, params, &r);
	if (res == NULL)
		return r;
	a->committed = 0;
	if (!PQgetisnull(res, 0, 0) && !parse_lsn(PQgetvalue(res, 0, 0), &a->committed))
	{
		log_error("unexpected origin progress \"%s\"", PQgetvalue(res, 0, 0));
		r = AR_ERROR;
	}
	PQclear(res);
	if (r != AR_OK)
		return r;
	snprintf(a->bound, sizeof(a->bound), "%s", a->origin);
	if (a->opts->preserve_origins && (r = preserved_progress(a)) != AR_OK)
		return r;

	/*
	 * pg_replication_origin_progress(..., true) flushed the target's WAL up
	 * to the commit that recorded the progress, so the flush position now
	 * holds it.  (The insert position could wait long for a flush: the WAL
	 * writer leaves a partial page that no commit asks for.)
	 */
	lsn_map_reset(a);
	if (!target_query_lsn(a, "SELECT pg_catalog.pg_current_wal_flush_lsn()", &a->last_local))
		return target_lost(a, NULL) ? AR_LOST : AR_ERROR;
	lsn_map_push(a, a->committed, a->last_local);
	a->applied = a->committed;
	return AR_OK;
}

ApplyResult
target_connect(Applier *a, uint64_t sysid, bool first)
{
	const char *keys[] = {"dbname", "fallback_application_name", NULL};
	const char *vals[] = {a->opts->target, "decoder_raw_apply", NULL};
	char		desc[512];
	ApplyResult r = AR_OK;
	PGresult   *res;

	(void) first;
	/* a new session: nothing prepared, nothing sent */
	batch_reset(a);
	records_reset(a);
	if (a->opts->origin != NULL)
		snprintf(a->origin, sizeof(a->origin), "%s", a->opts->origin);
	else
		snprintf(a->origin, sizeof(a->origin), "decoder_raw_%llu_%s",
				 (unsigned long long) sysid, a->opts->slot);

	a->tgt = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(a->tgt) != CONNECTION_OK)
	{
		describe_conninfo(a->opts->target, desc, sizeof(desc));
		log_error("could not connect to the target (%s): %s", desc, PQerrorMessage(a->tgt));
		return AR_LOST;
	}
	PQsetNoticeProcessor(a->tgt, notice_processor, NULL);
	a->tgt_version = PQserverVersion(a->tgt);

	/*
	 * The statements carry the source's text as it is: the target converts
	 * it, whatever client_encoding its settings give the session.
	 */
	if (a->src_encoding[0] != '\0' && PQsetClientEncoding(a->tgt, a->src_encoding) != 0)
	{
		log_error("could not set the client encoding of the target session to %s, "
				  "the source database's: %s", a->src_encoding, PQerrorMessage(a->tgt));
		return AR_ERROR;
	}

	/*
	 * replica: no triggers, no rules, no foreign key checks, as on a
	 * subscriber
	 */
	res = setup_query(a, "SET session_replication_role = replica", 0, NULL, &r);
	if (res == NULL)
	{
		if (r == AR_ERROR)
			log_info("hint: needs a superuser, or GRANT SET ON PARAMETER session_replication_role");
		return r;
	}
	PQclear(res);
	/* commits need not wait for the disk: only flushed ones are confirmed */
	res = setup_query(a, "SET synchronous_commit = off", 0, NULL, &r);
	if (res == NULL)
		return r;
	PQclear(res);

	/*
	 * No timeout cuts a batch short, and no COMMIT fails on a serialization
	 * failure after its progress is set (doc/topologies.md).
	 */
	res = setup_query(a, a->tgt_version >= 170000 ?
					  "SELECT pg_catalog.set_config('statement_timeout', '0', false),"
					  " pg_catalog.set_config('lock_timeout', '0', false),"
					  " pg_catalog.set_config('idle_in_transaction_session_timeout', '0', false),"
					  " pg_catalog.set_config('transaction_timeout', '0', false),"
					  " pg_catalog.set_config('default_transaction_isolation', 'read committed', false)" :
					  "SELECT pg_catalog.set_config('statement_timeout', '0', false),"
					  " pg_catalog.set_config('lock_timeout', '0', false),"
					  " pg_catalog.set_config('idle_in_transaction_session_timeout', '0', false),"
					  " pg_catalog.set_config('default_transaction_isolation', 'read committed', false)",
					  0, NULL, &r);
	if (res == NULL)
		return r;
	PQclear(res);
	if ((r = proc_detect(a)) != AR_OK)
		return r;
	return setup_origin(a);
}

/*
 * Put the origin back where the last commit left it.  From PostgreSQL 16
 * on, an abort records the progress that pg_replication_origin_xact_setup()
 * set, so a COMMIT that failed after it would otherwise leave the target
 * claiming a transaction it does not hold (doc/topologies.md).
 */
void
repair_origin(Applier *a)
{
	const char *params[2];
	char		lsn[32];
	PGresult   *res;
	lsn_t		now = 0;

	res = PQexec(a->tgt, "SELECT pg_catalog.pg_replication_origin_session_progress(false)");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		PQclear(res);
		return;
	}
	if (!PQgetisnull(res, 0, 0))
		parse_lsn(PQgetvalue(res, 0, 0), &now);
	PQclear(res);
	if (now <= a->committed)
		return;

	snprintf(lsn, sizeof(lsn), LSN_FORMAT, LSN_ARGS(a->committed));
	params[0] = a->bound;
	params[1] = lsn;
	PQclear(PQexec(a->tgt, RESET_ORIGIN));
	res = PQexecParams(a->tgt, "SELECT pg_catalog.pg_replication_origin_advance($1, $2)",
					   2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		log_info("origin \"%s\" put back from " LSN_FORMAT " to %s, its last commit",
				 a->bound, LSN_ARGS(now), lsn);
	else
		log_error("could not put origin \"%s\" back to %s: %s", a->bound, lsn,
				  PQresultErrorMessage(res));
	PQclear(res);
	PQclear(PQexecParams(a->tgt, "SELECT pg_catalog.pg_replication_origin_session_setup($1)",
						 1, NULL, params, NULL, NULL, 0));
}

/* roll back the open transaction, if any, on the target */
void
abandon_xact(Applier *a)
{
	if (a->tgt != NULL && PQstatus(a->tgt) == CONNECTION_OK)
	{
		PGTransactionStatusType ts;

		/* what runs there finishes first: it may hold commits */
		if (a->sent != NULL)
			(void) batch_poll(a, true);
		ts = PQtransactionStatus(a->tgt);
		if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
			PQclear(PQexec(a->tgt, "ROLLBACK"));
		repair_origin(a);
	}
	if (a->in_xact && a->opts->verbose)
		log_info("transaction begun at " LSN_FORMAT " rolled back on the target",
				 LSN_ARGS(a->xact_begin));
	batch_reset(a);
	a->in_xact = false;
	a->xact_first = -1;
	a->xact_changes = 0;
}

void
target_finish(Applier *a)
{
	if (a->tgt != NULL)
		PQfinish(a->tgt);
	a->tgt = NULL;
}
