/*-------------------------------------------------------------------------
 *
 * record_sql.h
 *		The SQL of a binary record, by common/'s rules, for the client
 *		programs: decoder_raw_dump prints it, decoder_raw_apply runs it.
 *
 * drs_record() writes what decoder_raw's SQL format writes for a record of
 * the reader (decoder_raw_reader.h) with the same options, and hands each
 * statement to the caller's emit hook.  With a value hook, the values of
 * the rows are written by the caller (as parameters, say) instead of as
 * constants; everything else stays as the SQL format has it.
 *
 * The input is checked as it is written: names the stream leaves bare,
 * operator names, values of the types written bare, timestamps.  What is
 * wrong goes to the fail hook, which must not return.  The state (the view
 * of the last relation, the stream's version) is the program's: one stream
 * at a time.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#ifndef RECORD_SQL_H
#define RECORD_SQL_H

#include "decoder_raw_reader.h"

#include "../common/dr_common.h"

#if defined(__GNUC__) || defined(__clang__)
#define DRS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define DRS_NORETURN __attribute__((noreturn))
#else
#define DRS_PRINTF(f, a)
#define DRS_NORETURN
#endif

/* A growable buffer, NUL-terminated, and the rules' dr_out over it */
typedef struct strbuf
{
	dr_out		out;			/* set by sb_out() */
	char	   *data;
	size_t		len;
	size_t		size;
} strbuf;

extern void sb_reserve(strbuf *sb, size_t more);
extern void sb_append(strbuf *sb, const void *data, size_t len);
extern void sb_puts(strbuf *sb, const char *s);
extern void sb_putc(strbuf *sb, char c);
extern void sb_printf(strbuf *sb, const char *fmt,...) DRS_PRINTF(2, 3);
extern dr_out *sb_out(strbuf *sb);
extern void sb_lsn(strbuf *sb, uint64_t lsn);
extern void sb_timestamp(strbuf *sb, int64_t t, uint64_t offset);
extern void sb_literal(strbuf *sb, const unsigned char *s, size_t len);
extern void sb_hex(strbuf *sb, const unsigned char *s, size_t len);
extern void sb_ident(strbuf *sb, const char *name, size_t len, int quoted);
extern void sb_qualname(strbuf *sb, const drr_relation *rel);
extern void sb_colname(strbuf *sb, const drr_column *col);
extern void sb_key_comparison(strbuf *sb, const drr_column *col);

typedef enum drs_failure
{
	DRS_BAD_INPUT,				/* the stream is malformed */
	DRS_CANNOT_WRITE			/* it is not, but has no SQL form (or memory) */
} drs_failure;

typedef struct drs_hooks
{
	/* told why, with the record's offset; must not return */
	void		(*fail) (void *arg, drs_failure kind, const char *msg);
	/* a whole statement is in sb, without its newline; sb is emptied after */
	void		(*emit) (void *arg, strbuf *sb);
	/* NULL: values as constants; else what stands for column i's value */
	void		(*value) (void *arg, dr_out *out, const drr_record *rec,
						  const drr_tuple *tuple, uint32_t i);
	void	   *arg;
} drs_hooks;

/* offset of the record being written, for the messages */
extern uint64_t drs_record_offset;

extern void drs_init(const drs_hooks *hooks);
extern void drs_record(strbuf *sb, const drr_record *rec);
extern void drs_reset(void);

/* column i's value as the SQL constant the SQL format writes */
extern void drs_constant(dr_out *out, const drr_record *rec,
						 const drr_tuple *tuple, uint32_t i);

/* the INSERT of a row: its prefix, and its values "(...);" */
extern void drs_insert_prefix(strbuf *sb, const drr_record *rec);
extern void drs_insert_values(strbuf *sb, const drr_record *rec);

extern void drs_check_timestamp(int64_t t, uint64_t offset);
extern void drs_check_bare_name(const char *name, size_t len);
extern int	drs_operator_valid(const drr_column *col);
extern void drs_bad_operator(const drr_column *col) DRS_NORETURN;

#endif							/* RECORD_SQL_H */
