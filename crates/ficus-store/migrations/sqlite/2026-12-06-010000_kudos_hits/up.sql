-- Kudos: one per account per work, one per guest visitor per work. A
-- guest is known only by a keyed hash of the address (guest_key), cleared
-- after a while; a deleted account's kudos stay as a guest's.
CREATE TABLE kudos (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    work_id BIGINT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    guest_key TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX kudos_once_per_account ON kudos (work_id, user_id);
CREATE UNIQUE INDEX kudos_once_per_guest ON kudos (work_id, guest_key);
CREATE INDEX kudos_by_user ON kudos (user_id);

-- Hits: one per visitor per work per day. Rows of past days are deleted.
CREATE TABLE hit_visits (
    day DATE NOT NULL,
    work_id BIGINT NOT NULL,
    visitor TEXT NOT NULL,
    PRIMARY KEY (day, work_id, visitor)
);

-- Daily counts per work, for the creators' statistics.
CREATE TABLE work_daily_stats (
    work_id BIGINT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    hits BIGINT NOT NULL DEFAULT 0,
    kudos BIGINT NOT NULL DEFAULT 0,
    comments BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (work_id, day)
);
