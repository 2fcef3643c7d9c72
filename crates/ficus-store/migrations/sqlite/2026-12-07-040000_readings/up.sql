-- Reading history (on by default; "Turn on History." in preferences) and
-- Mark for Later. A row per account and work: when it was last read, how
-- often, the work's updated_at as it was then (to say "Update
-- available."), and whether it is marked for later. Views are written in
-- batches by the web nodes (like hits), never on the page's path.
ALTER TABLE users ADD COLUMN pref_history BOOLEAN NOT NULL DEFAULT 1;
CREATE TABLE readings (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    work_id BIGINT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    last_viewed TIMESTAMP NOT NULL,
    view_count BIGINT NOT NULL DEFAULT 0,
    read_version TIMESTAMP,
    to_read BOOLEAN NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, work_id)
);
CREATE INDEX readings_by_user ON readings (user_id, last_viewed);
CREATE INDEX readings_by_work ON readings (work_id);
