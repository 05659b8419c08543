/*-------------------------------------------------------------------------
 *
 * batch.c
 *		decoder_raw_apply: statements for the target, sent in batches.
 *
 * records.c turns the stream into statements; they are gathered here in a
 * batch, sent as one simple-protocol query, and the next batch is built
 * while the target runs it.  A batch holds many source transactions, each
 * BEGIN ... SET CONSTRAINTS ALL IMMEDIATE; progress; COMMIT, or part of a
 * large one.  One query is one protocol message, which the server reads
 * whole before it runs any of it: an applier that dies while sending leaves
 * none of it on the target.  One that dies while the target runs it never
 * leaves a progress without its commit either (from PostgreSQL 16 on, an
 * abort after pg_replication_origin_xact_setup() records the progress):
 * the server notices a lost client only where it checks for interrupts,
 * and none comes between the progress, written as DR_XACT_SETUP, and the
 * COMMIT that follows it in the same query.  The batch ends with the
 * target's WAL insert and flush positions, which map the commits to what
 * the slot may confirm (flush.c).
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
#include "../common/batch_format.h"

/* a batch goes out at this size, or earlier when the stream pauses */
#define BATCH_SEND_BYTES (256 * 1024)

/* or, with the procedure, once a transaction alone takes this many */
#define PROC_ALONE_BYTES (1024 * 1024)

/* or once it needs this many new prepared statements */
#define MAX_PREPARES 256

/* statements are shown up to this length in messages */
#define SHOWN_STATEMENT 300

static const char position_query[] =
"SELECT pg_catalog.pg_current_wal_insert_lsn(), pg_catalog.pg_current_wal_flush_lsn()";

static void
batch_clear(Batch *b)
{
	b->len = 0;
	b->nstmts = 0;
	b->ncommits = 0;
	b->nprepares = 0;
	b->nresults = 0;
	b->failed = -1;
	PQclear(b->error);
	b->error = NULL;
	b->lost = false;
	b->raw_len = 0;
	b->sql_only = false;
	b->via_proc = false;
	b->resent = false;
}

/* Append a statement, given without its semicolon, to the batch built. */
void
batch_add(Applier *a, StmtKind kind, lsn_t lsn, const char *sql, size_t len,
		  int shape, uint32_t rows)
{
	batch_add_execute(a, kind, lsn, sql, len, shape, rows, 0, 0, NULL, 0);
}

/* does the procedure take every parameter as EXECUTE does? */
static bool
params_fit(const char *raw, size_t len)
{
	const unsigned char *p = (const unsigned char *) raw;
	const unsigned char *end = p + len;

	while (end - p >= 5)
	{
		if (p[0] == 0xFF)
			return false;
		p += 5 + (((size_t) p[1] << 24) | ((size_t) p[2] << 16) |
				  ((size_t) p[3] << 8) | p[4]);
	}
	return true;
}

/*
 * The same, with what decoder_raw_apply_batch() needs of an EXECUTE (the
 * prepared statement's name, the parameters) or a DEALLOCATE (the name).
 */
