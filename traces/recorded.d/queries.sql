-- Input of rec-sqlite3-queries (traces/recorded.mk): an in-memory database built from a
-- recursive CTE, indexed, queried, updated and partly deleted.
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, grp INTEGER, price REAL, note TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
INSERT INTO item SELECT i, 'item' || i, i % 97, (i * 7919 % 10007) / 100.0,
                        substr(hex(i * 2654435761), 1, 4 + i % 24) FROM n;
CREATE INDEX item_grp ON item(grp, price);
CREATE TABLE tag(item INTEGER, tag TEXT);
INSERT INTO tag SELECT id, 'tag' || (id % 13) FROM item WHERE id % 3 = 0;
SELECT grp, count(*), round(avg(price), 2) FROM item GROUP BY grp ORDER BY 3 DESC LIMIT 5;
SELECT t.tag, count(*) FROM item i JOIN tag t ON t.item = i.id WHERE i.price > 50
 GROUP BY t.tag ORDER BY t.tag;
UPDATE item SET note = note || note WHERE grp < 20;
DELETE FROM item WHERE id % 5 = 0;
SELECT count(*), sum(length(note)) FROM item;
SELECT name FROM item WHERE note LIKE '%AB%' ORDER BY price DESC, id LIMIT 3;
