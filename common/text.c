/*-------------------------------------------------------------------------
 *
 * text.c
 *		LSN and timestamp text, as PostgreSQL writes them.
 *
 * Timestamps are on the hot path of every table with a timestamp column,
 * so they are written two digits at a time rather than through printf.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "dr_common.h"

#include <inttypes.h>
#include <stdio.h>

#define USECS_PER_DAY		INT64_C(86400000000)
#define USECS_PER_HOUR		INT64_C(3600000000)
#define USECS_PER_MINUTE	INT64_C(60000000)
#define USECS_PER_SEC		INT64_C(1000000)
#define POSTGRES_EPOCH_JDATE 2451545	/* date2j(2000, 1, 1) */

/* PostgreSQL's range of finite timestamps: 4714-11-24 BC to 294276 AD */
#define MIN_TIMESTAMP	INT64_C(-211813488000000000)
#define END_TIMESTAMP	INT64_C(9223371331200000000)

int
dr_put_lsn(char *dst, uint64_t lsn)
{
	return snprintf(dst, DR_LSN_BUFSIZE, "%" PRIX32 "/%" PRIX32,
					(uint32_t) (lsn >> 32), (uint32_t) lsn);
}

void
dr_append_lsn(dr_out *out, uint64_t lsn)
{
	char		buf[DR_LSN_BUFSIZE];

	dr_append(out, buf, dr_put_lsn(buf, lsn));
}

/* PostgreSQL's j2date(): Julian day number to Gregorian date. */
static void
j2date(int jd, int *year, int *month, int *day)
{
	unsigned int julian;
	unsigned int quad;
	unsigned int extra;
	int			y;

	julian = jd;
	julian += 32044;
	quad = julian / 146097;
	extra = (julian - quad * 146097) * 4 + 3;
	julian += 60 + quad * 3 + extra / 146097;
	quad = julian / 1461;
	julian -= quad * 1461;
	y = julian * 4 / 1461;
	julian = ((y != 0) ? ((julian + 305) % 365) : ((julian + 306) % 366))
		+ 123;
	y += quad * 4;
	*year = y - 4800;
	quad = julian * 2141 / 65536;
	*day = julian - 7834 * quad / 256;
	*month = (quad + 10) % 12 + 1;
}

/* n >= 0 with at least "width" digits; returns the end. */
static inline char *
put_digits(char *dst, int64_t n, int width)
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

bool
dr_timestamp_valid(int64_t ts)
{
	return ts == INT64_MAX || ts == INT64_MIN ||
		(ts >= MIN_TIMESTAMP && ts < END_TIMESTAMP);
}

/* 0 <= n < 100 as two digits; returns the end. */
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

/* The time of day, and microseconds without trailing zeros. */
static char *
put_time(char *dst, int64_t time)
{
	int			secs = (int) (time / USECS_PER_SEC);
	int			fsec = (int) (time - secs * USECS_PER_SEC);

	dst = put_two_digits(dst, secs / 3600);
	*dst++ = ':';
	dst = put_two_digits(dst, secs / 60 % 60);
	*dst++ = ':';
	dst = put_two_digits(dst, secs % 60);
	if (fsec != 0)
	{
		*dst++ = '.';
		dst = put_two_digits(dst, fsec / 10000);
		dst = put_two_digits(dst, fsec / 100 % 100);
		dst = put_two_digits(dst, fsec % 100);
		while (dst[-1] == '0')
			dst--;
	}
	return dst;
}

/*
 * The ISO form that timestamp_out() and timestamptz_out() give under
 * DateStyle ISO and TimeZone UTC.
 */
int
dr_put_timestamp(char *dst, int64_t ts, bool with_tz)
{
	char	   *start = dst;
	int64_t		date;
	int64_t		time;
	int			year,
				month,
				day;
	bool		bc;

	if (ts == INT64_MAX || ts == INT64_MIN)
	{
		strcpy(dst, ts == INT64_MAX ? "infinity" : "-infinity");
		return (int) strlen(dst);
	}
	if (ts < MIN_TIMESTAMP || ts >= END_TIMESTAMP)
		return -1;

	/* as timestamp2tm() splits it */
	date = ts / USECS_PER_DAY;
	time = ts - date * USECS_PER_DAY;
	if (time < 0)
	{
		time += USECS_PER_DAY;
		date -= 1;
	}
	j2date((int) (date + POSTGRES_EPOCH_JDATE), &year, &month, &day);
	bc = year <= 0;
	if (bc)
		year = -(year - 1);

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
	dst = put_time(dst, time);
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
	return (int) (dst - start);
}
