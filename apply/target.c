/*-------------------------------------------------------------------------
 *
 * target.c
 *		decoder_raw_apply: the session on the target that replays the SQL.
 *
 * The session is bound to the stream's replication origin and runs with
 * session_replication_role = replica and synchronous_commit = off (what is
 * confirmed to the slot waits for the target's WAL flush: flush.c).  Each
 * message of the stream runs as one simple-protocol query: the plugin puts
 * SET CONSTRAINTS ALL IMMEDIATE, pg_replication_origin_xact_setup() and
 * COMMIT in the commit's message, so progress and commit reach the server
 * in one request and an applier that dies leaves all of it or none there.
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

/*
 * A transaction's messages are kept until its commit arrives, so that one
 * the target already holds is skipped whole; beyond this many bytes it is
 * applied as it comes (and rolled back at its commit if it was not new).
 */
#define BUFFER_LIMIT (8 * 1024 * 1024)

/* statements are shown up to this length in messages */
#define SHOWN_STATEMENT 300

#define PROGRESS_CALL "SELECT pg_catalog.pg_replication_origin_xact_setup('"

static void
notice_processor(void *arg, const char *message)
{
	(void) arg;
	fprintf(stderr, "decoder_raw_apply: target: %s", message);
}

/* was the failure the connection's, rather than the statement's? */
static bool
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

	/*
	 * The progress may be that of commits not flushed yet: it is confirmed
	 * once the target's WAL is flushed to where it is now.
	 */
	lsn_map_reset(a);
	if (!target_query_lsn(a, "SELECT pg_catalog.pg_current_wal_insert_lsn()", &a->last_local))
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
	return setup_origin(a);
}

