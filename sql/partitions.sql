-- Partitioned tables: changes are written for the leaf partition that
-- holds the row.  Inheritance: a parent with children is written with
-- ONLY, so that replaying it does not touch the children's rows.
SET client_min_messages = warning;

CREATE SCHEMA replica;
-- Builds the same tables in schema replica, unlogged so that their own
-- changes are not decoded.
CREATE FUNCTION make_tables(s name) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE %I.part (id int, k text, v text, PRIMARY KEY (id, k)) PARTITION BY LIST (k)', s);
    EXECUTE format('CREATE %s TABLE %I.part_a PARTITION OF %I.part FOR VALUES IN (''a'')',
                   CASE WHEN s = 'replica' THEN 'UNLOGGED' ELSE '' END, s, s);
    -- a partition whose columns are in another order, with a dropped one
    EXECUTE format('CREATE %s TABLE %I.part_b (v text, gone int, k text NOT NULL, id int NOT NULL)',
                   CASE WHEN s = 'replica' THEN 'UNLOGGED' ELSE '' END, s);
    EXECUTE format('ALTER TABLE %I.part_b DROP COLUMN gone', s);
    EXECUTE format('ALTER TABLE %I.part ATTACH PARTITION %I.part_b FOR VALUES IN (''b'')', s, s);
    -- a sub-partitioned partition
    EXECUTE format('CREATE TABLE %I.part_c PARTITION OF %I.part FOR VALUES IN (''c'') PARTITION BY RANGE (id)', s, s);
    EXECUTE format('CREATE %s TABLE %I.part_c1 PARTITION OF %I.part_c FOR VALUES FROM (MINVALUE) TO (100)',
                   CASE WHEN s = 'replica' THEN 'UNLOGGED' ELSE '' END, s, s);
    EXECUTE format('CREATE %s TABLE %I.part_c2 PARTITION OF %I.part_c FOR VALUES FROM (100) TO (MAXVALUE)',
                   CASE WHEN s = 'replica' THEN 'UNLOGGED' ELSE '' END, s, s);
    EXECUTE format('CREATE %s TABLE %I.part_def PARTITION OF %I.part DEFAULT',
                   CASE WHEN s = 'replica' THEN 'UNLOGGED' ELSE '' END, s, s);

    EXECUTE format('CREATE %s TABLE %I.inh_p (id int PRIMARY KEY, v text)',
                   CASE WHEN s = 'replica' THEN 'UNLOGGED' ELSE '' END, s);
    EXECUTE format('CREATE %s TABLE %I.inh_c (extra int, PRIMARY KEY (id)) INHERITS (%I.inh_p)',
                   CASE WHEN s = 'replica' THEN 'UNLOGGED' ELSE '' END, s, s);
    EXECUTE format('CREATE %s TABLE %I.inh_full (a int, b text)',
                   CASE WHEN s = 'replica' THEN 'UNLOGGED' ELSE '' END, s);
    EXECUTE format('ALTER TABLE %I.inh_full REPLICA IDENTITY FULL', s);
    EXECUTE format('CREATE %s TABLE %I.inh_full_c () INHERITS (%I.inh_full)',
                   CASE WHEN s = 'replica' THEN 'UNLOGGED' ELSE '' END, s, s);
    EXECUTE format('ALTER TABLE %I.inh_full_c REPLICA IDENTITY FULL', s);
END
$$;
SELECT make_tables('public');
SELECT make_tables('replica');

SELECT 'init' FROM pg_create_logical_replication_slot('partitions_slot', 'decoder_raw');

INSERT INTO part VALUES (1, 'a', 'one'), (2, 'b', 'two'), (3, 'c', 'three'), (300, 'c', 'big'), (4, 'z', 'other');
UPDATE part SET v = 'uno' WHERE id = 1;
UPDATE part SET v = 'dos' WHERE id = 2;
-- moves between partitions: a DELETE from one, an INSERT into the other
UPDATE part SET k = 'b' WHERE id = 1;
UPDATE part SET id = 301 WHERE id = 3;
DELETE FROM part WHERE id = 4;
-- through a partition directly
INSERT INTO part_c VALUES (5, 'c', 'five');
UPDATE part_b SET v = 'deux' WHERE id = 2;

-- the same key in the parent and in a child
INSERT INTO inh_p VALUES (1, 'parent');
INSERT INTO inh_c VALUES (1, 'child', 10);
UPDATE inh_p SET v = 'parent 2' WHERE id = 1 AND tableoid = 'inh_p'::regclass;
UPDATE inh_p SET v = 'child 2' WHERE id = 1 AND tableoid = 'inh_c'::regclass;
UPDATE inh_c SET extra = 11;
DELETE FROM ONLY inh_p WHERE id = 1;
INSERT INTO inh_full VALUES (1, 'x');
INSERT INTO inh_full_c VALUES (1, 'x');
UPDATE ONLY inh_full SET b = 'y';
DELETE FROM ONLY inh_full;

SELECT data FROM pg_logical_slot_peek_changes('partitions_slot', NULL, NULL, 'skip-empty-xacts', '1');
SELECT split_part(data, ' ', 1) AS command, replay(data) AS rows_changed
  FROM pg_logical_slot_get_changes('partitions_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                   'include-transaction', '0');
SELECT tableoid::regclass, * FROM replica.part ORDER BY id;
SELECT tableoid::regclass, * FROM replica.inh_p ORDER BY tableoid::regclass::text;
SELECT tableoid::regclass, * FROM replica.inh_full ORDER BY tableoid::regclass::text;
SELECT count(*) AS differing FROM (
  (SELECT tableoid::regclass::text, * FROM public.part EXCEPT ALL
   SELECT replace(tableoid::regclass::text, 'replica.', ''), * FROM replica.part) UNION ALL
  (SELECT replace(tableoid::regclass::text, 'replica.', ''), * FROM replica.part EXCEPT ALL
   SELECT tableoid::regclass::text, * FROM public.part)) d;

SELECT pg_drop_replication_slot('partitions_slot');
DROP TABLE part, inh_p, inh_c, inh_full, inh_full_c;
DROP SCHEMA replica CASCADE;
DROP FUNCTION make_tables(name);
