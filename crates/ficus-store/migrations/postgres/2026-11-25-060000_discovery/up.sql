-- Discovery: counters to sort on, tag wrangling, the index change log,
-- and readers' saved exclusions. Same shape as the SQLite migration.

ALTER TABLE works ADD COLUMN kudos_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE works ADD COLUMN hits_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE works ADD COLUMN comments_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE works ADD COLUMN bookmarks_count BIGINT NOT NULL DEFAULT 0;

ALTER TABLE tags ADD COLUMN merger_id BIGINT REFERENCES tags (id) ON DELETE SET NULL;
CREATE INDEX tags_merger_idx ON tags (merger_id);

CREATE TABLE meta_taggings (
    meta_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    sub_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (meta_id, sub_id)
);
CREATE INDEX meta_taggings_sub_idx ON meta_taggings (sub_id);

CREATE TABLE tag_parents (
    parent_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    child_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (parent_id, child_id)
);
CREATE INDEX tag_parents_child_idx ON tag_parents (child_id);

CREATE TABLE index_log (
    seq BIGSERIAL PRIMARY KEY,
    work_id BIGINT,
    tag_id BIGINT
);

CREATE TABLE index_consumers (
    name TEXT PRIMARY KEY NOT NULL,
    acked_seq BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE FUNCTION ficus_log_works_row() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO index_log (work_id) VALUES (OLD.id);
    ELSE
        INSERT INTO index_log (work_id) VALUES (NEW.id);
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER works_log AFTER INSERT OR UPDATE OR DELETE ON works
FOR EACH ROW EXECUTE FUNCTION ficus_log_works_row();

CREATE FUNCTION ficus_log_work_creators_row() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO index_log (work_id) VALUES (OLD.work_id);
    ELSE
        INSERT INTO index_log (work_id) VALUES (NEW.work_id);
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER work_creators_log AFTER INSERT OR DELETE ON work_creators
FOR EACH ROW EXECUTE FUNCTION ficus_log_work_creators_row();

CREATE FUNCTION ficus_log_creator_rename() RETURNS trigger AS $$
BEGIN
    INSERT INTO index_log (work_id) SELECT work_id FROM work_creators WHERE creator_id = NEW.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER creators_log_rename AFTER UPDATE OF name ON creators
FOR EACH ROW EXECUTE FUNCTION ficus_log_creator_rename();

CREATE FUNCTION ficus_log_tag_row() RETURNS trigger AS $$
BEGIN
    INSERT INTO index_log (tag_id) VALUES (NEW.id);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER tags_log_update AFTER UPDATE OF merger_id, canonical, name ON tags
FOR EACH ROW EXECUTE FUNCTION ficus_log_tag_row();

CREATE FUNCTION ficus_log_meta_row() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO index_log (tag_id) VALUES (OLD.sub_id);
    ELSE
        INSERT INTO index_log (tag_id) VALUES (NEW.sub_id);
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER meta_taggings_log AFTER INSERT OR DELETE ON meta_taggings
FOR EACH ROW EXECUTE FUNCTION ficus_log_meta_row();

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
