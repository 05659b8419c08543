/*-------------------------------------------------------------------------
 *
 * fuzz_dump.c
 *		libFuzzer target: decoder_raw_dump and its reader on any input.
 *
 * Each input is printed as SQL and as records, read whole and in small
 * pieces (the reader's DRR_MORE path), and read as hexadecimal lines.  The
 * two ways of reading must agree on how many records there are and on
 * whether the input is valid; any difference aborts, as does anything the
 * sanitizers catch.  Built by fuzz/run-fuzz.sh.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#define _POSIX_C_SOURCE 200809L /* fmemopen */

#define DECODER_RAW_DUMP_NO_MAIN
#include "../reader/decoder_raw_dump.c"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

/* Print the whole input from memory, in one mode; returns 0 or 1. */
static int
dump_memory(const uint8_t *data, size_t size, int records)
{
	input		in = {0};
	int			rc;

	in.buf = malloc(size > 0 ? size : 1);
	if (in.buf == NULL)
		abort();
	if (size > 0)
		memcpy(in.buf, data, size);
	in.len = in.size = size;
	in.eof = 1;
	rc = dump_stream(&in, records, 1);
	free(in.buf);
	return rc;
}

/* Read the input with the library alone, whole or in pieces of "step". */
static int
count_records(const uint8_t *data, size_t size, size_t step, uint64_t *count)
{
	drr_reader *r = drr_reader_create();
	size_t		start = 0;
	size_t		avail = step < size ? step : size;
	int			result;

	if (r == NULL)
		abort();
	*count = 0;
	for (;;)
	{
		drr_record	rec;
		size_t		used;
		int			rc;

		rc = drr_reader_next(r, data + start, avail - start, avail == size,
							 &rec, &used);
		start += used;
		if (rc == DRR_OK)
			(*count)++;
		else if (rc == DRR_MORE)
		{
			if (avail == size)
				abort();		/* DRR_MORE at the end of the input */
			avail = avail + step < size ? avail + step : size;
		}
		else
		{
			result = rc == DRR_END ? 0 : 1;
			break;
		}
	}
	if (result == 0 && start != size)
		abort();				/* the end is reported before the last byte */
	drr_reader_destroy(r);
	return result;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t	whole,
				pieces;
	int			rc_whole,
				rc_pieces;
	FILE	   *fp;

	if (devnull == NULL)
	{
		devnull = fopen("/dev/null", "w");
		if (devnull == NULL)
			abort();
	}
	out_fp = devnull;

	dump_memory(data, size, 0);
	dump_memory(data, size, 1);

	rc_whole = count_records(data, size, size, &whole);
	rc_pieces = count_records(data, size, size > 0 ? 1 + data[0] % 7 : 1,
							  &pieces);
	if (rc_whole != rc_pieces || (rc_whole == 0 && whole != pieces))
		abort();

	/* the same bytes as hexadecimal lines */
	if (size > 0)
	{
		fp = fmemopen((void *) data, size, "r");
		if (fp != NULL)
		{
			input		in = {0};

			in.fp = fp;
			in.hex = 1;
			input_reserve(&in, 4096);
			dump_stream(&in, 1, 1);
			free(in.buf);
			free(in.linebuf);
			fclose(fp);
		}
	}
	return 0;
}
