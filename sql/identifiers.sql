-- Schema, table and column names are quoted when, and only when, they
-- need it: upper case, spaces, double quotes, non-ASCII, leading digits,
-- reserved words.  Unreserved keywords stay bare.
SET client_min_messages = warning;

CREATE SCHEMA "Sch ema";
CREATE SCHEMA "select";
CREATE SCHEMA "UPPER";
CREATE SCHEMA "schéma";
CREATE SCHEMA lower_s;
CREATE TABLE "Sch ema"."My""Table" (
    "Id" int PRIMARY KEY,
    "col with space" text,
    "select" int,
    "Mixed" int,
    value int,
    "time" int,
    "a$b" int,
    "1st" int,
    "x""y" int,
    "ümläut" int,
    plain_col int
);
CREATE TABLE "select"."from" ("order" int, "user" text, "group" int, PRIMARY KEY ("order", "group"));
CREATE TABLE "UPPER"."Full Table" ("A" int, "b b" text);
ALTER TABLE "UPPER"."Full Table" REPLICA IDENTITY FULL;
CREATE TABLE "schéma"."tábla" ("clé" int PRIMARY KEY, "日本" text);
CREATE TABLE lower_s.name (text text PRIMARY KEY, action int, "left" int);

CREATE SCHEMA replica;
CREATE UNLOGGED TABLE replica."My""Table" (LIKE "Sch ema"."My""Table" INCLUDING ALL);
CREATE UNLOGGED TABLE replica."from" (LIKE "select"."from" INCLUDING ALL);
CREATE UNLOGGED TABLE replica."Full Table" (LIKE "UPPER"."Full Table" INCLUDING ALL);
CREATE UNLOGGED TABLE replica."tábla" (LIKE "schéma"."tábla" INCLUDING ALL);
CREATE UNLOGGED TABLE replica.name (LIKE lower_s.name INCLUDING ALL);

SELECT 'init' FROM pg_create_logical_replication_slot('identifiers_slot', 'decoder_raw');

INSERT INTO "Sch ema"."My""Table" VALUES (1, 'a', 2, 3, 4, 5, 6, 7, 8, 9, 10);
UPDATE "Sch ema"."My""Table" SET "Id" = 2, "x""y" = 80 WHERE "Id" = 1;
DELETE FROM "Sch ema"."My""Table";
INSERT INTO "select"."from" VALUES (1, 'u', 2);
UPDATE "select"."from" SET "user" = 'v';
DELETE FROM "select"."from";
INSERT INTO "UPPER"."Full Table" VALUES (1, 'x'), (1, 'x');
UPDATE "UPPER"."Full Table" SET "b b" = 'y' WHERE ctid = (SELECT min(ctid) FROM "UPPER"."Full Table");
DELETE FROM "UPPER"."Full Table" WHERE "b b" = 'x';
INSERT INTO "schéma"."tábla" VALUES (1, 'v');
UPDATE "schéma"."tábla" SET "日本" = 'w';
DELETE FROM "schéma"."tábla";
INSERT INTO lower_s.name VALUES ('k', 1, 2);
UPDATE lower_s.name SET "left" = 3;
DELETE FROM lower_s.name;
TRUNCATE "Sch ema"."My""Table", "select"."from", "schéma"."tábla", lower_s.name;

SELECT data FROM pg_logical_slot_peek_changes('identifiers_slot', NULL, NULL, 'skip-empty-xacts', '1');
SELECT split_part(data, ' ', 1) AS command, replay(data) AS rows_changed
  FROM pg_logical_slot_get_changes('identifiers_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                   'include-transaction', '0')
 WHERE data NOT LIKE 'TRUNCATE %';
SELECT * FROM replica."Full Table";
SELECT (SELECT count(*) FROM replica."My""Table") + (SELECT count(*) FROM replica."from") +
       (SELECT count(*) FROM replica."tábla") + (SELECT count(*) FROM replica.name) AS other_rows;

-- A renamed table and column are written under their new names.
CREATE TABLE lower_s.before (id int PRIMARY KEY, c int);
INSERT INTO lower_s.before VALUES (1, 1);
ALTER TABLE lower_s.before RENAME TO "After";
ALTER TABLE lower_s."After" RENAME COLUMN c TO "C";
ALTER SCHEMA lower_s RENAME TO "Lower S";
UPDATE "Lower S"."After" SET "C" = 2;
SELECT data FROM pg_logical_slot_get_changes('identifiers_slot', NULL, NULL, 'skip-empty-xacts', '1');

SELECT pg_drop_replication_slot('identifiers_slot');
DROP SCHEMA "Sch ema", "select", "UPPER", "schéma", "Lower S", replica CASCADE;
