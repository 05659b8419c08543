/*-------------------------------------------------------------------------
 *
 * records.c
 *		decoder_raw_apply: the records of the binary stream as statements
 *		for the target.
 *
 * Each change is the statement that decoder_raw's SQL format writes for it
 * (reader/record_sql.c, by common/'s rules), with its values turned into
 * parameters: the statement is prepared once per shape, and each change
 * runs as EXECUTE with the values as the SQL format's constants, which the
 * server reads with the same input functions as the constants of the
 * statement itself.  Runs of INSERTs into one relation whose rows have
 * their NULLs in the same columns share one multi-row statement.  Under
 * --on-conflict stop, an UPDATE or DELETE is wrapped so that finding no row
 * is an error, and the transaction does not commit without it.
 *
 * Transactions the target has already (their commit starts before the
 * origin's progress) are left out as they come; their statements are
 * never built.
 *
 * Copyright (c) decoder_raw contributors
 *
 *-------------------------------------------------------------------------
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "../reader/record_sql.h"
#include "../common/batch_format.h"

/* a parameter that the procedure does not take: its batch goes as SQL */
#define DR_ARG_UNFIT	0xFF

/* prepared statements a session keeps; the least recently used go */
#define CACHE_SIZE		1024
#define CACHE_SLOTS		2048	/* hash slots: a power of two */

/* rows and parameters of one multi-row INSERT */
#define RUN_ROWS		200
#define RUN_PARAMS		8000
/* nor once its constants take this many bytes: a statement stays small */
#define RUN_ARGS_BYTES	(8 * 1024 * 1024)

/* the server reads no query longer than this (PQ_LARGE_MESSAGE_LIMIT) */
#define MAX_QUERY_BYTES ((size_t) 0x3fffffff - 1 - 1024)

/* a constant too long for the SQL scanner goes in pieces of this size */
#define CONSTANT_PIECE	((size_t) 1 << 28)

typedef struct Shape
{
	char	   *sql;			/* NULL: a free entry */
	size_t		len;
	uint32_t	hash;
	uint32_t	name;			/* prepared as dr_<name> */
	uint64_t	used;			/* clock of its last use */
	bool		prepared;		/* on the target; else in a batch's prepares */
	int			first_use;		/* that batch's statement that needs it */
} Shape;

struct StmtCache
{
	Shape		entries[CACHE_SIZE];
	int			slots[CACHE_SLOTS]; /* entry + 1, 0: empty */
	int			nentries;
	uint32_t	next_name;
	uint64_t	clock;
};

/* what the record being turned into statements needs */
typedef struct RecordState
{
	lsn_t		lsn;
	const drr_record *rec;
	strbuf		stmt;			/* a statement of the rules */
	strbuf		args;			/* its parameters' constants, comma-separated */
	strbuf	   *args_to;		/* args, or run_args for a row of a run */
	strbuf		praw;			/* the same parameters for the procedure */
	strbuf	   *praw_to;		/* praw, or run_praw */
	strbuf		exec;			/* the EXECUTE, or the PREPARE */
	strbuf		wrap;			/* an UPDATE or DELETE that checks for its row */
	int			nparams;
	const unsigned char *raw;	/* the record's bytes in the stream */
	size_t		raw_len;
	bool		replaying;		/* a spooled transaction is applied */
	jmp_buf		fail_jmp;
	char		fail_msg[1024];
	bool		fail_sent;		/* a batch sent early failed, and said why */
	ApplyResult fail_result;	/* what it gave */

	/* a run of INSERTs not yet added to the batch */
	const drr_relation *run_rel;
	unsigned char *run_kinds;	/* per column: NULL or present */
	uint32_t	run_kinds_size;
	int			run_rows;
	lsn_t		run_lsn;
	strbuf		run_shape;
	strbuf		run_args;
	strbuf		run_praw;
} RecordState;

static RecordState rs;

static void fail_hook(void *arg, drs_failure kind, const char *msg);

/* ----------
 * Prepared statements
 * ----------
 */

static uint32_t
hash_text(const char *s, size_t len)
{
	uint32_t	h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char) s[i]) * 16777619u;
	return h;
}

static int *
cache_slot(StmtCache *c, const char *sql, size_t len, uint32_t hash)
{
	uint32_t	i = hash & (CACHE_SLOTS - 1);

	for (;; i = (i + 1) & (CACHE_SLOTS - 1))
	{
		Shape	   *e;

		if (c->slots[i] == 0)
			return &c->slots[i];
		e = &c->entries[c->slots[i] - 1];
		if (e->hash == hash && e->len == len && memcmp(e->sql, sql, len) == 0)
			return &c->slots[i];
	}
}

/* take an entry out of the hash slots, keeping the probe chains whole */
static void
cache_unlink(StmtCache *c, int entry)
{
	Shape	   *e = &c->entries[entry];
	uint32_t	i = e->hash & (CACHE_SLOTS - 1);

	while (c->slots[i] != entry + 1)
		i = (i + 1) & (CACHE_SLOTS - 1);
	c->slots[i] = 0;
	for (i = (i + 1) & (CACHE_SLOTS - 1); c->slots[i] != 0; i = (i + 1) & (CACHE_SLOTS - 1))
	{
		int			moved = c->slots[i];
		Shape	   *m = &c->entries[moved - 1];

		c->slots[i] = 0;
		*cache_slot(c, m->sql, m->len, m->hash) = moved;
	}
}

