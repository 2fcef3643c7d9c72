-- External works: a work elsewhere on the web, bookmarked by its address
-- (stored and linked, never fetched). One row per address: everyone who
-- bookmarks it bookmarks the same external work; the first bookmarker's
-- details stand.
CREATE TABLE external_works (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    creator TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX external_works_by_url ON external_works (url);

-- Its fandoms, rating, categories, relationships and characters, in order.
CREATE TABLE external_work_tags (
    external_work_id BIGINT NOT NULL REFERENCES external_works (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (external_work_id, tag_id)
);
CREATE INDEX external_work_tags_by_tag ON external_work_tags (tag_id, external_work_id);

-- A bookmark is of a work, a series or an external work (`kind`); the
-- item's id is in the column of its kind, NULL once the item is gone
-- (its owner then sees the "deleted" placeholder). Once per account per
-- item, as for works.
ALTER TABLE bookmarks ADD COLUMN kind TEXT NOT NULL DEFAULT 'work';
ALTER TABLE bookmarks ADD COLUMN series_id BIGINT REFERENCES series (id) ON DELETE SET NULL;
ALTER TABLE bookmarks ADD COLUMN external_work_id BIGINT REFERENCES external_works (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX bookmarks_of_series_once ON bookmarks (user_id, series_id);
CREATE UNIQUE INDEX bookmarks_of_external_works_once ON bookmarks (user_id, external_work_id);
CREATE INDEX bookmarks_by_series ON bookmarks (series_id, created_at, id);
CREATE INDEX bookmarks_by_external_work ON bookmarks (external_work_id, created_at, id);
