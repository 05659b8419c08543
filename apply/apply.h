/*-------------------------------------------------------------------------
 *
 * apply.h
 *		decoder_raw_apply: shared declarations of the applier, which streams
 *		decoder_raw's SQL format from a replication slot and replays it on
 *		another server under a replication origin, exactly once.
 *
 * Copyright (c) decoder_raw contributors
 *
 *-------------------------------------------------------------------------
 */
#ifndef DECODER_RAW_APPLY_H
#define DECODER_RAW_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libpq-fe.h"

typedef uint64_t lsn_t;

#define LSN_FORMAT "%X/%X"
#define LSN_ARGS(lsn) (unsigned) ((lsn) >> 32), (unsigned) (lsn)

/* exit statuses, documented in the README */
#define EXIT_APPLY_ERROR	1
#define EXIT_USAGE			2
#define EXIT_CONNECTION		3

/* PostgreSQL's epoch, 2000-01-01, on the Unix one */
#define PG_EPOCH_OFFSET_US 946684800000000LL

/* longest origin name PostgreSQL accepts (MAX_RONAME_LEN) */
#define MAX_ORIGIN_NAME		512

typedef enum
{
	CONFLICT_STOP,
	CONFLICT_SKIP_AND_LOG
} ConflictAction;

/* how batches are applied on the target */
typedef enum
{
	APPLY_AUTO,					/* the procedure where the target has it */
	APPLY_PROCEDURE,			/* decoder_raw_apply_batch() */
	APPLY_SQL					/* statements in simple-protocol queries */
} ApplyMode;

typedef struct PluginOption
{
	char	   *name;
	char	   *value;			/* NULL: given without a value */
} PluginOption;

typedef struct ApplyOptions
{
	const char *source;
	const char *target;
	const char *slot;
	const char *origin;			/* NULL: derived from sysid and slot */
	bool		create_slot;
	bool		copy_data;		/* copy the tables before streaming */
	bool		copy_as_root;	/* -o partitions-as-root: copy partitions into
								 * their root */
	bool		preserve_origins;	/* replay under the upstream origin's name */
	lsn_t		endpos;			/* 0: stream until stopped */
	lsn_t		skip_xact;		/* begin or commit end of a transaction not to
								 * apply; 0: none */
	PluginOption *plugin_opts;
	int			nplugin_opts;
	int			status_interval;	/* seconds; 0: only when asked */
	bool		verbose;
	bool		progress_lines; /* status lines: --verbose, --status-interval
								 * or a terminal */
	int			max_retries;	/* -1: reconnect forever */
	const char *spool_dir;		/* files of streamed transactions */
	ConflictAction on_conflict;
	ApplyMode	apply_mode;
} ApplyOptions;

/* how an operation ended */
typedef enum
{
	AR_OK,						/* go on */
	AR_DONE,					/* --endpos reached: exit 0 */
	AR_STOP,					/* signal: exit 0 */
	AR_ERROR,					/* reported; exit 1 */
	AR_LOST,					/* a connection failed: reconnect */
	AR_BUSY						/* slot or origin still held: retry soon */
} ApplyResult;

/* a replayed commit: source end, and target WAL position after it */
typedef struct LsnMapping
{
	lsn_t		remote_end;
	lsn_t		local_end;
} LsnMapping;

/* what the result of a statement of a batch means */
typedef enum StmtKind
{
	STMT_BEGIN,
	STMT_CHANGE,				/* a change: its command tag counts rows */
	STMT_CHECKED,				/* an UPDATE or DELETE that fails if no row */
	STMT_OTHER,					/* setval, messages, ... */
	STMT_DEALLOCATE,			/* DEALLOCATE of a prepared statement */
	STMT_PROGRESS,				/* SET CONSTRAINTS and progress before COMMIT */
	STMT_COMMIT,
	STMT_PREPARABLE,			/* fails (22012) if PREPARE TRANSACTION would */
	STMT_PREPARE,				/* PREPARE TRANSACTION: progress, as COMMIT */
	STMT_ROLLBACK,
	STMT_POSITION				/* the target's WAL insert and flush position */
} StmtKind;

/* one statement of a batch, and the source transaction it belongs to */
typedef struct BatchStmt
{
	StmtKind	kind;
	int			shape;			/* prepared statement it executes, or -1 */
	uint32_t	rows;			/* source changes it applies */
	uint32_t	xid;			/* 0: unknown */
	lsn_t		lsn;			/* source message it comes from */
	lsn_t		xact_begin;		/* 0: outside a transaction */
	lsn_t		xact_end;		/* commit end, where known */
	int64_t		xact_time;		/* commit time, us since 2000; COMMIT only */
	size_t		start;			/* its text in the batch */
	size_t		len;
	uint32_t	name;			/* the prepared statement dr_<name> it
								 * executes or deallocates; 0: none */
	uint32_t	nparams;
	size_t		raw_start;		/* its parameters for the procedure */
	size_t		raw_len;
} BatchStmt;

