-- Bookmarks of works: one per account per work (a unique index, so a
-- double click or a race never makes two). A bookmark outlives its work:
-- work_id becomes NULL and its owner sees AO3's "deleted" placeholder.
-- works.bookmarks_count counts the public ones (not private, not hidden
-- by an admin) and moves in the same transaction as the bookmark.
CREATE TABLE bookmarks (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    pseud_id BIGINT NOT NULL REFERENCES pseuds (id) ON DELETE CASCADE,
    work_id BIGINT REFERENCES works (id) ON DELETE SET NULL,
    notes TEXT NOT NULL DEFAULT '',
    private BOOLEAN NOT NULL DEFAULT FALSE,
    rec BOOLEAN NOT NULL DEFAULT FALSE,
    hidden_by_admin BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX bookmarks_once_per_account ON bookmarks (user_id, work_id);
CREATE INDEX bookmarks_by_user ON bookmarks (user_id, created_at, id);
CREATE INDEX bookmarks_by_work ON bookmarks (work_id, created_at, id);

-- The bookmarker's own tags, in their order.
CREATE TABLE bookmark_tags (
    bookmark_id BIGINT NOT NULL REFERENCES bookmarks (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (bookmark_id, tag_id)
);
CREATE INDEX bookmark_tags_by_tag ON bookmark_tags (tag_id, bookmark_id);