void
batch_add_execute(Applier *a, StmtKind kind, lsn_t lsn, const char *sql,
				  size_t len, int shape, uint32_t rows, uint32_t name,
				  uint32_t nparams, const char *raw, size_t raw_len)
{
	Batch	   *b = a->cur;
	BatchStmt  *st;

	if (b->len + len + 3 > b->cap)
	{
		while (b->len + len + 3 > b->cap)
			b->cap = b->cap ? 2 * b->cap : BATCH_SEND_BYTES * 2;
		b->text = xrealloc(b->text, b->cap);
	}
	if (b->nstmts == b->stmt_cap)
	{
		b->stmt_cap = b->stmt_cap ? 2 * b->stmt_cap : 1024;
		b->stmts = xrealloc(b->stmts, sizeof(BatchStmt) * b->stmt_cap);
	}
	st = &b->stmts[b->nstmts++];
	st->kind = kind;
	st->shape = shape;
	st->rows = rows;
	st->xid = a->xact_xid;
	st->lsn = lsn;
	st->xact_begin = a->in_xact ? a->xact_begin : 0;
	st->xact_end = a->in_xact ? a->xact_end : 0;
	st->xact_time = a->xact_time;
	st->start = b->len;
	st->len = len;
	memcpy(b->text + b->len, sql, len);
	b->len += len;
	memcpy(b->text + b->len, ";\n", 3);
	b->len += 2;
	if (kind == STMT_COMMIT || kind == STMT_PREPARE)
		b->ncommits++;
	st->name = name;
	st->nparams = nparams;
	st->raw_start = b->raw_len;
	st->raw_len = raw_len;
	if (raw_len > 0)
	{
		if (b->raw_len + raw_len > b->raw_cap)
		{
			while (b->raw_len + raw_len > b->raw_cap)
				b->raw_cap = b->raw_cap ? 2 * b->raw_cap : BATCH_SEND_BYTES * 2;
			b->raw = xrealloc(b->raw, b->raw_cap);
		}
		memcpy(b->raw + b->raw_len, raw, raw_len);
		b->raw_len += raw_len;
		if (!params_fit(raw, raw_len))
			b->sql_only = true;
	}
	/* the procedure runs no two-phase commands, and ROLLBACK is SQL's */
	if (kind == STMT_PREPARABLE || kind == STMT_PREPARE || kind == STMT_ROLLBACK)
		b->sql_only = true;
}

/* Drop the statements of the batch built from the nstmts-th on. */
void
batch_truncate(Applier *a, int nstmts)
{
	Batch	   *b = a->cur;

	if (nstmts >= b->nstmts)
		return;
	b->len = b->stmts[nstmts].start;
	b->raw_len = b->stmts[nstmts].raw_start;
	for (int i = nstmts; i < b->nstmts; i++)
		if (b->stmts[i].kind == STMT_COMMIT || b->stmts[i].kind == STMT_PREPARE)
			b->ncommits--;
	b->nstmts = nstmts;
}

/* nothing is waiting to be sent or running */
bool
batch_idle(const Applier *a)
{
	return a->sent == NULL && a->cur->nstmts == 0;
}

void
batch_reset(Applier *a)
{
	if (a->cur == NULL)
		a->cur = &a->batches[0];
	batch_clear(&a->batches[0]);
	batch_clear(&a->batches[1]);
	a->sent = NULL;
}

/*
 * Move the statements of the batch built from the first-th on to the other
 * batch, which is free: the open transaction goes on in it.
 */
static void
move_tail(Applier *a, int first)
{
	Batch	   *b = a->cur;
	Batch	   *to = b == &a->batches[0] ? &a->batches[1] : &a->batches[0];
	const BatchStmt *head = &b->stmts[first];
	size_t		text = head->start,
				raw = head->raw_start;

	batch_clear(to);
	a->cur = to;
	for (int i = first; i < b->nstmts; i++)
	{
		const BatchStmt *st = &b->stmts[i];

		batch_add_execute(a, st->kind, st->lsn, b->text + st->start, st->len, st->shape,
						  st->rows, st->name, st->nparams, b->raw + st->raw_start,
						  st->raw_len);
		to->stmts[to->nstmts - 1] = *st;
		to->stmts[to->nstmts - 1].start = st->start - text;
		to->stmts[to->nstmts - 1].raw_start = st->raw_start - raw;
	}
	to->sql_only = b->sql_only;
	a->cur = b;
	batch_truncate(a, first);
}

/*
 * Send the batch built, once the one running has finished.  With the
 * procedure, the transaction still being received stays for the next
 * batch (a CALL commits what is open at its end), unless it is alone.
 */