/*
 * Statements sent to the target as one simple-protocol query: many
 * transactions, each BEGIN ... progress ... COMMIT, so that the server
 * has a commit and its progress together before it runs either.
 */
typedef struct Batch
{
	char	   *text;
	size_t		len;
	size_t		cap;
	BatchStmt  *stmts;
	int			nstmts;
	int			stmt_cap;
	int			ncommits;
	int		   *prepares;		/* shapes to prepare before it is sent */
	int			nprepares;
	int			prepare_cap;
	int			nresults;		/* results received so far */
	int			failed;			/* statement that failed, or -1 */
	PGresult   *error;
	bool		lost;

	/* the same statements for decoder_raw_apply_batch() (batch.c) */
	char	   *raw;			/* parameters: class, length, text */
	size_t		raw_len;
	size_t		raw_cap;
	bool		sql_only;		/* holds what the procedure does not run */
	bool		via_proc;		/* sent to the procedure */
	bool		resent;			/* the procedure failed: sent again as SQL */
	int		   *entry_stmt;		/* statement of each entry of the payload */
	int			nentries;
	int			entry_cap;
} Batch;

/* names of replication origins */
typedef struct OriginList
{
	char	  **names;
	int			n;
	int			cap;
} OriginList;

typedef struct StmtCache StmtCache;
typedef struct SpoolSet SpoolSet;
struct drr_record;
typedef struct drr_reader drr_reader;

typedef struct Applier
{
	const ApplyOptions *opts;
	PGconn	   *src;
	PGconn	   *tgt;
	char		origin[MAX_ORIGIN_NAME + 1];
	int			tgt_version;
	char		src_encoding[64];	/* the source database's, which the target
									 * session reads */

	/* --preserve-origins (target.c) */
	char		bound[MAX_ORIGIN_NAME + 1]; /* the target session's origin */
	OriginList	upstream;		/* the source's origins, and those the stream
								 * switched to: what it may have fed */
	OriginList	made;			/* origins that exist on the target */

	lsn_t		committed;		/* end of the last source commit the target
								 * holds (its origin progress) */
	lsn_t		confirmed;		/* flush position reported to the slot: what
								 * the target's flushed WAL holds */
	lsn_t		last_local;		/* target WAL position after our last commit */
	LsnMapping *map;			/* commits not known to be flushed (flush.c) */
	int			map_head;
	int			map_len;
	int			map_cap;
	lsn_t		wal_end;		/* source WAL end last seen */
	lsn_t		applied;		/* stream position applied: the last commit,
								 * or a keepalive's WAL end between commits */
	int64_t		src_time;		/* source clock of its last message, Unix us */
	bool		src_idle;		/* that message a keepalive between commits */
	int64_t		commit_time;	/* source commit time of the last applied
								 * transaction, Unix us; 0: unknown */
	int64_t		last_feedback;	/* microseconds, monotonic */
	bool		src_failed;		/* feedback could not be sent */
	bool		session_started;	/* START_REPLICATION succeeded */
	bool		slot_missing;	/* --copy-data: the slot is to be created */

	/* the source transaction being received */
	bool		in_xact;
	bool		xact_have;		/* the target has it: nothing is sent */
	bool		xact_skip;		/* --skip-xact names its begin */
	int			xact_first;		/* its BEGIN in the batch being built, or -1
								 * once sent */
	lsn_t		xact_begin;		/* LSN of its BEGIN message */
	lsn_t		xact_lsn;		/* its commit record's LSN, from BEGIN */
	lsn_t		xact_end;		/* its commit end, once known; or 0 */
	int64_t		xact_time;		/* its commit time, us since 2000 */
	uint32_t	xact_xid;		/* 0: unknown */
	bool		xact_prepared;	/* begun by a begin prepare record */
	char		xact_gid[256];	/* its GID */
	bool		skip_done;		/* --skip-xact found its transaction */
	uint64_t	xact_changes;	/* applied so far of the one committing */

	/* the binary stream, and the target's batches (batch.c, records.c) */
	drr_reader *reader;
	Batch		batches[2];
	Batch	   *cur;			/* being built */
	Batch	   *sent;			/* running on the target, or NULL */
	StmtCache  *cache;			/* prepared statements of the session */
	bool		use_proc;		/* batches go to decoder_raw_apply_batch() */
	char	   *payload;		/* the batch as the procedure reads it */
	size_t		payload_cap;
	char	   *proc_error;		/* what it said when it last failed */
	SpoolSet   *spool;			/* streamed transactions (spool.c) */

	/* counters, for the status line and the exit report */
	uint64_t	n_xacts;
	uint64_t	n_changes;
	uint64_t	n_skipped;
	uint64_t	n_conflicts;
	uint64_t	last_xacts;
	uint64_t	last_changes;
	int64_t		last_report;
} Applier;

