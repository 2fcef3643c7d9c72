-- SQLite cannot drop a column with a foreign key: the table is rebuilt,
-- and bookmark_tags with it (dropping a table that bookmark_tags points
-- at would empty bookmark_tags by its cascade). Bookmarks of series and
-- external works go.
CREATE TEMPORARY TABLE kept_bookmark_tags AS
    SELECT bookmark_tags.* FROM bookmark_tags
    JOIN bookmarks ON bookmarks.id = bookmark_tags.bookmark_id
    WHERE bookmarks.kind = 'work';
DROP TABLE bookmark_tags;
CREATE TABLE bookmarks_of_works (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    pseud_id BIGINT NOT NULL REFERENCES pseuds (id) ON DELETE CASCADE,
    work_id BIGINT REFERENCES works (id) ON DELETE SET NULL,
    notes TEXT NOT NULL DEFAULT '',
    private BOOLEAN NOT NULL DEFAULT 0,
    rec BOOLEAN NOT NULL DEFAULT 0,
    hidden_by_admin BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO bookmarks_of_works
    SELECT id, user_id, pseud_id, work_id, notes, private, rec, hidden_by_admin, created_at, updated_at
    FROM bookmarks WHERE kind = 'work';
DROP TABLE bookmarks;
ALTER TABLE bookmarks_of_works RENAME TO bookmarks;
CREATE UNIQUE INDEX bookmarks_once_per_account ON bookmarks (user_id, work_id);
CREATE INDEX bookmarks_by_user ON bookmarks (user_id, created_at, id);
CREATE INDEX bookmarks_by_work ON bookmarks (work_id, created_at, id);
CREATE TABLE bookmark_tags (
    bookmark_id BIGINT NOT NULL REFERENCES bookmarks (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (bookmark_id, tag_id)
);
CREATE INDEX bookmark_tags_by_tag ON bookmark_tags (tag_id, bookmark_id);
INSERT INTO bookmark_tags SELECT * FROM kept_bookmark_tags;
DROP TABLE kept_bookmark_tags;
DROP TABLE external_work_tags;
DROP TABLE external_works;