ApplyResult
batch_send(Applier *a)
{
	Batch	   *b = a->cur;
	ApplyResult r;
	int			tail = -1;
	bool		sent;

	if (b->nstmts == 0)
		return AR_OK;
	if (a->sent != NULL && (r = batch_poll(a, true)) != AR_OK)
		return r;
	if ((r = prepare_shapes(a, b)) != AR_OK)
	{
		/* the transactions before the one that cannot be prepared apply */
		int			cut = b->nstmts;

		if (r == AR_ERROR && b->failed >= 0)
		{
			cut = b->failed;
			while (cut > 0 && b->stmts[cut].xact_begin != 0 &&
				   b->stmts[cut].kind != STMT_BEGIN)
				cut--;
		}
		if (r != AR_ERROR || cut == 0)
			return r;
		/* what remains was prepared before the statement that failed */
		batch_truncate(a, cut);
		b->failed = -1;
		b->nprepares = 0;
		if (batch_send(a) == AR_OK)
			(void) batch_poll(a, true);
		return AR_ERROR;
	}
	if (a->use_proc && a->in_xact && a->xact_first > 0 && a->xact_first < b->nstmts &&
		!b->sql_only)
	{
		tail = a->xact_first;
		move_tail(a, tail);
		a->xact_first = -1;
	}
	batch_add(a, STMT_POSITION, 0, position_query, sizeof(position_query) - 1, -1, 0);
	if ((r = proc_send(a, b, &sent)) != AR_OK)
		return r;
	if (!sent && !PQsendQuery(a->tgt, b->text))
	{
		log_info("connection to the target lost: %s", PQerrorMessage(a->tgt));
		return AR_LOST;
	}
	a->sent = b;
	a->cur = b == &a->batches[0] ? &a->batches[1] : &a->batches[0];
	if (tail >= 0)
		a->xact_first = 0;		/* it goes on in the batch built */
	else
	{
		a->xact_first = -1;		/* the open transaction's BEGIN is gone */
		batch_clear(a->cur);
	}
	return AR_OK;
}

/* the constants of EXECUTE's list, split at the commas between them */
static int
split_args(const char *p, const char *end, const char **starts, size_t *lens,
		   int max)
{
	int			n = 0;

	while (p < end && n < max)
	{
		const char *start = p;
		bool		quoted = false,
					escapes = false;

		for (; p < end && (quoted || *p != ','); p++)
		{
			if (!quoted && *p == '\'')
			{
				quoted = true;
				escapes = p > start && (p[-1] == 'E');
			}
			else if (quoted && escapes && *p == '\\')
				p++;
			else if (quoted && *p == '\'' && !(p + 1 < end && p[1] == '\''))
				quoted = false;
			else if (quoted && *p == '\'')
				p++;
		}
		starts[n] = start;
		lens[n++] = p - start;
		p += (p < end) ? 2 : 0; /* ", " */
	}
	return n;
}

/*
 * The statement as the SQL format writes it: the shape with its $n put
 * back to the constants, and the conflict check taken away.
 */
static void
literal_stmt(const char *shape, const char *args, size_t args_len, char *out,
			 size_t outlen)
{
	static const char wrap_head[] = DR_CHECK_HEAD;
	static const char wrap_tail[] = DR_CHECK_TAIL;
	const char *starts[1024];
	size_t		lens[1024];
	int			n = split_args(args, args + args_len, starts, lens, 1024);
	const char *end = shape + strlen(shape);
	size_t		o = 0;
	char		quote = 0;

	if (strncmp(shape, wrap_head, sizeof(wrap_head) - 1) == 0 &&
		(size_t) (end - shape) > sizeof(wrap_tail) &&
		strcmp(end - (sizeof(wrap_tail) - 1), wrap_tail) == 0)
	{
		shape += sizeof(wrap_head) - 1;
		end -= sizeof(wrap_tail) - 1;
	}
	for (const char *p = shape; p < end && o + 1 < outlen; p++)
	{
		int			k;

		if (quote == 0 && *p == '$' && p + 1 < end && p[1] >= '0' && p[1] <= '9' &&
			(k = atoi(p + 1)) >= 1 && k <= n)
		{
			o += snprintf(out + o, outlen - o, "%.*s", (int) lens[k - 1], starts[k - 1]);
			while (p + 1 < end && p[1] >= '0' && p[1] <= '9')
				p++;
			continue;
		}
		if (quote == 0 && (*p == '"' || *p == '\''))
			quote = *p;
		else if (quote == *p)
			quote = 0;
		out[o++] = *p;
	}
	if (o >= outlen)
		o = outlen - 1;
	out[o] = '\0';
	if (o + 1 < outlen)
		strcat(out, ";");
}

