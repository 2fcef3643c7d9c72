-- Collections: a named group of works that people add to (AO3's
-- collections). `name` is the URL name (letters, digits, underscores;
-- unique by case through name_key). Settings: moderated (items wait for a
-- maintainer's approval unless the poster is a maintainer or member),
-- closed (only maintainers add), unrevealed and anonymous (copied to each
-- item when it is added; revealing clears the items).
CREATE TABLE collections (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    intro TEXT NOT NULL DEFAULT '',
    owner_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    moderated BOOLEAN NOT NULL DEFAULT FALSE,
    closed BOOLEAN NOT NULL DEFAULT FALSE,
    unrevealed BOOLEAN NOT NULL DEFAULT FALSE,
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX collections_by_name ON collections (name_key);
CREATE INDEX collections_by_owner ON collections (owner_id);

-- Who takes part: owner, moderator (maintainers), member (posts without
-- waiting in a moderated collection).
CREATE TABLE collection_participants (
    collection_id BIGINT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (collection_id, user_id)
);
CREATE INDEX collection_participants_by_user ON collection_participants (user_id);

-- A work in a collection: approved by its creator and by the collection
-- (-1 rejected, 0 not yet, 1 approved); it is in the collection when both
-- approve. unrevealed and anonymous are the collection's at the time the
-- item was made, until the collection reveals it.
CREATE TABLE collection_items (
    id BIGSERIAL PRIMARY KEY,
    collection_id BIGINT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    work_id BIGINT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    user_approval INTEGER NOT NULL DEFAULT 0,
    collection_approval INTEGER NOT NULL DEFAULT 0,
    unrevealed BOOLEAN NOT NULL DEFAULT FALSE,
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    added_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX collection_items_once ON collection_items (collection_id, work_id);
CREATE INDEX collection_items_by_work ON collection_items (work_id);

-- A work's place in collections is in its index document (collection
-- listings filter on it): an item's change re-indexes its work.
-- ficus_log_work_creators_row() (discovery migration) logs the work_id of
-- the row inserted, updated or deleted.
CREATE TRIGGER collection_items_log AFTER INSERT OR UPDATE OR DELETE ON collection_items
FOR EACH ROW EXECUTE FUNCTION ficus_log_work_creators_row();
