-- Helpers of the benchmark, created once in the bench database.

-- CPU time this backend has used, in ms (user and system, from
-- /proc/self/stat at 100 ticks a second): unlike the clock, it does not
-- count the time other work on the machine takes the CPU away.
CREATE FUNCTION bench_cpu_ms() RETURNS float8
LANGUAGE sql AS $$
	SELECT (f[12]::bigint + f[13]::bigint) * 10.0
	  FROM (SELECT string_to_array(regexp_replace(pg_read_file('/proc/self/stat'),
												  '^.*\) ', ''), ' ') AS f) AS s
$$;

-- Peek a slot from its start and measure the call on the server, by the
-- clock and in CPU time.  The binary variant accepts every plugin and
-- spares textual output a conversion that binary output would not pay;
-- count() and sum() return a single row, so no output crosses the
-- connection.  The output is gathered in a tuplestore first: work_mem keeps
-- it in memory, as a walsender keeps its output, rather than in temporary
-- files, whose writes would weigh on verbose plugins and vary with the
-- machine's other I/O.
CREATE FUNCTION bench_peek(slot name, opts text[],
						   OUT ms float8, OUT cpu_ms float8,
						   OUT records bigint, OUT bytes bigint)
LANGUAGE plpgsql
SET work_mem = '2GB'
AS $$
DECLARE
	t0 timestamptz;
	c0 float8;
BEGIN
	c0 := bench_cpu_ms();
	t0 := clock_timestamp();
	SELECT count(*), coalesce(sum(octet_length(data)), 0)
	  INTO records, bytes
	  FROM pg_logical_slot_peek_binary_changes(slot, NULL, NULL, VARIADIC opts);
	ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
	cpu_ms := bench_cpu_ms() - c0;
END
$$;

-- Rows of the five-column tables: int key, text, numeric, timestamptz, bool.
-- One text value in fifty holds a quote.
CREATE FUNCTION bench_rows5(lo int, hi int)
RETURNS TABLE (id int, name text, amount numeric(12, 2), created timestamptz,
			   active bool)
LANGUAGE sql AS $$
	SELECT i,
		   md5(i::text) || CASE WHEN i % 50 = 0 THEN ' it''s' ELSE '' END,
		   round(i * 1.37, 2),
		   timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second',
		   i % 2 = 0
	  FROM generate_series(lo, hi) AS i
$$;