/* the least recently used entry, deallocated on the target */
static int
cache_evict(Applier *a, StmtCache *c)
{
	int			victim = -1;
	char		sql[64];

	/* one that a batch still has to prepare stays */
	for (int i = 0; i < CACHE_SIZE; i++)
		if (c->entries[i].prepared &&
			(victim < 0 || c->entries[i].used < c->entries[victim].used))
			victim = i;
	if (victim < 0)
	{
		log_error("more than %d statements of different shapes wait to be prepared",
				  CACHE_SIZE);
		exit(EXIT_APPLY_ERROR);
	}
	cache_unlink(c, victim);
	snprintf(sql, sizeof(sql), "DEALLOCATE dr_%u", c->entries[victim].name);
	batch_add_execute(a, STMT_DEALLOCATE, rs.lsn, sql, strlen(sql), -1, 0,
					  c->entries[victim].name, 0, NULL, 0);
	free(c->entries[victim].sql);
	c->entries[victim].sql = NULL;
	return victim;
}

/* The prepared statement of a shape; PREPAREd first if it is new. */
static int
cache_lookup(Applier *a, const char *sql, size_t len)
{
	StmtCache  *c = a->cache;
	uint32_t	hash = hash_text(sql, len);
	int		   *slot = cache_slot(c, sql, len, hash);
	int			entry;
	Shape	   *e;
	Batch	   *b = a->cur;

	if (*slot != 0)
	{
		c->entries[*slot - 1].used = ++c->clock;
		return *slot - 1;
	}
	if (c->nentries < CACHE_SIZE)
		entry = c->nentries++;
	else
	{
		entry = cache_evict(a, c);
		slot = cache_slot(c, sql, len, hash);
	}
	e = &c->entries[entry];
	e->sql = xmalloc(len + 1);
	memcpy(e->sql, sql, len);
	e->sql[len] = '\0';
	e->len = len;
	e->hash = hash;
	e->name = ++c->next_name;
	e->used = ++c->clock;
	*slot = entry + 1;

	/*
	 * Prepared with the protocol before the batch goes: an SQL PREPARE would
	 * keep a copy of the whole batch as its source text.
	 */
	e->prepared = false;
	e->first_use = b->nstmts;
	if (b->nprepares == b->prepare_cap)
	{
		b->prepare_cap = b->prepare_cap ? 2 * b->prepare_cap : 64;
		b->prepares = xrealloc(b->prepares, sizeof(int) * b->prepare_cap);
	}
	b->prepares[b->nprepares++] = entry;
	return entry;
}