/* "statement: ..." of a failed or conflicting statement, shortened */
static void
describe_stmt(Applier *a, const Batch *b, const BatchStmt *st, char *out,
			  size_t outlen)
{
	const char *text = b->text + st->start;
	const char *shape = st->shape >= 0 ? shape_text(a, st->shape) : NULL;
	const char *args = shape ? memchr(text, '(', st->len) : NULL;
	char	   *full;
	size_t		len;

	if (args == NULL)
	{
		snprintf(out, outlen, "%.*s;%s", (int) (st->len < SHOWN_STATEMENT ? st->len : SHOWN_STATEMENT),
				 text, st->len > SHOWN_STATEMENT ? ".." : "");
		return;
	}
	/* "EXECUTE dr_1(args)" */
	len = strlen(shape) + st->len + 16;
	full = xmalloc(len);
	literal_stmt(shape, args + 1, text + st->len - 1 - (args + 1), full, len);
	if (strlen(full) > SHOWN_STATEMENT)
		snprintf(out, outlen, "%.*s... (%zu bytes)", SHOWN_STATEMENT, full, strlen(full));
	else
		snprintf(out, outlen, "%s", full);
	free(full);
}

void
describe_xact(const BatchStmt *st, char *out, size_t outlen)
{
	char		end[40] = "";
	char		xid[24] = "";

	if (st->xact_begin == 0)
	{
		snprintf(out, outlen, "outside any transaction");
		return;
	}
	if (st->xact_end != 0)
		snprintf(end, sizeof(end), ", commit end " LSN_FORMAT, LSN_ARGS(st->xact_end));
	if (st->xid != 0)
		snprintf(xid, sizeof(xid), " of xid %u", st->xid);
	snprintf(out, outlen, "in the transaction%s begun at " LSN_FORMAT "%s", xid,
			 LSN_ARGS(st->xact_begin), end);
}

/* after an error in a transaction: how to go on without it */
static void
skip_hint(const BatchStmt *st)
{
	if (st->xact_begin != 0)
		log_info("hint: --skip-xact " LSN_FORMAT " skips this transaction, recording it "
				 "as applied", LSN_ARGS(st->xact_end != 0 ? st->xact_end : st->xact_begin));
}

/*
 * The statement an error points into: a syntax error stops the whole batch
 * before anything runs, and says where in its characters it is.
 */
static int
failed_stmt(const Batch *b)
{
	const char *pos = PQresultErrorField(b->error, PG_DIAG_STATEMENT_POSITION);
	long		chars = pos ? strtol(pos, NULL, 10) : 0;
	size_t		off = 0;
	int			i = 0;

	if (chars <= 0)
		return b->failed < b->nstmts ? b->failed : b->nstmts - 1;
	/* characters of UTF-8 to bytes */
	for (; off < b->len && chars > 1; off++)
		if (((unsigned char) b->text[off + 1] & 0xC0) != 0x80)
			chars--;
	while (i + 1 < b->nstmts && b->stmts[i + 1].start <= off)
		i++;
	return i;
}

/* A statement of a batch failed: what it was, and what it means. */
ApplyResult
report_error(Applier *a, const Batch *b, const BatchStmt *st, PGresult *error)
{
	const char *state = PQresultErrorField(error, PG_DIAG_SQLSTATE);
	char		stmt[SHOWN_STATEMENT + 64];
	char		xact[160];

	describe_xact(st, xact, sizeof(xact));
	if (target_lost(a, error))
	{
		log_info("connection to the target lost at source LSN " LSN_FORMAT " %s: %s",
				 LSN_ARGS(st->lsn), xact, PQresultErrorMessage(error));
		return AR_LOST;
	}
	describe_stmt(a, b, st, stmt, sizeof(stmt));
	if (st->kind == STMT_CHECKED && state != NULL && strcmp(state, "22012") == 0)
	{
		a->n_conflicts++;
		log_error("conflict at source LSN " LSN_FORMAT " %s: the row to change is not "
				  "on the target\nstatement: %s", LSN_ARGS(st->lsn), xact, stmt);
	}
	else if (st->kind == STMT_PREPARABLE && state != NULL && strcmp(state, "22012") == 0)
		log_error("could not prepare the transaction at source LSN " LSN_FORMAT " %s on the "
				  "target: a transaction of its GID is prepared there already, or "
				  "max_prepared_transactions allows no more (-o gid-prefix gives the "
				  "stream's GIDs a prefix of their own)\nstatement: %s",
				  LSN_ARGS(st->lsn), xact, stmt);
	else
		log_error("could not apply the change at source LSN " LSN_FORMAT " %s: %s"
				  "statement: %s", LSN_ARGS(st->lsn), xact,
				  PQresultErrorMessage(error), stmt);
	skip_hint(st);
	return AR_ERROR;
}