/* The k-th statement (0-based) of a message: one per line, comments aside. */
static void
statement_text(const char *sql, int k, char *out, size_t outlen)
{
	const char *line = sql;
	const char *found = sql;
	size_t		len;

	for (int i = 0; line != NULL && *line != '\0';)
	{
		if (strncmp(line, "--", 2) != 0)
		{
			if (i++ == k)
			{
				found = line;
				break;
			}
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	len = strcspn(found, "\n");
	if (len > SHOWN_STATEMENT)
		snprintf(out, outlen, "%.*s... (%zu bytes)", SHOWN_STATEMENT, found, len);
	else
		snprintf(out, outlen, "%.*s", (int) len, found);
}

static void
describe_xact(Applier *a, char *out, size_t outlen)
{
	char		end[40] = "";

	if (!a->in_xact)
	{
		snprintf(out, outlen, "outside any transaction");
		return;
	}
	if (a->xact_end != 0)
		snprintf(end, sizeof(end), ", commit end " LSN_FORMAT, LSN_ARGS(a->xact_end));
	snprintf(out, outlen, "in the transaction%s%s begun at " LSN_FORMAT "%s",
			 a->xact_xid[0] ? " of xid " : "", a->xact_xid, LSN_ARGS(a->xact_begin), end);
}

/* after an error in a transaction: how to go on without it */
static void
skip_hint(Applier *a)
{
	if (a->in_xact)
		log_info("hint: --skip-xact " LSN_FORMAT " skips this transaction, recording it "
				 "as applied", LSN_ARGS(a->xact_end != 0 ? a->xact_end : a->xact_begin));
}

/* wait for the target's results, keeping the source informed meanwhile */
static bool
wait_target(Applier *a)
{
	while (PQisBusy(a->tgt))
	{
		struct pollfd pfd = {PQsocket(a->tgt), POLLIN, 0};
		int			rc = poll(&pfd, 1, 1000);

		if (rc < 0 && errno != EINTR)
			return false;
		if (rc > 0 && !PQconsumeInput(a->tgt))
			return false;
		if (a->opts->status_interval > 0 &&
			now_usec() - a->last_feedback >= (int64_t) a->opts->status_interval * 1000000)
			send_feedback(a);
	}
	return true;
}

/* what the results of one query said */
typedef struct QueryOutcome
{
	PGresult   *error;			/* the first failing statement's */
	int			nstmt;			/* statements before it */
	int			conflict;		/* first UPDATE or DELETE of no row, or -1 */
	bool		committed;		/* the last command was COMMIT */
	lsn_t		local_end;		/* a SELECT of an LSN after the COMMIT */
} QueryOutcome;

static void
collect_results(Applier *a, QueryOutcome *q)
{
	PGresult   *res;

	memset(q, 0, sizeof(*q));
	q->conflict = -1;
	while ((res = PQgetResult(a->tgt)) != NULL)
	{
		ExecStatusType st = PQresultStatus(res);
		const char *tag = PQcmdStatus(res);

		if (st == PGRES_FATAL_ERROR && q->error == NULL)
		{
			q->error = res;
			continue;
		}
		if (st == PGRES_COMMAND_OK && q->error == NULL)
		{
			if (strcmp(tag, "UPDATE 0") == 0 || strcmp(tag, "DELETE 0") == 0)
			{
				if (q->conflict < 0)
					q->conflict = q->nstmt;
			}
			else if (strncmp(tag, "INSERT", 6) == 0 || strncmp(tag, "UPDATE", 6) == 0 ||
					 strncmp(tag, "DELETE", 6) == 0 || strncmp(tag, "TRUNCATE", 8) == 0)
				a->xact_changes++;
			q->committed = strcmp(tag, "COMMIT") == 0;
		}
		if (st == PGRES_TUPLES_OK && q->committed && q->error == NULL &&
			PQntuples(res) == 1 && PQnfields(res) == 1 && !PQgetisnull(res, 0, 0))
			parse_lsn(PQgetvalue(res, 0, 0), &q->local_end);
		if (st != PGRES_EMPTY_QUERY && q->error == NULL)
			q->nstmt++;
		PQclear(res);
	}
}

/* a conflict: stop, or log it and go on */
static ApplyResult
report_conflict(Applier *a, lsn_t lsn, const char *sql, int k)
{
	char		stmt[SHOWN_STATEMENT + 64];
	char		xact[160];

	a->n_conflicts++;
	statement_text(sql, k, stmt, sizeof(stmt));
	describe_xact(a, xact, sizeof(xact));
	if (a->opts->on_conflict == CONFLICT_STOP)
	{
		log_error("conflict at source LSN " LSN_FORMAT " %s: the row to change is not "
				  "on the target\nstatement: %s", LSN_ARGS(lsn), xact, stmt);
		skip_hint(a);
		return AR_ERROR;
	}
	log_info("conflict skipped at source LSN " LSN_FORMAT " %s: the row to change is "
			 "not on the target\nstatement: %s", LSN_ARGS(lsn), xact, stmt);
	return AR_OK;
}

/*
 * Run one message as one query and check the result of each statement.
 * An UPDATE or DELETE that finds no row is a conflict.  A commit's message
 * comes with a SELECT of the target's WAL position after it, returned in
 * *local_end.
 */
static ApplyResult
run_query(Applier *a, lsn_t lsn, const char *sql, lsn_t *local_end)
{
	QueryOutcome q;
	char		stmt[SHOWN_STATEMENT + 64];
	char		xact[160];

	if (!PQsendQuery(a->tgt, sql) || !wait_target(a))
	{
		log_info("connection to the target lost: %s", PQerrorMessage(a->tgt));
		return AR_LOST;
	}
	collect_results(a, &q);
	describe_xact(a, xact, sizeof(xact));
	if (q.error != NULL)
	{
		ApplyResult r = target_lost(a, q.error) ? AR_LOST : AR_ERROR;

		statement_text(sql, q.nstmt, stmt, sizeof(stmt));
		if (r == AR_LOST)
			log_info("connection to the target lost at source LSN " LSN_FORMAT " %s: %s",
					 LSN_ARGS(lsn), xact, PQresultErrorMessage(q.error));
		else
		{
			log_error("could not apply the change at source LSN " LSN_FORMAT " %s: %s"
					  "statement: %s", LSN_ARGS(lsn), xact, PQresultErrorMessage(q.error),
					  stmt);
			skip_hint(a);
		}
		PQclear(q.error);
		return r;
	}
	if (q.conflict >= 0 && report_conflict(a, lsn, sql, q.conflict) != AR_OK)
		return AR_ERROR;
	if (local_end != NULL &&
		(!q.committed || q.local_end == 0 || PQtransactionStatus(a->tgt) != PQTRANS_IDLE))
	{
		log_error("the commit at source LSN " LSN_FORMAT " %s did not commit on the target",
				  LSN_ARGS(lsn), xact);
		return AR_ERROR;
	}
	if (local_end != NULL)
		*local_end = q.local_end;
	return AR_OK;
}

/*
 * Put the origin back where the last commit left it.  From PostgreSQL 16
 * on, an abort records the progress that pg_replication_origin_xact_setup()
 * set, so a COMMIT that failed after it would otherwise leave the target
 * claiming a transaction it does not hold (doc/topologies.md).
 */
static void
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
	if (now == a->committed)
		return;

	snprintf(lsn, sizeof(lsn), LSN_FORMAT, LSN_ARGS(a->committed));
	params[0] = a->origin;
	params[1] = lsn;
	PQclear(PQexec(a->tgt, "SELECT pg_catalog.pg_replication_origin_session_reset()"));
	res = PQexecParams(a->tgt, "SELECT pg_catalog.pg_replication_origin_advance($1, $2)",
					   2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		log_info("origin \"%s\" put back from " LSN_FORMAT " to %s, its last commit",
				 a->origin, LSN_ARGS(now), lsn);
	else
		log_error("could not put origin \"%s\" back to %s: %s", a->origin, lsn,
				  PQresultErrorMessage(res));
	PQclear(res);
	PQclear(PQexecParams(a->tgt, "SELECT pg_catalog.pg_replication_origin_session_setup($1)",
						 1, NULL, params, NULL, NULL, 0));
}

static void
clear_buffer(Applier *a)
{
	for (int i = 0; i < a->nbuf; i++)
		free(a->buf[i].sql);
	a->nbuf = 0;
	a->buf_bytes = 0;
}

/* roll back the open transaction, if any, on the target */
void
abandon_xact(Applier *a)
{
	if (a->tgt != NULL && PQstatus(a->tgt) == CONNECTION_OK)
	{
		PGTransactionStatusType ts = PQtransactionStatus(a->tgt);

		if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
			PQclear(PQexec(a->tgt, "ROLLBACK"));
		repair_origin(a);
	}
	if (a->in_xact && a->opts->verbose)
		log_info("transaction begun at " LSN_FORMAT " rolled back on the target",
				 LSN_ARGS(a->xact_begin));
	clear_buffer(a);
	a->in_xact = false;
	a->xact_started = false;
}

static void
buffer_message(Applier *a, lsn_t lsn, const char *sql)
{
	if (a->nbuf == a->buf_cap)
	{
		a->buf_cap = a->buf_cap ? 2 * a->buf_cap : 64;
		a->buf = realloc(a->buf, sizeof(BufferedMessage) * a->buf_cap);
		if (a->buf == NULL)
		{
			log_error("out of memory");
			exit(EXIT_APPLY_ERROR);
		}
	}
	a->buf[a->nbuf].lsn = lsn;
	a->buf[a->nbuf].sql = xstrdup(sql);
	a->nbuf++;
	a->buf_bytes += strlen(sql);
}

/* run what the transaction buffered; from then on it runs as it comes */
static ApplyResult
flush_buffer(Applier *a)
{
	ApplyResult r = AR_OK;

	a->xact_started = true;
	for (int i = 0; i < a->nbuf && r == AR_OK; i++)
		r = run_query(a, a->buf[i].lsn, a->buf[i].sql, NULL);
	clear_buffer(a);
	return r;
}

/* the line of a commit message that records the origin progress */
static const char *
progress_line(const char *sql)
{
	const char *p = sql;

	while (p != NULL && strncmp(p, PROGRESS_CALL, strlen(PROGRESS_CALL)) != 0)
	{
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return p;
}

/*
 * The commit end LSN and the commit time that the progress call of a
 * commit message names: ...xact_setup('0/16B2D80', '2026-11-21 08:03:20+00')
 */
static bool
commit_lsn(const char *sql, lsn_t *lsn, int64_t *time)
{
	const char *p = progress_line(sql);
	char		text[64];
	size_t		len;

	if (p == NULL)
		return false;
	p += strlen(PROGRESS_CALL);
	len = strcspn(p, "'");
	if (len >= sizeof(text))
		return false;
	memcpy(text, p, len);
	text[len] = '\0';
	if (!parse_lsn(text, lsn))
		return false;
	*time = 0;
	if (strncmp(p + len, "', '", 4) != 0)
		return true;
	p += len + 4;
	len = strcspn(p, "'");
	if (len < sizeof(text))
	{
		memcpy(text, p, len);
		text[len] = '\0';
		if (!parse_utc_timestamp(text, time))
			*time = 0;
	}
	return true;
}

/* does the last line of the message start with COMMIT; ? */
static bool
ends_xact(const char *sql)
{
	const char *last = strrchr(sql, '\n');

	last = last ? last + 1 : sql;
	return strncmp(last, "COMMIT;", 7) == 0;
}

static void
start_xact(Applier *a, lsn_t lsn, const char *sql)
{
	const char *xid = strstr(sql, " -- xid ");
	size_t		len = 0;

	a->in_xact = true;
	a->xact_started = false;
	a->xact_begin = lsn;
	a->xact_end = 0;
	a->xact_changes = 0;
	a->xact_skip = a->opts->skip_xact != 0 && a->opts->skip_xact == lsn;
	if (xid != NULL && strcspn(sql, "\n") > (size_t) (xid - sql))
	{
		xid += 8;
		len = strspn(xid, "0123456789");
		if (len >= sizeof(a->xact_xid))
			len = 0;
		memcpy(a->xact_xid, xid, len);
	}
	a->xact_xid[len] = '\0';
}

/*
 * Commit on the target: the commit's message, with the target's WAL
 * position after it, which is confirmed to the slot once flushed.
 */
static ApplyResult
commit_xact(Applier *a, lsn_t lsn, const char *sql, lsn_t end)
{
	static const char position[] = "\nSELECT pg_catalog.pg_current_wal_insert_lsn();";
	size_t		len = strlen(sql);
	char	   *query = xmalloc(len + sizeof(position));
	lsn_t		local = 0;
	ApplyResult r;

	memcpy(query, sql, len);
	memcpy(query + len, position, sizeof(position));
	r = run_query(a, lsn, query, &local);
	free(query);
	if (r != AR_OK)
		return r;
	a->committed = end;
	if (end > a->applied)
		a->applied = end;
	a->last_local = local;
	lsn_map_push(a, end, local);
	return AR_OK;
}

/*
 * --skip-xact: roll back what ran of the transaction and commit, in its
 * place, one that records its progress, so that a restart does not apply
 * it either.  It needs an xid to write a commit record.
 */
static ApplyResult
skip_xact(Applier *a, lsn_t lsn, const char *sql, lsn_t end)
{
	static const char begin[] = "BEGIN;\nSELECT pg_catalog.pg_current_xact_id();\n";
	const char *progress = progress_line(sql);
	char	   *query;
	ApplyResult r;

	log_info("skipping the transaction%s%s begun at " LSN_FORMAT ", commit end " LSN_FORMAT
			 ", as --skip-xact asks: none of its changes is applied",
			 a->xact_xid[0] ? " of xid " : "", a->xact_xid, LSN_ARGS(a->xact_begin),
			 LSN_ARGS(end));
	abandon_xact(a);
	a->skip_done = true;
	a->n_skipped++;
	query = xmalloc(sizeof(begin) + strlen(progress));
	memcpy(query, begin, sizeof(begin) - 1);
	strcpy(query + sizeof(begin) - 1, progress);
	r = commit_xact(a, lsn, query, end);
	free(query);
	return r;
}

/* the commit message: skip the transaction if the target has it */
static ApplyResult
finish_xact(Applier *a, lsn_t lsn, const char *sql)
{
	ApplyResult r;
	lsn_t		end;
	int64_t		time;

	if (!commit_lsn(sql, &end, &time))
	{
		log_error("the commit at source LSN " LSN_FORMAT " has no origin progress: "
				  "is the slot decoded with origin-progress?", LSN_ARGS(lsn));
		return AR_ERROR;
	}
	a->xact_end = end;
	if (end <= a->committed)
	{
		log_info("skipped transaction%s%s ending at " LSN_FORMAT ": the target has it",
				 a->xact_xid[0] ? " of xid " : "", a->xact_xid, LSN_ARGS(end));
		abandon_xact(a);
		a->n_skipped++;
		return AR_OK;
	}
	if (a->xact_skip || (a->opts->skip_xact != 0 && a->opts->skip_xact == end))
		return skip_xact(a, lsn, sql, end);
	r = flush_buffer(a);
	if (r == AR_OK)
		r = commit_xact(a, lsn, sql, end);
	if (r != AR_OK)
		return r;

	a->commit_time = time;
	a->n_xacts++;
	a->n_changes += a->xact_changes;
	if (a->opts->verbose)
		log_info("applied transaction%s%s begun at " LSN_FORMAT ", commit end " LSN_FORMAT
				 ": %llu changes", a->xact_xid[0] ? " of xid " : "", a->xact_xid,
				 LSN_ARGS(a->xact_begin), LSN_ARGS(end),
				 (unsigned long long) a->xact_changes);
	a->in_xact = false;
	a->xact_started = false;
	if (a->opts->endpos != 0 && end >= a->opts->endpos)
		return AR_DONE;
	return AR_OK;
}

/*
 * One message of the stream.  BEGIN opens a transaction, the message whose
 * last line is COMMIT closes it; a message outside (a non-transactional
 * pg_logical_emit_message()) runs on its own.
 */
ApplyResult
apply_message(Applier *a, lsn_t lsn, const char *sql)
{
	bool		begins = strncmp(sql, "BEGIN;", 6) == 0;
	bool		ends = ends_xact(sql);
	ApplyResult r;

	if (!a->in_xact && !begins)
	{
		if (ends)
		{
			log_error("COMMIT outside a transaction at source LSN " LSN_FORMAT, LSN_ARGS(lsn));
			return AR_ERROR;
		}
		a->xact_changes = 0;
		r = run_query(a, lsn, sql, NULL);
		a->n_changes += a->xact_changes;
		return r;
	}
	if (a->in_xact && begins)
	{
		log_error("BEGIN inside the transaction begun at " LSN_FORMAT ", at source LSN "
				  LSN_FORMAT, LSN_ARGS(a->xact_begin), LSN_ARGS(lsn));
		return AR_ERROR;
	}
	if (begins)
		start_xact(a, lsn, sql);
	if (ends)
		return finish_xact(a, lsn, sql);

	if (a->xact_skip)
		return AR_OK;
	if (a->xact_started)
		return run_query(a, lsn, sql, NULL);
	buffer_message(a, lsn, sql);
	if (a->buf_bytes > BUFFER_LIMIT)
		return flush_buffer(a);
	return AR_OK;
}

void
target_finish(Applier *a)
{
	if (a->tgt != NULL)
		PQfinish(a->tgt);
	a->tgt = NULL;
}
