-- Personal API tokens (stored as sha256 of the token) and series.

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- A series belongs to the account that made it (NULL for imported series).
CREATE TABLE series (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    summary TEXT,
    notes TEXT,
    complete BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX series_user_idx ON series (user_id);

CREATE TABLE serial_works (
    series_id BIGINT NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    work_id BIGINT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (series_id, work_id)
);
CREATE INDEX serial_works_work_idx ON serial_works (work_id);

-- Series titles are searched: joining, leaving or renaming a series
-- re-indexes its works.
-- ficus_log_work_creators_row() (discovery migration) logs the work_id of
-- any inserted or deleted row; serial_works has one too.
CREATE TRIGGER serial_works_log AFTER INSERT OR DELETE ON serial_works
FOR EACH ROW EXECUTE FUNCTION ficus_log_work_creators_row();

CREATE FUNCTION ficus_log_series_rename() RETURNS trigger AS $$
BEGIN
    INSERT INTO index_log (work_id) SELECT work_id FROM serial_works WHERE series_id = NEW.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER series_log_rename AFTER UPDATE OF title ON series
FOR EACH ROW EXECUTE FUNCTION ficus_log_series_rename();