/* An UPDATE or DELETE of --on-conflict skip-and-log found no row. */
static void
log_conflict(Applier *a, const Batch *b, const BatchStmt *st)
{
	char		stmt[SHOWN_STATEMENT + 64];
	char		xact[160];

	a->n_conflicts++;
	describe_xact(st, xact, sizeof(xact));
	describe_stmt(a, b, st, stmt, sizeof(stmt));
	log_info("conflict skipped at source LSN " LSN_FORMAT " %s: the row to change is "
			 "not on the target\nstatement: %s", LSN_ARGS(st->lsn), xact, stmt);
}

/* a transaction of the batch has committed on the target */
void
batch_committed(Applier *a, const BatchStmt *st)
{
	a->committed = st->xact_end;
	if (st->xact_end > a->applied)
		a->applied = st->xact_end;
	a->commit_time = st->xact_time + PG_EPOCH_OFFSET_US;
	a->n_xacts++;
	a->n_changes += a->xact_changes;
	if (a->opts->verbose)
	{
		char		xid[24] = "";
		char		begun[40] = "";

		if (st->xid != 0)
			snprintf(xid, sizeof(xid), " of xid %u", st->xid);
		/* records packed in one message all have the message's LSN */
		if (st->xact_begin != st->xact_end)
			snprintf(begun, sizeof(begun), " begun at " LSN_FORMAT ",",
					 LSN_ARGS(st->xact_begin));
		log_info("%s transaction%s%s %s end " LSN_FORMAT ": %llu changes",
				 st->kind == STMT_PREPARE ? "prepared" : "applied", xid, begun,
				 st->kind == STMT_PREPARE ? "prepare" : "commit",
				 LSN_ARGS(st->xact_end), (unsigned long long) a->xact_changes);
	}
	a->xact_changes = 0;
}

/* the result of the next statement of the batch running */
static void
take_result(Applier *a, Batch *b, PGresult *res)
{
	const BatchStmt *st = &b->stmts[b->nresults < b->nstmts ? b->nresults : b->nstmts - 1];
	ExecStatusType status = PQresultStatus(res);
	const char *tag = PQcmdStatus(res);
	lsn_t		local,
				flushed;

	if (b->via_proc)
	{
		proc_take_result(a, b, res);
		return;
	}
	if (status == PGRES_FATAL_ERROR)
	{
		if (b->error == NULL)
		{
			b->error = res;
			b->failed = b->nresults;
		}
		else
			PQclear(res);
		return;
	}
	b->nresults++;
	if (b->error != NULL)
	{
		PQclear(res);
		return;
	}
	switch (st->kind)
	{
		case STMT_CHANGE:
			if (strcmp(tag, "UPDATE 0") == 0 || strcmp(tag, "DELETE 0") == 0)
				log_conflict(a, b, st);
			else
				a->xact_changes += st->rows;
			break;
		case STMT_CHECKED:
			a->xact_changes += st->rows;
			break;
		case STMT_ROLLBACK:
			a->xact_changes = 0;
			break;
		case STMT_COMMIT:
		case STMT_PREPARE:
			if (strcmp(tag, st->kind == STMT_COMMIT ? "COMMIT" : "PREPARE TRANSACTION") != 0)
			{
				/* a transaction the server had rolled back */
				b->error = res;
				b->failed = b->nresults - 1;
				return;
			}
			batch_committed(a, st);
			break;
		case STMT_POSITION:
			if (PQntuples(res) == 1 && parse_lsn(PQgetvalue(res, 0, 0), &local) &&
				parse_lsn(PQgetvalue(res, 0, 1), &flushed))
			{
				a->last_local = local;
				lsn_map_push(a, a->committed, local);
				lsn_map_flushed(a, flushed);
			}
			break;
		default:
			break;
	}
	PQclear(res);
}

