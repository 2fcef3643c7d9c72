-- Personal API tokens (stored as sha256 of the token) and series.

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- A series belongs to the account that made it (NULL for imported series).
CREATE TABLE series (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
CREATE TRIGGER serial_works_log_insert AFTER INSERT ON serial_works
BEGIN INSERT INTO index_log (work_id) VALUES (NEW.work_id); END;
CREATE TRIGGER serial_works_log_delete AFTER DELETE ON serial_works
BEGIN INSERT INTO index_log (work_id) VALUES (OLD.work_id); END;
CREATE TRIGGER series_log_rename AFTER UPDATE OF title ON series
BEGIN INSERT INTO index_log (work_id) SELECT work_id FROM serial_works WHERE series_id = NEW.id; END;
