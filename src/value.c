/*-------------------------------------------------------------------------
 *
 * value.c
 *		Text form of column values, independent of session settings.
 *
 * The common types are written here without the fmgr, in the form their
 * output functions give under DateStyle ISO, TimeZone UTC, shortest-exact
 * floats and hex bytea; every other type goes through its output function,
 * with those settings pinned by decoder_raw_pin_output_settings() when the
 * relation needs it.  Both formats use this, so that the binary format's
 * text values and the SQL format's literals agree.  The text forms that the
 * client programs write too (timestamps, hex) come from common/.
 *
 * Here too: the rules' output buffer over a StringInfo.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "decoder_raw.h"

#include "common/shortest_dec.h"
#include "datatype/timestamp.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/* ----------
 * The rules' output buffer over a StringInfo
 * ----------
 */
static void
out_append(dr_out *out, const char *data, size_t len)
{
	StringInfo	buf = ((DecoderRawOut *) out)->buf;

	/* the rules append many short pieces: copy them where there is room */
	if (len < (size_t) (buf->maxlen - buf->len))
	{
		memcpy(buf->data + buf->len, data, len);
		buf->len += (int) len;
		buf->data[buf->len] = '\0';
		return;
	}
	appendBinaryStringInfo(buf, data, (int) len);
}

static char *
out_reserve(dr_out *out, size_t n, size_t *len)
{
	StringInfo	buf = ((DecoderRawOut *) out)->buf;

	decoder_raw_reserve(buf, (int) n);
	*len = buf->len;
	return buf->data;
}

static void
out_set_len(dr_out *out, size_t len)
{
	StringInfo	buf = ((DecoderRawOut *) out)->buf;

	buf->len = (int) len;
	buf->data[len] = '\0';
}

/* A value, or a message, that the SQL format cannot carry, and why */
static void
refuse_value(DecoderRawOut *o, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 o->col != NULL && o->rel != NULL ?
			 errmsg("decoder_raw cannot write the value of column \"%s\" of table \"%s.%s\" in the SQL format",
					o->col->name, o->rel->nspname, o->rel->relname) :
			 errmsg("decoder_raw cannot write a message in the SQL format"),
			 errdetail_internal("%s", why),
			 errhint("The binary format (option \"format\" \"binary\") writes values unescaped.")));
}

/*
 * A statement is one allocation, at most MaxAllocSize: say which value is
 * too large and how else to carry it.
 */
static void
out_too_large(dr_out *out, size_t needed)
{
	refuse_value((DecoderRawOut *) out,
				 psprintf("The statement would take %zu bytes, more than the %zu that PostgreSQL can allocate; its literal writes a control character as up to 4 bytes.",
						  needed, (Size) MaxAllocSize - 1));
}

/* A string constant that the server's SQL scanner cannot hold */
static void
out_long_literal(dr_out *out, size_t len)
{
	refuse_value((DecoderRawOut *) out,
				 psprintf("Its text takes %zu bytes; PostgreSQL's SQL parser reads a string constant of at most %zu.",
						  len, DR_MAX_LITERAL - 1));
}

/* Set up o to write into buf; it knows of no relation yet. */
dr_out *
decoder_raw_out(DecoderRawOut *o, StringInfo buf)
{
	o->out.append = out_append;
	o->out.reserve = out_reserve;
	o->out.set_len = out_set_len;
	o->out.max_len = MaxAllocSize;
	o->out.too_large = out_too_large;
	o->out.long_literal = out_long_literal;
	o->buf = buf;
	o->rel = NULL;
	o->col = NULL;
	return &o->out;
}

/* ----------
 * Text forms
 * ----------
 */

/*
 * The ISO form that timestamp_out() and timestamptz_out() give under
 * DateStyle ISO and TimeZone UTC, written directly: this is on the hot path
 * of every table with a timestamp column.
 */
static inline void
append_timestamp(StringInfo out, Timestamp ts, bool with_tz)
{
	int			n;

	decoder_raw_reserve(out, DR_TIMESTAMP_BUFSIZE);
	n = dr_put_timestamp(out->data + out->len, ts, with_tz);
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	out->len += n;
}

