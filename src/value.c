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
 * text values and the SQL format's literals agree.
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
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/cash.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

/* Append n >= 0 with at least "width" digits. */
static inline char *
put_digits(char *dst, int64 n, int width)
{
	char		tmp[24];
	int			len = 0;

	do
	{
		tmp[len++] = '0' + (char) (n % 10);
		n /= 10;
	} while (n > 0);
	while (len < width)
		tmp[len++] = '0';
	while (len > 0)
		*dst++ = tmp[--len];
	return dst;
}

/* Append 0 <= n < 100 as two digits. */
static inline char *
put_two_digits(char *dst, int n)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";

	memcpy(dst, pairs + 2 * n, 2);
	return dst + 2;
}

/*
 * The ISO form that timestamp_out() and timestamptz_out() give under
 * DateStyle ISO and TimeZone UTC, written directly: this is on the hot path
 * of every table with a timestamp column.
 */
static void
append_timestamp(StringInfo out, Timestamp ts, bool with_tz)
{
	int64		date;
	int64		time;
	int			year,
				month,
				day;
	int			secs,
				fsec;
	bool		bc;
	char	   *dst;

	if (TIMESTAMP_NOT_FINITE(ts))
	{
		char		buf[MAXDATELEN + 1];

		EncodeSpecialTimestamp(ts, buf);
		appendStringInfoString(out, buf);
		return;
	}
	if (!IS_VALID_TIMESTAMP(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));

	/* as timestamp2tm() splits it */
	time = ts;
	TMODULO(time, date, USECS_PER_DAY);
	if (time < INT64CONST(0))
	{
		time += USECS_PER_DAY;
		date -= 1;
	}
	j2date((int) (date + POSTGRES_EPOCH_JDATE), &year, &month, &day);
	bc = year <= 0;
	if (bc)
		year = -(year - 1);

	enlargeStringInfo(out, MAXDATELEN + 1);
	dst = out->data + out->len;
	if (year >= 1000 && year < 10000)
	{
		dst = put_two_digits(dst, year / 100);
		dst = put_two_digits(dst, year % 100);
	}
	else
		dst = put_digits(dst, year, 4);
	*dst++ = '-';
	dst = put_two_digits(dst, month);
	*dst++ = '-';
	dst = put_two_digits(dst, day);
	*dst++ = ' ';
	secs = (int) (time / USECS_PER_SEC);
	fsec = (int) (time - (int64) secs * USECS_PER_SEC);
	dst = put_two_digits(dst, secs / SECS_PER_HOUR);
	*dst++ = ':';
	dst = put_two_digits(dst, secs / SECS_PER_MINUTE % MINS_PER_HOUR);
	*dst++ = ':';
	dst = put_two_digits(dst, secs % SECS_PER_MINUTE);
	if (fsec != 0)
	{
		/* microseconds, without trailing zeros */
		*dst++ = '.';
		dst = put_two_digits(dst, fsec / 10000);
		dst = put_two_digits(dst, fsec / 100 % 100);
		dst = put_two_digits(dst, fsec % 100);
		while (dst[-1] == '0')
			dst--;
	}
	if (with_tz)
	{
		memcpy(dst, "+00", 3);
		dst += 3;
	}
	if (bc)
	{
		memcpy(dst, " BC", 3);
		dst += 3;
	}
	*dst = '\0';
	out->len = dst - out->data;
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
	static const char hex[] = "0123456789abcdef";
	char	   *dst;
	int			i;

	enlargeStringInfo(out, len * 2 + 3);
	dst = out->data + out->len;
	*dst++ = '\\';
	*dst++ = 'x';
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) data[i];

		*dst++ = hex[c >> 4];
		*dst++ = hex[c & 0x0f];
	}
	out->len += len * 2 + 2;
	out->data[out->len] = '\0';
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
			enlargeStringInfo(out, 8);
			out->len += pg_itoa(DatumGetInt16(value), out->data + out->len);
			return;
		case DR_COL_INT4:
			enlargeStringInfo(out, 12);
			out->len += pg_ltoa(DatumGetInt32(value), out->data + out->len);
			return;
		case DR_COL_INT8:
			enlargeStringInfo(out, MAXINT8LEN + 1);
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
