-- What is sent: include-tables, exclude-tables, actions, message prefixes.
SET client_min_messages = warning;
CREATE SCHEMA flt;
CREATE SCHEMA "Odd.Schema";
CREATE TABLE flt.a (id int PRIMARY KEY, v text);
CREATE TABLE flt.b (id int PRIMARY KEY, v text);
CREATE TABLE flt.audit_log (id int PRIMARY KEY);
CREATE TABLE public.audit_log (id int PRIMARY KEY);
CREATE TABLE "Odd.Schema"."T,1*" (id int PRIMARY KEY);
CREATE TABLE "Odd.Schema".t2 (id int PRIMARY KEY);
SELECT 'init' FROM pg_create_logical_replication_slot('filters_slot', 'decoder_raw');

BEGIN;
INSERT INTO flt.a VALUES (1, 'a');
INSERT INTO flt.b VALUES (1, 'b');
INSERT INTO flt.audit_log VALUES (1);
INSERT INTO public.audit_log VALUES (1);
INSERT INTO "Odd.Schema"."T,1*" VALUES (1);
INSERT INTO "Odd.Schema".t2 VALUES (1);
UPDATE flt.a SET v = 'a2' WHERE id = 1;
DELETE FROM flt.b WHERE id = 1;
SELECT 'msg' FROM pg_logical_emit_message(true, 'app', 'hello');
SELECT 'msg' FROM pg_logical_emit_message(true, 'other', 'world');
COMMIT;
TRUNCATE flt.a, flt.b, public.audit_log;
-- a transaction of filtered changes only
INSERT INTO flt.b VALUES (2, 'b');

-- include-tables, with wildcards and quoted names; unquoted names fold
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', 'flt.a');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', ' FLT.* , *.audit_log', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', '"Odd.Schema"."T,1*"', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', '"Odd.Schema".t*', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'add-tables', '*.audit*', 'skip-empty-xacts', '1');
-- a quoted * is no wildcard, and a quoted name keeps its case
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', '"flt"."*"', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', '"FLT".a', 'skip-empty-xacts', '1');
-- exclude-tables, alone and after include-tables
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'exclude-tables', 'flt.*,"Odd.Schema".*', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', 'flt.*', 'filter-tables', 'flt.a*', 'skip-empty-xacts', '1');

-- actions
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'actions', 'insert', 'include-tables', 'flt.*', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'actions', 'update, delete', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'actions', 'truncate,message', 'skip-empty-xacts', '1');
-- without skip-empty-xacts, transactions of filtered changes stay empty
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'actions', 'truncate');
-- a TRUNCATE names only the selected relations, and none is nothing
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'exclude-tables', 'flt.b', 'actions', 'truncate', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', 'flt.audit_log', 'actions', 'truncate', 'skip-empty-xacts', '1');

-- message prefixes
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'actions', 'message', 'include-message-prefixes', 'app', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'actions', 'message', 'exclude-message-prefixes', 'app , x', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', 'none.none', 'include-message-prefixes', 'app,other', 'exclude-message-prefixes', 'other', 'skip-empty-xacts', '1');

-- the binary format filters the same
\pset format unaligned
\pset tuples_only on
SELECT data FROM pg_logical_slot_peek_binary_changes('filters_slot', NULL, NULL, 'format', 'binary', 'include-tables', 'flt.a, public . *', 'actions', 'insert,truncate', 'skip-empty-xacts', '1') \g |"$DECODER_RAW_DUMP" --hex
\pset format aligned
\pset tuples_only off
SELECT data FROM pg_logical_slot_get_changes('filters_slot', NULL, NULL, 'skip-empty-xacts', '1');

-- the decision follows renames into and out of a pattern
INSERT INTO flt.a VALUES (3, 'in');
ALTER TABLE flt.a RENAME TO a_renamed;
INSERT INTO flt.a_renamed VALUES (4, 'out');
ALTER TABLE flt.b RENAME TO a;
INSERT INTO flt.a VALUES (5, 'in again');
ALTER SCHEMA flt RENAME TO flt2;
INSERT INTO flt2.a VALUES (6, 'schema out');
ALTER SCHEMA flt2 RENAME TO flt;
INSERT INTO flt.a VALUES (7, 'schema in');
SELECT data FROM pg_logical_slot_get_changes('filters_slot', NULL, NULL, 'include-tables', 'flt.a', 'skip-empty-xacts', '1');
ALTER TABLE flt.a RENAME TO b;
ALTER TABLE flt.a_renamed RENAME TO a;

-- errors: each names the option and the offending value
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', '');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', 'a');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', 'a.b.c');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', 'flt.a,');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'exclude-tables', 'flt.a,,flt.b');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'exclude-tables', '.a');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'exclude-tables', 'a.');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', '"flt.a');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', '"".a');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', 'f"l"t.a');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', '"flt"x.a');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', 'flt."a"x');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', 'my schema.a');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-tables', 'flt.a b');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'add-tables', 'flt.a', 'include-tables', 'flt.b');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'actions', '');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'actions', 'insert,upsert');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'actions', 'insert,');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'actions', 'INSERT');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'include-message-prefixes', '');
SELECT data FROM pg_logical_slot_peek_changes('filters_slot', NULL, NULL, 'exclude-message-prefixes', 'a,,b');

SELECT pg_drop_replication_slot('filters_slot');
DROP SCHEMA flt CASCADE;
DROP SCHEMA "Odd.Schema" CASCADE;
DROP TABLE public.audit_log;
