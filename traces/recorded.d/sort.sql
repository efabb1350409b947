-- Input of rec-sqlite3-sort (traces/recorded.mk): an in-memory table indexed on a text column
-- and sorted twice; each sort's buffer grows to the size of the last one.
CREATE TABLE t(a INTEGER, b TEXT, c INTEGER);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
INSERT INTO t SELECT i, hex(i * 2654435761 % 4294967291), i % 97 FROM n;
CREATE INDEX t_b ON t(b);
SELECT c, count(*), max(b) FROM t GROUP BY c ORDER BY 2 DESC LIMIT 3;
