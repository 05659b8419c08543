-- The setval() side statement of a GENERATED ALWAYS identity column hands
-- pg_get_serial_sequence() a name it parses, also when the SQL format
-- writes the table's name as a U&"" identifier.
SET client_min_messages = warning;

CREATE FUNCTION run(stmt text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE stmt;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

CREATE SCHEMA U&"in\000Aschema";
CREATE TABLE U&"in\000Aschema".U&"new\000Aline ""q""" (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
CREATE TABLE public."Mixed ""Case""" (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);

SELECT 'init' FROM pg_create_logical_replication_slot('identity_names_slot', 'decoder_raw');

INSERT INTO U&"in\000Aschema".U&"new\000Aline ""q""" (v) VALUES ('a');
UPDATE U&"in\000Aschema".U&"new\000Aline ""q""" SET id = DEFAULT;
INSERT INTO public."Mixed ""Case""" (v) VALUES ('a');
UPDATE public."Mixed ""Case""" SET id = DEFAULT;

SELECT data FROM pg_logical_slot_peek_changes('identity_names_slot', NULL, NULL, 'skip-empty-xacts', '1');
\pset format unaligned
\pset tuples_only on
SELECT data FROM pg_logical_slot_peek_binary_changes('identity_names_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', '1') \g |"$DECODER_RAW_DUMP" --hex
\pset format aligned
\pset tuples_only off
-- the side statements run: the sequences are found
SELECT run(data) FROM pg_logical_slot_get_changes('identity_names_slot', NULL, NULL, 'skip-empty-xacts', '1')
 WHERE data LIKE 'SELECT pg_catalog.setval(%';
SELECT pg_drop_replication_slot('identity_names_slot');
DROP SCHEMA U&"in\000Aschema" CASCADE;
DROP TABLE public."Mixed ""Case""";
DROP FUNCTION run(text);