/* The statements the batch needs, prepared on the target. */
ApplyResult
prepare_shapes(Applier *a, Batch *b)
{
	for (int i = 0; i < b->nprepares; i++)
	{
		Shape	   *e = &a->cache->entries[b->prepares[i]];
		char		name[16];
		PGresult   *res;

		if (e->prepared || e->sql == NULL)
			continue;
		snprintf(name, sizeof(name), "dr_%u", e->name);
		res = PQprepare(a->tgt, name, e->sql, 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
		{
			int			use = e->first_use < b->nstmts ? e->first_use : 0;
			ApplyResult r = report_error(a, b, &b->stmts[use], res);

			PQclear(res);
			b->failed = use;
			return r;
		}
		PQclear(res);
		e->prepared = true;
	}
	b->nprepares = 0;
	return AR_OK;
}

const char *
shape_text(Applier *a, int shape)
{
	if (a->cache == NULL || shape < 0 || shape >= CACHE_SIZE)
		return NULL;
	return a->cache->entries[shape].sql;
}

/* a new session: no statement is prepared there */
void
records_reset(Applier *a)
{
	if (a->cache == NULL)
		a->cache = calloc(1, sizeof(StmtCache));
	if (a->cache == NULL)
	{
		log_error("out of memory");
		exit(EXIT_APPLY_ERROR);
	}
	for (int i = 0; i < a->cache->nentries; i++)
		free(a->cache->entries[i].sql);
	memset(a->cache, 0, sizeof(StmtCache));
	drr_reader_destroy(a->reader);
	a->reader = drr_reader_create();
	if (a->reader == NULL)
	{
		log_error("out of memory");
		exit(EXIT_APPLY_ERROR);
	}
	drs_reset();
	rs.run_rel = NULL;
	rs.run_rows = 0;
	spool_reset(a);
}

/* ----------
 * Statements
 * ----------
 */

/* EXECUTE dr_<name>(args), or the statement itself when it has none */
static void
add_statement(Applier *a, StmtKind kind, const char *sql, size_t len,
			  const char *args, size_t args_len, const strbuf *raw, int nparams,
			  uint32_t rows)
{
	int			shape;
	strbuf	   *exec = &rs.exec;

	if (nparams == 0)
	{
		batch_add(a, kind, rs.lsn, sql, len, -1, rows);
		return;
	}
	if (args_len > MAX_QUERY_BYTES)
	{
		char		msg[160];

		snprintf(msg, sizeof(msg), "its statement takes %zu bytes, more than the %zu of a query "
				 "that the target reads", args_len, MAX_QUERY_BYTES);
		fail_hook(NULL, 0, msg);
	}
	shape = cache_lookup(a, sql, len);
	exec->len = 0;
	sb_printf(exec, "EXECUTE dr_%u(", a->cache->entries[shape].name);
	sb_append(exec, args, args_len);
	sb_putc(exec, ')');
	/* a long statement does not join a batch that it would make too long */
	if (a->cur->len + exec->len > MAX_QUERY_BYTES)
	{
		ApplyResult r = batch_drain(a, false);

		if (r != AR_OK)
		{
			rs.fail_sent = true;
			rs.fail_result = r;
			longjmp(rs.fail_jmp, 1);
		}
	}
	batch_add_execute(a, kind, rs.lsn, exec->data, exec->len, shape, rows,
					  a->cache->entries[shape].name, (uint32_t) nparams, raw->data,
					  raw->len);
}

/*
 * The server's SQL scanner reads no string constant of DR_MAX_LITERAL bytes
 * or more: such a value goes as constants of at most CONSTANT_PIECE bytes,
 * joined and cast to the column's type, which reads the same text.  The
 * pieces end between characters of the session's client encoding.
 */
static void
long_constant(Applier *a, strbuf *args, const drr_column *col, const drr_bytes *d)
{
	const char *p = (const char *) d->data;
	const char *end = p + d->len;
	int			encoding = PQclientEncoding(a->tgt);

	sb_putc(args, '(');
	while (p < end)
	{
		const char *cut = p;
		const char *limit = end - p <= (ptrdiff_t) CONSTANT_PIECE ? end : p + CONSTANT_PIECE;

		while (cut < limit)
		{
			int			n = PQmblen(cut, encoding);

			if (cut + (n > 0 ? n : 1) > limit)
				break;
			cut += n > 0 ? n : 1;
		}
		if (p != (const char *) d->data)
			sb_append(args, " || ", 4);
		dr_append_literal(sb_out(args), p, cut - p);
		p = cut;
	}
	sb_puts(args, ")::");
	sb_append(args, col->type_name, col->type_name_len);
}

/*
 * The parameter for decoder_raw_apply_batch(): its text, and the class of
 * constant that the SQL format writes for it (common/sql_rules.c).  A value
 * that the procedure cannot take as the SQL does goes as DR_ARG_UNFIT, and
 * its batch as SQL.
 */
static void
raw_value(strbuf *raw, uint32_t type_oid, const drr_bytes *d)
{
	unsigned char head[5];
	uint32_t	len = (uint32_t) d->len;
	int			cls = DR_ARG_LITERAL;
	const char *text = (const char *) d->data;

	switch (dr_constant_kind_of(type_oid, text, d->len))
	{
		case DR_CONST_LITERAL:
			cls = DR_ARG_LITERAL;
			break;
		case DR_CONST_BOOL:
			cls = DR_ARG_BOOL;
			break;
		case DR_CONST_INTEGER:
			cls = DR_ARG_INTEGER;
			break;
		case DR_CONST_NUMERIC:
			cls = DR_ARG_NUMERIC;
			break;
		case DR_CONST_MONEY:
			cls = DR_ARG_UNFIT;
			break;
	}
	if (d->len >= DR_MAX_LITERAL)
		cls = DR_ARG_UNFIT;
	head[0] = (unsigned char) cls;
	head[1] = (unsigned char) (len >> 24);
	head[2] = (unsigned char) (len >> 16);
	head[3] = (unsigned char) (len >> 8);
	head[4] = (unsigned char) len;
	sb_append(raw, (const char *) head, 5);
	sb_append(raw, text, d->len);
}

/* the parameter of a value: $n in the statement, its constant in args */
static void
value_hook(void *arg, dr_out *out, const drr_record *rec,
		   const drr_tuple *tuple, uint32_t i)
{
	strbuf	   *args = rs.args_to;
	char		num[16];

	if (args->len > 0)
		sb_append(args, ", ", 2);
	if (tuple->values[i].data.len >= DR_MAX_LITERAL)
		long_constant((Applier *) arg, args, &rec->rel->cols[i], &tuple->values[i].data);
	else
		drs_constant(sb_out(args), rec, tuple, i);
	raw_value(rs.praw_to, rec->rel->cols[i].type_oid, &tuple->values[i].data);
	snprintf(num, sizeof(num), "$%d", ++rs.nparams);
	dr_append(out, num, strlen(num));
}

/* a statement of the rules: run it as it is, or prepared */
static void
emit_hook(void *arg, strbuf *sb)
{
	Applier    *a = (Applier *) arg;
	const drr_record *rec = rs.rec;
	size_t		len = sb->len;
	bool		change = rec->kind == DRR_UPDATE || rec->kind == DRR_DELETE;

	if (len > 0 && sb->data[len - 1] == ';')
		len--;
	if (strncmp(sb->data, "--", 2) == 0)
	{
		/* an UPDATE that assigns nothing: the row stays as it is */
		if (a->opts->verbose)
			log_info("source LSN " LSN_FORMAT ": %.*s", LSN_ARGS(rs.lsn), (int) len, sb->data);
	}
	else if (change && a->opts->on_conflict == CONFLICT_STOP &&
			 (strncmp(sb->data, "UPDATE ", 7) == 0 || strncmp(sb->data, "DELETE ", 7) == 0))
	{
		/* no row found: division by zero, and the transaction stops */
		strbuf	   *w = &rs.wrap;

		w->len = 0;
		sb_puts(w, DR_CHECK_HEAD);
		sb_append(w, sb->data, len);
		sb_puts(w, DR_CHECK_TAIL);
		add_statement(a, STMT_CHECKED, w->data, w->len, rs.args.data, rs.args.len,
					  &rs.praw, rs.nparams, 1);
	}
	else
		add_statement(a, rec->kind == DRR_MESSAGE ? STMT_OTHER :
					  strncmp(sb->data, "SELECT pg_catalog.setval", 24) == 0 ?
					  STMT_OTHER : STMT_CHANGE,
					  sb->data, len, rs.args.data, rs.args.len, &rs.praw, rs.nparams,
					  rec->kind == DRR_MESSAGE ? 0 : 1);
	rs.args.len = 0;
	rs.praw.len = 0;
	rs.nparams = 0;
}

static void
fail_hook(void *arg, drs_failure kind, const char *msg)
{
	(void) arg;
	(void) kind;
	snprintf(rs.fail_msg, sizeof(rs.fail_msg), "%s", msg);
	longjmp(rs.fail_jmp, 1);
}

/* ----------
 * Runs of INSERTs
 * ----------
 */

/* add the run to the batch as one INSERT of its rows */
static void
flush_run(Applier *a)
{
	if (rs.run_rel == NULL)
		return;
	sb_putc(&rs.run_shape, ';');
	add_statement(a, STMT_CHANGE, rs.run_shape.data, rs.run_shape.len - 1,
				  rs.run_args.data, rs.run_args.len, &rs.run_praw, rs.nparams,
				  (uint32_t) rs.run_rows);
	rs.run_rel = NULL;
	rs.run_rows = 0;
	rs.nparams = 0;
	rs.run_shape.len = 0;
	rs.run_args.len = 0;
	rs.run_praw.len = 0;
}

/* does the row take the shape of the run's rows? */
static bool
fits_run(const drr_record *rec)
{
	const drr_tuple *t = &rec->new_tuple;

	if (rs.run_rel != rec->rel || rs.run_rows >= RUN_ROWS ||
		rs.nparams + (int) t->nvalues > RUN_PARAMS || rs.run_args.len >= RUN_ARGS_BYTES)
		return false;
	for (uint32_t i = 0; i < t->nvalues; i++)
		if (rs.run_kinds[i] != (t->values[i].kind == DRR_VALUE_NULL))
			return false;
	return true;
}

static void
start_run(const drr_record *rec)
{
	const drr_tuple *t = &rec->new_tuple;

	if (t->nvalues > rs.run_kinds_size)
	{
		free(rs.run_kinds);
		rs.run_kinds = xmalloc(t->nvalues);
		rs.run_kinds_size = t->nvalues;
	}
	for (uint32_t i = 0; i < t->nvalues; i++)
		rs.run_kinds[i] = t->values[i].kind == DRR_VALUE_NULL;
	rs.run_rel = rec->rel;
	rs.run_lsn = rs.lsn;
	rs.nparams = 0;
	rs.run_shape.len = 0;
	rs.run_args.len = 0;
	rs.run_praw.len = 0;
	drs_insert_prefix(&rs.run_shape, rec);
}

static void
apply_insert(Applier *a, const drr_record *rec)
{
	if (!fits_run(rec))
	{
		flush_run(a);
		start_run(rec);
	}
	if (rs.run_rows == 0 && rs.run_shape.data[rs.run_shape.len - 1] != '(')
	{
		/* DEFAULT VALUES: a statement of its own */
		sb_putc(&rs.run_shape, ';');
		rs.run_rows = 1;
		flush_run(a);
		return;
	}
	/* the prefix ends with "VALUES (", each row with ");" */
	if (rs.run_rows > 0)
		sb_append(&rs.run_shape, ", (", 3);
	rs.args_to = &rs.run_args;
	rs.praw_to = &rs.run_praw;
	drs_insert_values(&rs.run_shape, rec);
	rs.args_to = &rs.args;
	rs.praw_to = &rs.praw;
	rs.run_shape.len--;
	rs.run_shape.data[rs.run_shape.len] = '\0';
	rs.run_rows++;
}

/* ----------
 * Transactions
 * ----------
 */

/*
 * Does the target hold this prepared transaction already?  Its prepare
 * ended before the progress, and the GID is prepared there.  (A transaction
 * prepared before the slot's two-phase decoding began comes whole before
 * its COMMIT PREPARED, whatever the progress.)
 */
static ApplyResult
prepared_on_target(Applier *a, const drr_record *rec, bool *have)
{
	const char *params[1] = {a->xact_gid};
	PGresult   *res;
	ApplyResult r;

	*have = false;
	if (rec->lsn >= a->committed)
		return AR_OK;
	if ((r = batch_drain(a, false)) != AR_OK)
		return r;
	res = PQexecParams(a->tgt, "SELECT 1 FROM pg_catalog.pg_prepared_xacts "
					   "WHERE gid = $1 AND database = pg_catalog.current_database()",
					   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		log_error("could not look up prepared transaction \"%s\" on the target: %s",
				  a->xact_gid, PQresultErrorMessage(res));
		r = target_lost(a, res) ? AR_LOST : AR_ERROR;
	}
	else
		*have = PQntuples(res) == 1;
	PQclear(res);
	return r;
}

static bool
take_gid(Applier *a, const drr_record *rec)
{
	if (rec->gid.len >= sizeof(a->xact_gid))
	{
		log_error("the GID at source LSN " LSN_FORMAT " is %zu bytes long: "
				  "PostgreSQL takes at most 199", LSN_ARGS(rs.lsn), rec->gid.len);
		return false;
	}
	memcpy(a->xact_gid, rec->gid.data, rec->gid.len);
	a->xact_gid[rec->gid.len] = '\0';
	return true;
}

static ApplyResult
begin_xact(Applier *a, const drr_record *rec)
{
	bool		prepared = rec->kind == DRR_BEGIN_PREPARE;

	if (a->in_xact)
	{
		log_error("BEGIN inside the transaction begun at " LSN_FORMAT ", at source LSN "
				  LSN_FORMAT, LSN_ARGS(a->xact_begin), LSN_ARGS(rs.lsn));
		return AR_ERROR;
	}
	if (!(rec->flags & DRR_XACT_LSN))
	{
		log_error("the transaction at source LSN " LSN_FORMAT " has no commit LSN: "
				  "is the slot decoded with include-lsn?", LSN_ARGS(rs.lsn));
		return AR_ERROR;
	}
	a->in_xact = true;
	a->xact_begin = rs.lsn;
	a->xact_lsn = rec->lsn;
	a->xact_end = 0;
	a->xact_time = 0;
	a->xact_xid = (rec->flags & DRR_XACT_XID) ? rec->xid : 0;
	a->xact_first = -1;
	a->xact_prepared = prepared;
	/* a commit that starts before the progress ends before it */
	a->xact_have = rec->lsn < a->committed;
	if (prepared)
	{
		ApplyResult r;

		if (!take_gid(a, rec))
			return AR_ERROR;
		if ((r = prepared_on_target(a, rec, &a->xact_have)) != AR_OK)
			return r;
	}
	a->xact_skip = a->opts->skip_xact != 0 && a->opts->skip_xact == rs.lsn;
	if (a->xact_have || a->xact_skip)
		return AR_OK;
	if (a->opts->preserve_origins)
	{
		bool		upstream = (rec->flags & DRR_XACT_ORIGIN_NAME) != 0;
		ApplyResult r;

		r = upstream ? bind_origin(a, (const char *) rec->origin_name.data, rec->origin_name.len) :
			bind_origin(a, a->origin, strlen(a->origin));
		if (r != AR_OK)
			return r;
	}
	a->xact_first = a->cur->nstmts;
	batch_add(a, STMT_BEGIN, rs.lsn, "BEGIN", 5, -1, 0);
	return AR_OK;
}

/* progress and COMMIT (or PREPARE TRANSACTION), in the batch together */
static void
add_commit(Applier *a)
{
	char		sql[192];
	strbuf	   *end = &rs.wrap;
	char		lsn[DR_LSN_BUFSIZE];
	char		time[DR_TIMESTAMP_BUFSIZE];

	dr_put_lsn(lsn, a->xact_end);
	if (dr_put_timestamp(time, a->xact_time, true) < 0)
		snprintf(time, sizeof(time), "now");
	snprintf(sql, sizeof(sql),
			 DR_XACT_SETUP "('%s', '%s')" DR_XACT_SETUP_END, lsn, time);
	batch_add(a, STMT_PROGRESS, rs.lsn, "SET CONSTRAINTS ALL IMMEDIATE", 29, -1, 0);
	if (a->xact_prepared)
	{
		/*
		 * A PREPARE TRANSACTION that fails after the progress call (its GID
		 * taken, no prepared transaction left) would record the progress:
		 * fail before it instead.
		 */
		end->len = 0;
		sb_puts(end, "SELECT 1 / ((SELECT pg_catalog.count(*) FROM pg_catalog.pg_prepared_xacts WHERE gid = ");
		dr_append_literal(sb_out(end), a->xact_gid, strlen(a->xact_gid));
		sb_puts(end, ") = 0 AND (SELECT pg_catalog.count(*) FROM pg_catalog.pg_prepared_xacts)"
				" < pg_catalog.current_setting('max_prepared_transactions')::int)::int");
		batch_add(a, STMT_PREPARABLE, rs.lsn, end->data, end->len, -1, 0);
	}
	/* the last one before --endpos waits for the disk, and all before it */
	if (a->opts->endpos != 0 && a->xact_end >= a->opts->endpos)
		batch_add(a, STMT_OTHER, rs.lsn, "SET LOCAL synchronous_commit = local", 36, -1, 0);
	batch_add(a, STMT_PROGRESS, rs.lsn, sql, strlen(sql), -1, 0);
	if (!a->xact_prepared)
	{
		batch_add(a, STMT_COMMIT, rs.lsn, "COMMIT", 6, -1, 0);
		return;
	}
	end->len = 0;
	sb_puts(end, "PREPARE TRANSACTION ");
	dr_append_literal(sb_out(end), a->xact_gid, strlen(a->xact_gid));
	batch_add(a, STMT_PREPARE, rs.lsn, end->data, end->len, -1, 0);
}

/*
 * --skip-xact: what was built or ran of the transaction goes, and in its
 * place a transaction that records its progress, so that a restart does
 * not apply it either.  It needs an xid to write a commit record.  An
 * empty prepared transaction takes the place of a prepared one, for its
 * COMMIT PREPARED to come.
 */
static void
skip_xact(Applier *a)
{
	char		xid[24] = "";

	if (a->xact_xid != 0)
		snprintf(xid, sizeof(xid), " of xid %u", a->xact_xid);
	log_info("skipping the transaction%s begun at " LSN_FORMAT ", commit end " LSN_FORMAT
			 ", as --skip-xact asks: none of its changes is applied",
			 xid, LSN_ARGS(a->xact_begin), LSN_ARGS(a->xact_end));
	if (a->xact_first >= 0)
		batch_truncate(a, a->xact_first);
	else if (!a->xact_skip)
		batch_add(a, STMT_ROLLBACK, rs.lsn, "ROLLBACK", 8, -1, 0);
	a->skip_done = true;
	a->n_skipped++;
	batch_add(a, STMT_BEGIN, rs.lsn, "BEGIN", 5, -1, 0);
	batch_add(a, STMT_OTHER, rs.lsn, "SELECT pg_catalog.pg_current_xact_id()", 38, -1, 0);
	add_commit(a);
}

static ApplyResult
commit_xact(Applier *a, const drr_record *rec)
{
	if (!a->in_xact || a->xact_prepared != (rec->kind == DRR_PREPARE))
	{
		log_error("%s outside a transaction%s at source LSN " LSN_FORMAT,
				  rec->kind == DRR_PREPARE ? "PREPARE" : "COMMIT",
				  a->in_xact ? " begun for it" : "", LSN_ARGS(rs.lsn));
		return AR_ERROR;
	}
	if (a->xact_end == 0)
	{
		log_error("the commit at source LSN " LSN_FORMAT " has no origin progress: "
				  "is the slot decoded with origin-progress?", LSN_ARGS(rs.lsn));
		return AR_ERROR;
	}
	flush_run(a);
	if (a->xact_have)
	{
		char		xid[24] = "";

		if (a->xact_xid != 0)
			snprintf(xid, sizeof(xid), " of xid %u", a->xact_xid);
		log_info("skipped transaction%s ending at " LSN_FORMAT ": the target has it",
				 xid, LSN_ARGS(a->xact_end));
		a->n_skipped++;
	}
	else if (a->xact_skip || a->opts->skip_xact == a->xact_end)
		skip_xact(a);
	else
		add_commit(a);
	a->in_xact = false;
	a->xact_first = -1;
	if (a->opts->endpos != 0 && a->xact_end >= a->opts->endpos)
	{
		ApplyResult r = batch_drain(a, false);

		return r == AR_OK ? AR_DONE : r;
	}
	return AR_OK;
}

/* a query of its own on the target; false and a message if it fails */
static bool
run_alone(Applier *a, const char *sql, int nparams, const char *const *params,
		  ApplyResult *r)
{
	PGresult   *res = PQexecParams(a->tgt, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
	{
		PQclear(res);
		return true;
	}
	log_error("could not apply the %s at source LSN " LSN_FORMAT " of prepared transaction "
			  "\"%s\": %sstatement: %s", strncmp(sql, "ROLLBACK", 8) == 0 ?
			  "rollback prepared" : "commit prepared", LSN_ARGS(rs.lsn), a->xact_gid,
			  PQresultErrorMessage(res), sql);
	*r = target_lost(a, res) ? AR_LOST : AR_ERROR;
	PQclear(res);
	return false;
}

/*
 * COMMIT PREPARED or ROLLBACK PREPARED, each a query of its own (they may
 * not run in a transaction block, which a query of several statements is),
 * after the progress that its commit or abort record takes.  The progress
 * call may be a plain SELECT here: neither query's transaction has an xid
 * of its own, and an abort without one records nothing.
 */
static ApplyResult
finish_prepared(Applier *a, const drr_record *rec)
{
	bool		commit = rec->kind == DRR_COMMIT_PREPARED;
	char		lsn[DR_LSN_BUFSIZE];
	char		time[DR_TIMESTAMP_BUFSIZE];
	const char *params[2] = {lsn, time};
	strbuf	   *sql = &rs.wrap;
	lsn_t		local;
	ApplyResult r = AR_OK;

	if (!take_gid(a, rec))
		return AR_ERROR;
	if (!commit && (rec->flags & DRR_FINISH_NOT_SENT))
	{
		log_info("ROLLBACK PREPARED '%s' at source LSN " LSN_FORMAT " left out: the "
				 "transaction was prepared before the slot's two-phase decoding began, "
				 "and never on the target", a->xact_gid, LSN_ARGS(rs.lsn));
		return AR_OK;
	}
	if (!(rec->flags & DRR_FINISH_PROGRESS))
	{
		log_error("the %s at source LSN " LSN_FORMAT " has no origin progress: "
				  "is the slot decoded with origin-progress?",
				  commit ? "commit prepared" : "rollback prepared", LSN_ARGS(rs.lsn));
		return AR_ERROR;
	}
	if (rec->end_lsn <= a->committed)
	{
		log_info("skipped %s '%s' ending at " LSN_FORMAT ": the target has it",
				 commit ? "COMMIT PREPARED" : "ROLLBACK PREPARED", a->xact_gid,
				 LSN_ARGS(rec->end_lsn));
		a->n_skipped++;
		return AR_OK;
	}
	if ((r = batch_drain(a, false)) != AR_OK)
		return r;
	dr_put_lsn(lsn, rec->end_lsn);
	if (dr_put_timestamp(time, rec->progress_time, true) < 0)
		snprintf(time, sizeof(time), "now");
	sql->len = 0;
	sb_puts(sql, commit ? "COMMIT PREPARED " : "ROLLBACK PREPARED ");
	dr_append_literal(sb_out(sql), a->xact_gid, strlen(a->xact_gid));
	if (!run_alone(a, "SELECT pg_catalog.pg_replication_origin_xact_setup($1, $2)",
				   2, params, &r) ||
		!run_alone(a, sql->data, 0, NULL, &r))
		return r;
	if (!target_query_lsn(a, "SELECT pg_catalog.pg_current_wal_insert_lsn()", &local))
		return target_lost(a, NULL) ? AR_LOST : AR_ERROR;
	a->committed = rec->end_lsn;
	if (rec->end_lsn > a->applied)
		a->applied = rec->end_lsn;
	a->last_local = local;
	lsn_map_push(a, rec->end_lsn, local);
	a->n_xacts++;
	if (a->opts->verbose)
		log_info("%s '%s', end " LSN_FORMAT, commit ? "committed prepared transaction" :
				 "rolled back prepared transaction", a->xact_gid, LSN_ARGS(rec->end_lsn));
	if (a->opts->endpos != 0 && rec->end_lsn >= a->opts->endpos)
		return AR_DONE;
	return AR_OK;
}

/* ----------
 * Records
 * ----------
 */

/* a change, as the statements of the rules */
static void
apply_change(Applier *a, const drr_record *rec)
{
	if (rec->kind == DRR_INSERT)
	{
		apply_insert(a, rec);
		return;
	}
	flush_run(a);
	rs.args_to = &rs.args;
	rs.praw_to = &rs.praw;
	rs.args.len = 0;
	rs.praw.len = 0;
	rs.nparams = 0;
	drs_record(&rs.stmt, rec);
}

static ApplyResult apply_record(Applier *a, const drr_record *rec);

/* a record of a spool, and the batch sent when it is big enough */
static ApplyResult
apply_spooled(Applier *a, const drr_record *rec)
{
	ApplyResult r = apply_record(a, rec);

	return r == AR_OK ? batch_maybe_send(a, false) : r;
}

/*
 * A stream commit or prepare: the spooled transaction, applied as one that
 * begins and commits (or prepares) here.
 */
static ApplyResult
apply_stream(Applier *a, const drr_record *rec)
{
	bool		prepare = rec->kind == DRR_STREAM_PREPARE;
	drr_record	b = {0};
	drr_record	c = {0};
	ApplyResult r;

	b.kind = prepare ? DRR_BEGIN_PREPARE : DRR_BEGIN;
	b.flags = DRR_XACT_XID | DRR_XACT_LSN;
	b.xid = rec->xid;
	b.lsn = rec->lsn;
	b.gid = rec->gid;
	if ((r = begin_xact(a, &b)) != AR_OK)
		return r;
	a->xact_end = rec->end_lsn;
	a->xact_time = rec->time;
	/* the spool's relations are another reader's */
	flush_run(a);
	drs_reset();
	rs.replaying = true;
	r = spool_replay(a, rec->xid, a->xact_have || a->xact_skip ? NULL : apply_spooled);
	rs.replaying = false;
	flush_run(a);
	drs_reset();
	if (r != AR_OK)
		return r;
	c.kind = prepare ? DRR_PREPARE : DRR_COMMIT;
	return commit_xact(a, &c);
}

/* the records of stream blocks and the ends of streamed transactions */
static ApplyResult
apply_stream_record(Applier *a, const drr_record *rec)
{
	if (rs.replaying)
	{
		log_error("a stream record in a spooled transaction");
		return AR_ERROR;
	}
	if (rec->streamed)
	{
		if (rec->kind == DRR_RELATION)
			spool_keep_relation(a, rec, rs.raw, rs.raw_len);
		return spool_write(a, rec, rs.raw, rs.raw_len);
	}
	switch (rec->kind)
	{
		case DRR_STREAM_START:
		case DRR_STREAM_XID:
		case DRR_STREAM_STOP:
			return spool_block(a, rec);
		case DRR_STREAM_ABORT:
			return spool_abort(a, rec);
		default:
			return apply_stream(a, rec);
	}
}

static ApplyResult
dispatch_record(Applier *a, const drr_record *rec)
{
	bool		skipping = a->in_xact && (a->xact_have || a->xact_skip);

	drs_record_offset = rec->offset;
	if (rec->streamed || rec->kind == DRR_STREAM_START || rec->kind == DRR_STREAM_XID ||
		rec->kind == DRR_STREAM_STOP || rec->kind == DRR_STREAM_ABORT ||
		rec->kind == DRR_STREAM_COMMIT || rec->kind == DRR_STREAM_PREPARE)
	{
		ApplyResult r = apply_stream_record(a, rec);

		if (rec->kind != DRR_RELATION)
			return r;
		if (r != AR_OK)
			return r;
	}
	switch (rec->kind)
	{
		case DRR_HEADER:
		case DRR_RELATION:
			/* kept for the spools, but not those a spool has */
			if (!rs.replaying && !rec->streamed)
			{
				if (rec->kind == DRR_HEADER)
					spool_keep_header(a, rs.raw, rs.raw_len);
				else
					spool_keep_relation(a, rec, rs.raw, rs.raw_len);
			}
			/* a relation described again may take the old one's place */
			flush_run(a);
			rs.rec = rec;
			drs_record(&rs.stmt, rec);
			return AR_OK;
		case DRR_BEGIN:
		case DRR_BEGIN_PREPARE:
			return begin_xact(a, rec);
		case DRR_PREPARE:
			return commit_xact(a, rec);
		case DRR_COMMIT_PREPARED:
		case DRR_ROLLBACK_PREPARED:
			return finish_prepared(a, rec);
		case DRR_ORIGIN:
			a->xact_end = rec->end_lsn;
			a->xact_time = rec->time;
			return AR_OK;
		case DRR_COMMIT:
			return commit_xact(a, rec);
		case DRR_SKIPPED:
			log_info("warning: at source LSN " LSN_FORMAT " the source left out %llu updates "
					 "and %llu deletes of table \"%.*s\".\"%.*s\", which has no replica identity",
					 LSN_ARGS(rs.lsn), (unsigned long long) rec->updates,
					 (unsigned long long) rec->deletes,
					 (int) rec->schema.len, (const char *) rec->schema.data,
					 (int) rec->name.len, (const char *) rec->name.data);
			return AR_OK;
		case DRR_INSERT:
		case DRR_UPDATE:
		case DRR_DELETE:
		case DRR_TRUNCATE:
		case DRR_MESSAGE:
			if (!skipping)
				apply_change(a, rec);
			return AR_OK;
		default:
			log_error("unexpected record at source LSN " LSN_FORMAT, LSN_ARGS(rs.lsn));
			return AR_ERROR;
	}
}

/* rs.rec is the record only while it is applied */
static ApplyResult
apply_record(Applier *a, const drr_record *rec)
{
	ApplyResult r;

	rs.rec = rec;
	r = dispatch_record(a, rec);
	rs.rec = NULL;
	return r;
}

/* the records of a message, one after another */
static ApplyResult
read_records(Applier *a, lsn_t lsn, const unsigned char *data, size_t len)
{
	ApplyResult r = AR_OK;

	while (r == AR_OK)
	{
		drr_record	rec;
		size_t		used;
		int			rc = drr_reader_next(a->reader, data, len, 1, &rec, &used);

		data += used;
		len -= used;
		if (rc == DRR_END)
			break;
		if (rc != DRR_OK)
		{
			log_error("invalid message at source LSN " LSN_FORMAT ": %s", LSN_ARGS(lsn),
					  rc == DRR_ERROR ? drr_reader_error(a->reader) : "a record is cut off");
			return AR_ERROR;
		}
		rs.raw = data - rec.size;
		rs.raw_len = rec.size;
		r = apply_record(a, &rec);
	}
	return r;
}

/*
 * The records of one message of the stream.  Records do not span messages:
 * the plugin ends a message only between records.  What record_sql.c finds
 * wrong in them comes back here.
 */
ApplyResult
apply_data(Applier *a, lsn_t lsn, const unsigned char *data, size_t len)
{
	static const drs_hooks hooks = {fail_hook, emit_hook, value_hook, NULL};
	drs_hooks	h = hooks;

	h.arg = a;
	drs_init(&h);
	rs.lsn = lsn;
	if (rs.args_to == NULL)
	{
		rs.args_to = &rs.args;
		rs.praw_to = &rs.praw;
	}
	rs.fail_sent = false;
	if (setjmp(rs.fail_jmp) != 0)
	{
		if (rs.fail_sent)
			return rs.fail_result;
		log_error("could not apply the record at source LSN " LSN_FORMAT ": %s",
				  LSN_ARGS(lsn), rs.fail_msg);
		return AR_ERROR;
	}
	return read_records(a, lsn, data, len);
}
