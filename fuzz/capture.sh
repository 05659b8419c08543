#!/usr/bin/env bash
#
# capture.sh
#	Capture real binary streams from decoder_raw into fuzz/corpus, with the
#	SQL format's output for the same changes as their expected output.
#
# Usage: fuzz/capture.sh   (connects with the usual PG* environment variables;
#	needs a server with wal_level = logical and decoder_raw in
#	output_plugin_libraries, and a role that may create databases)
#
# Writes capture-text.bin/.sql (text values, every annotation) and
# capture-binary-values.bin (binary-values; read with --records only).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
db=decoder_raw_capture

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
	-c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
export PGDATABASE=$db

psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'EOF'
SELECT 'init' FROM pg_create_logical_replication_slot('capture', 'decoder_raw');
CREATE TABLE t (id int PRIMARY KEY, v text, n numeric, f float8, b bool,
	ts timestamptz, by bytea, j jsonb);
CREATE TABLE "Odd ""name""" ("Key" text PRIMARY KEY, "select" int,
	g int GENERATED ALWAYS AS ("select" * 2) STORED);
CREATE TABLE full_t (a int, p point);
ALTER TABLE full_t REPLICA IDENTITY FULL;
INSERT INTO t VALUES (1, E'a\nb', 1.5, 0.1, true, '2026-01-01 12:00:00.25+00', '\x00ff', '{"k": [1]}'),
	(2, 'it''s', 'NaN', 'Infinity', false, 'infinity', '', 'null'),
	(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO "Odd ""name""" VALUES ('k', 1);
INSERT INTO full_t VALUES (1, '(1,2)'), (1, '(1,2)');
BEGIN;
UPDATE t SET id = 10, v = repeat('x', 300) WHERE id = 1;
UPDATE "Odd ""name""" SET "select" = 2;
DELETE FROM t WHERE id = 2;
UPDATE full_t SET a = 2 WHERE ctid = (SELECT min(ctid) FROM full_t);
DELETE FROM full_t;
SELECT 'm' FROM pg_logical_emit_message(true, 'prefix', E'con\ttent');
COMMIT;
SELECT 'm' FROM pg_logical_emit_message(false, 'bytes', '\x0a00'::bytea);
ALTER TABLE t ADD COLUMN extra int;
INSERT INTO t (id, extra) VALUES (4, 4);
TRUNCATE "Odd ""name""", full_t;
EOF

options="'include-xids', 'on', 'include-lsn', 'on', 'include-timestamp', 'on', 'origin-progress', 'on'"

psql -X -At -v ON_ERROR_STOP=1 \
	-c "SELECT data FROM pg_logical_slot_peek_changes('capture', NULL, NULL, $options)" \
	>"$here/corpus/capture-text.sql"
psql -X -At -v ON_ERROR_STOP=1 \
	-c "SELECT encode(data, 'hex') FROM pg_logical_slot_peek_binary_changes('capture', NULL, NULL, 'format', 'binary', $options)" |
	perl -ne 'chomp; print pack("H*", $_)' >"$here/corpus/capture-text.bin"
psql -X -At -v ON_ERROR_STOP=1 \
	-c "SELECT encode(data, 'hex') FROM pg_logical_slot_peek_binary_changes('capture', NULL, NULL, 'format', 'binary', 'binary-values', 'on')" |
	perl -ne 'chomp; print pack("H*", $_)' >"$here/corpus/capture-binary-values.bin"

psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null \
	-c "SELECT pg_drop_replication_slot('capture')" -c "DROP DATABASE $db"
echo "capture.sh: wrote capture-text.bin, capture-text.sql and capture-binary-values.bin"
