-- Replication origin names longer than NAMEDATALEN are compared and
-- written whole.
SET client_min_messages = warning;

SELECT 'o' FROM pg_replication_origin_create(repeat('o', 63) || '_east');
SELECT 'o' FROM pg_replication_origin_create(repeat('o', 63) || '_west');
CREATE TABLE lo_t (id int PRIMARY KEY, v text);

SELECT 'init' FROM pg_create_logical_replication_slot('long_origins_slot', 'decoder_raw');

SELECT 'o' FROM pg_replication_origin_session_setup(repeat('o', 63) || '_east');
INSERT INTO lo_t VALUES (1, 'east');
SELECT 'o' FROM pg_replication_origin_session_reset();
SELECT 'o' FROM pg_replication_origin_session_setup(repeat('o', 63) || '_west');
INSERT INTO lo_t VALUES (2, 'west');
SELECT 'o' FROM pg_replication_origin_session_reset();
INSERT INTO lo_t VALUES (3, 'local');

-- the 63-byte prefix names neither origin
SELECT data FROM pg_logical_slot_peek_changes('long_origins_slot', NULL, NULL, 'skip-empty-xacts', '1',
  'include-origin', '1', 'exclude-origins', repeat('o', 63));
SELECT data FROM pg_logical_slot_peek_changes('long_origins_slot', NULL, NULL, 'skip-empty-xacts', '1',
  'exclude-origins', repeat('o', 63) || '_east');
SELECT data FROM pg_logical_slot_peek_changes('long_origins_slot', NULL, NULL, 'skip-empty-xacts', '1',
  'forward-origins', repeat('o', 63) || '_west');
\pset format unaligned
\pset tuples_only on
SELECT data FROM pg_logical_slot_peek_binary_changes('long_origins_slot', NULL, NULL, 'format', 'binary',
  'skip-empty-xacts', '1', 'include-origin', '1', 'forward-origins', repeat('o', 63) || '_east') \g |"$DECODER_RAW_DUMP" --hex | sed -e 's/origin_lsn [0-9A-F/]*/origin_lsn X/'
\pset format aligned
\pset tuples_only off
SELECT pg_drop_replication_slot('long_origins_slot');
SELECT pg_replication_origin_drop(repeat('o', 63) || '_east');
SELECT pg_replication_origin_drop(repeat('o', 63) || '_west');
DROP TABLE lo_t;
