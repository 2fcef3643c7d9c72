-- Subscriptions: an account follows a work (new chapters), a series (new
-- works), an account (new works) or a tag (new works carrying it, a
-- synonym or a subtag). One per account and target.
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX subscriptions_once ON subscriptions (user_id, kind, target_id);
CREATE INDEX subscriptions_by_target ON subscriptions (kind, target_id, user_id);

-- What posting a work or a chapter owes its subscribers: queued in the
-- posting transaction (one row, so the writer is answered at once), then
-- fanned out in batches by a background worker (leased, so one node
-- does each).
CREATE TABLE fanout_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    work_id BIGINT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    chapter_id BIGINT NOT NULL REFERENCES chapters (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    done_at TIMESTAMP
);
CREATE UNIQUE INDEX fanout_jobs_once ON fanout_jobs (chapter_id);
CREATE INDEX fanout_jobs_due ON fanout_jobs (done_at, id);

-- A subscriber's updates: a new work or chapter, once each, with the
-- subscription that brought it.
CREATE TABLE subscription_updates (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    chapter_id BIGINT NOT NULL REFERENCES chapters (id) ON DELETE CASCADE,
    work_id BIGINT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    reason TEXT NOT NULL,
    is_read BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, chapter_id)
);
CREATE INDEX subscription_updates_by_user ON subscription_updates (user_id, created_at);