/* decoder_raw_apply.c */
extern volatile int stop_requested;
extern void log_error(const char *fmt,...) __attribute__((format(printf, 1, 2)));
extern void log_info(const char *fmt,...) __attribute__((format(printf, 1, 2)));
extern int64_t now_usec(void);
extern void *xmalloc(size_t size);
extern void *xrealloc(void *p, size_t size);
extern char *xstrdup(const char *s);
extern void describe_conninfo(const char *conninfo, char *out, size_t outlen);
extern bool parse_lsn(const char *str, lsn_t *lsn);
extern bool parse_utc_timestamp(const char *str, int64_t *usec);

/* source.c */
extern ApplyResult source_connect(Applier *a, uint64_t *sysid, bool first);
extern ApplyResult source_start(Applier *a, lsn_t startpos);
extern ApplyResult source_stream(Applier *a);
extern bool send_feedback(Applier *a);
extern void source_finish(Applier *a, bool clean);

/* copy.c */
extern ApplyResult copy_initial_data(Applier *a);

/* flush.c */
extern bool target_query_lsn(Applier *a, const char *sql, lsn_t *lsn);
extern void lsn_map_reset(Applier *a);
extern void lsn_map_push(Applier *a, lsn_t remote, lsn_t local);
extern void lsn_map_flushed(Applier *a, lsn_t flushed);
extern bool confirm_flushed(Applier *a, bool wait);

/* target.c */
extern ApplyResult target_connect(Applier *a, uint64_t sysid, bool first);
extern bool target_lost(Applier *a, PGresult *res);
extern void abandon_xact(Applier *a);
extern void repair_origin(Applier *a);
extern ApplyResult bind_origin(Applier *a, const char *name, size_t len);
extern bool origin_list_has(const OriginList *l, const char *name);
extern void origin_list_add(OriginList *l, const char *name);
extern void target_finish(Applier *a);

/* batch.c */
extern void batch_add(Applier *a, StmtKind kind, lsn_t lsn, const char *sql,
					  size_t len, int shape, uint32_t rows);
extern void batch_add_execute(Applier *a, StmtKind kind, lsn_t lsn, const char *sql,
							  size_t len, int shape, uint32_t rows, uint32_t name,
							  uint32_t nparams, const char *raw, size_t raw_len);
extern void batch_truncate(Applier *a, int nstmts);
extern ApplyResult batch_send(Applier *a);
extern ApplyResult batch_poll(Applier *a, bool wait);
extern ApplyResult batch_drain(Applier *a, bool complete_only);
extern ApplyResult batch_maybe_send(Applier *a, bool paused);
extern void batch_reset(Applier *a);
extern bool batch_idle(const Applier *a);
extern void batch_committed(Applier *a, const BatchStmt *st);
extern void describe_xact(const BatchStmt *st, char *out, size_t outlen);
extern ApplyResult report_error(Applier *a, const Batch *b, const BatchStmt *st,
								PGresult *error);

/* procedure.c */
extern ApplyResult proc_detect(Applier *a);
extern ApplyResult proc_send(Applier *a, Batch *b, bool *sent);
extern void proc_take_result(Applier *a, Batch *b, PGresult *res);
extern bool proc_fallback(Applier *a, Batch *b);
extern void proc_gave_way(Applier *a);

/* spool.c */
extern void spool_reset(Applier *a);
extern void spool_keep_header(Applier *a, const unsigned char *raw, size_t len);
extern void spool_keep_relation(Applier *a, const struct drr_record *rec,
								const unsigned char *raw, size_t len);
extern ApplyResult spool_block(Applier *a, const struct drr_record *rec);
extern ApplyResult spool_write(Applier *a, const struct drr_record *rec,
							   const unsigned char *raw, size_t len);
extern ApplyResult spool_abort(Applier *a, const struct drr_record *rec);
extern ApplyResult spool_replay(Applier *a, uint32_t xid,
								ApplyResult (*apply) (Applier *, const struct drr_record *));

/* records.c */
extern ApplyResult apply_data(Applier *a, lsn_t lsn, const unsigned char *data,
							  size_t len);
extern const char *shape_text(Applier *a, int shape);
extern ApplyResult prepare_shapes(Applier *a, Batch *b);
extern void records_reset(Applier *a);

#endif							/* DECODER_RAW_APPLY_H */