/* The batch running has ended: was all of it applied? */
static ApplyResult
finish_sent(Applier *a)
{
	Batch	   *b = a->sent;
	ApplyResult r = AR_OK;

	a->sent = NULL;
	if (b->error != NULL && PQresultStatus(b->error) != PGRES_FATAL_ERROR)
	{
		log_error("the commit at source LSN " LSN_FORMAT " did not commit on the target",
				  LSN_ARGS(b->stmts[b->failed].lsn));
		r = AR_ERROR;
	}
	else if (b->lost)
		r = AR_LOST;
	else if (b->error != NULL)
		r = report_error(a, b, &b->stmts[failed_stmt(b)], b->error);
	else if (b->nresults != b->nstmts ||
			 (b->ncommits > 0 && PQtransactionStatus(a->tgt) != PQTRANS_IDLE &&
			  (b->stmts[b->nstmts - 2].kind == STMT_COMMIT ||
			   b->stmts[b->nstmts - 2].kind == STMT_PREPARE)))
	{
		log_error("the target answered %d of the %d statements of a batch",
				  b->nresults, b->nstmts);
		r = AR_ERROR;
	}
	else if (b->resent)
		proc_gave_way(a);
	batch_clear(b);
	return r;
}

/* Read what results have come; with wait, until the batch has ended. */
ApplyResult
batch_poll(Applier *a, bool wait)
{
	Batch	   *b = a->sent;

	if (b == NULL)
		return AR_OK;
	for (;;)
	{
		if (!PQconsumeInput(a->tgt))
		{
			log_info("connection to the target lost: %s", PQerrorMessage(a->tgt));
			a->sent = NULL;
			batch_clear(b);
			return AR_LOST;
		}
		while (!PQisBusy(a->tgt))
		{
			PGresult   *res = PQgetResult(a->tgt);

			if (res == NULL && b->via_proc && b->error != NULL && proc_fallback(a, b))
				break;			/* the rest again, as SQL */
			if (res == NULL)
				return finish_sent(a);
			take_result(a, b, res);
		}
		if (!wait)
			return AR_OK;
		{
			struct pollfd pfd = {PQsocket(a->tgt), POLLIN, 0};

			if (poll(&pfd, 1, 1000) < 0 && errno != EINTR)
				return AR_LOST;
		}
		/* keep the source informed while a long batch runs */
		if (a->opts->status_interval > 0 &&
			now_usec() - a->last_feedback >= (int64_t) a->opts->status_interval * 1000000)
			send_feedback(a);
	}
}

/*
 * Send what is built and wait for it.  With complete_only, a transaction
 * still being received is left out of it (and rolled back by the caller).
 */
ApplyResult
batch_drain(Applier *a, bool complete_only)
{
	ApplyResult r = batch_poll(a, true);

	if (r != AR_OK)
		return r;
	if (complete_only && a->in_xact && !a->xact_have && !a->xact_skip)
	{
		/* its BEGIN is here, or everything here is of it */
		batch_truncate(a, a->xact_first >= 0 ? a->xact_first : 0);
		if (a->xact_first < 0)
			batch_add(a, STMT_ROLLBACK, a->xact_begin, "ROLLBACK", 8, -1, 0);
	}
	if ((r = batch_send(a)) != AR_OK)
		return r;
	return batch_poll(a, true);
}

/* a batch is due: big enough, or the stream has paused */
ApplyResult
batch_maybe_send(Applier *a, bool paused)
{
	if (a->cur->nstmts == 0)
		return AR_OK;
	/* a transaction alone in the batch waits to go whole to the procedure */
	if (a->use_proc && a->in_xact && a->xact_first == 0 && !a->cur->sql_only &&
		a->cur->len < PROC_ALONE_BYTES)
		return AR_OK;
	if (a->cur->len >= BATCH_SEND_BYTES || a->cur->nprepares >= MAX_PREPARES ||
		(paused && a->sent == NULL))
		return batch_send(a);
	return AR_OK;
}