static void
append_date(StringInfo out, DateADT date)
{
	struct pg_tm tm;
	char		buf[MAXDATELEN + 1];

	if (DATE_NOT_FINITE(date))
		EncodeSpecialDate(date, buf);
	else
	{
		j2date(date + POSTGRES_EPOCH_JDATE,
			   &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
		EncodeDateOnly(&tm, USE_ISO_DATES, buf);
	}
	appendStringInfoString(out, buf);
}

/* bytea's hex text form: \x and two digits per byte */
void
decoder_raw_append_hex(StringInfo out, const char *data, int len)
{
	decoder_raw_reserve(out, len * 2 + 3);
	out->len += dr_put_hex(out->data + out->len, (const unsigned char *) data,
						   len);
	out->data[out->len] = '\0';
}

/* LSN in the usual X/X notation. */
void
decoder_raw_append_lsn(StringInfo out, XLogRecPtr lsn)
{
	decoder_raw_reserve(out, DR_LSN_BUFSIZE);
	out->len += dr_put_lsn(out->data + out->len, lsn);
}

/*
 * Is a message's content text, valid in the database encoding?  Else both
 * formats carry it as bytes (the SQL format as a bytea literal).
 */
bool
decoder_raw_message_is_text(const char *message, Size sz)
{
	return memchr(message, '\0', sz) == NULL &&
		pg_verifymbstr(message, sz, true);
}

/* ISO 8601 in UTC, whatever the session's DateStyle and TimeZone. */
void
decoder_raw_append_timestamp(StringInfo out, TimestampTz ts)
{
	append_timestamp(out, ts, true);
}

/*
 * Append the text form of a value that is not NULL.  Money is written as
 * the numeric it holds, since its own text form depends on lc_monetary.
 */
void
decoder_raw_append_value_text(StringInfo out, DecoderRawColumn *col,
							  Datum value)
{
	char		buf[64];

	switch (col->kind)
	{
		case DR_COL_BOOL:
			appendStringInfoChar(out, DatumGetBool(value) ? 't' : 'f');
			return;
		case DR_COL_INT2:
			decoder_raw_reserve(out, 8);
			out->len += pg_itoa(DatumGetInt16(value), out->data + out->len);
			return;
		case DR_COL_INT4:
			decoder_raw_reserve(out, 12);
			out->len += pg_ltoa(DatumGetInt32(value), out->data + out->len);
			return;
		case DR_COL_INT8:
			decoder_raw_reserve(out, MAXINT8LEN + 1);
			out->len += pg_lltoa(DatumGetInt64(value), out->data + out->len);
			return;
		case DR_COL_FLOAT4:
			/* shortest exact form, as extra_float_digits > 0 gives */
			float_to_shortest_decimal_buf(DatumGetFloat4(value), buf);
			appendStringInfoString(out, buf);
			return;
		case DR_COL_FLOAT8:
			double_to_shortest_decimal_buf(DatumGetFloat8(value), buf);
			appendStringInfoString(out, buf);
			return;
		case DR_COL_NUMERIC:
			decoder_raw_append_numeric(out, value);
			return;
		case DR_COL_TEXT:
			{
				struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));

				appendBinaryStringInfo(out, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
				return;
			}
		case DR_COL_BYTEA:
			{
				struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));

				decoder_raw_append_hex(out, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
				return;
			}
		case DR_COL_DATE:
			append_date(out, DatumGetDateADT(value));
			return;
		case DR_COL_TIMESTAMP:
			append_timestamp(out, DatumGetTimestamp(value), false);
			return;
		case DR_COL_TIMESTAMPTZ:
			append_timestamp(out, DatumGetTimestampTz(value), true);
			return;
		case DR_COL_MONEY:
			decoder_raw_append_numeric(out,
									   DirectFunctionCall1(cash_numeric, value));
			return;
		case DR_COL_GENERIC:
			appendStringInfoString(out, OutputFunctionCall(&col->outfunc, value));
			return;
	}
}
