-- Discovery: counters to sort on, tag wrangling, the index change log,
-- and readers' saved exclusions.

ALTER TABLE works ADD COLUMN kudos_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE works ADD COLUMN hits_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE works ADD COLUMN comments_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE works ADD COLUMN bookmarks_count BIGINT NOT NULL DEFAULT 0;

-- A synonym points at its canonical tag of the same type.
ALTER TABLE tags ADD COLUMN merger_id BIGINT REFERENCES tags (id) ON DELETE SET NULL;
CREATE INDEX tags_merger_idx ON tags (merger_id);

-- Meta tag / subtag pairs (same type, both canonical).
CREATE TABLE meta_taggings (
    meta_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    sub_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (meta_id, sub_id)
);
CREATE INDEX meta_taggings_sub_idx ON meta_taggings (sub_id);

-- Parent tags across types (character -> fandom, fandom -> media, ...).
CREATE TABLE tag_parents (
    parent_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    child_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (parent_id, child_id)
);
CREATE INDEX tag_parents_child_idx ON tag_parents (child_id);

-- The ordered change log the search indexers consume. A row names a work
-- whose index document may be stale, or a tag whose wrangling changed.
-- Written by triggers, in the same transaction as the change itself.
CREATE TABLE index_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    work_id BIGINT,
    tag_id BIGINT
);

-- Each index (one per web node) records how far it has consumed the log.
CREATE TABLE index_consumers (
    name TEXT PRIMARY KEY NOT NULL,
    acked_seq BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TRIGGER works_log_insert AFTER INSERT ON works
BEGIN INSERT INTO index_log (work_id) VALUES (NEW.id); END;
CREATE TRIGGER works_log_update AFTER UPDATE ON works
BEGIN INSERT INTO index_log (work_id) VALUES (NEW.id); END;
CREATE TRIGGER works_log_delete AFTER DELETE ON works
BEGIN INSERT INTO index_log (work_id) VALUES (OLD.id); END;
CREATE TRIGGER work_creators_log_insert AFTER INSERT ON work_creators
BEGIN INSERT INTO index_log (work_id) VALUES (NEW.work_id); END;
CREATE TRIGGER work_creators_log_delete AFTER DELETE ON work_creators
BEGIN INSERT INTO index_log (work_id) VALUES (OLD.work_id); END;
CREATE TRIGGER creators_log_rename AFTER UPDATE OF name ON creators
BEGIN INSERT INTO index_log (work_id) SELECT work_id FROM work_creators WHERE creator_id = NEW.id; END;
CREATE TRIGGER tags_log_update AFTER UPDATE OF merger_id, canonical, name ON tags
BEGIN INSERT INTO index_log (tag_id) VALUES (NEW.id); END;
CREATE TRIGGER meta_taggings_log_insert AFTER INSERT ON meta_taggings
BEGIN INSERT INTO index_log (tag_id) VALUES (NEW.sub_id); END;
CREATE TRIGGER meta_taggings_log_delete AFTER DELETE ON meta_taggings
BEGIN INSERT INTO index_log (tag_id) VALUES (OLD.sub_id); END;

-- Saved exclusions.
CREATE TABLE muted_tags (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, tag_id)
);
CREATE TABLE muted_creators (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    creator_id BIGINT NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, creator_id)
);
