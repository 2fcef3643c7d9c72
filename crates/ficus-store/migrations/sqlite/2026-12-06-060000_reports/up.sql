-- An account's standing: suspended until a time, or banned (it can read,
-- not post, comment or leave kudos).
ALTER TABLE users ADD COLUMN suspended_until TIMESTAMP;
ALTER TABLE users ADD COLUMN banned BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN standing_reason TEXT;

-- Reports to the moderators: a work, a comment or an account (target_kind
-- 'work', 'comment', 'user'), why, by whom (an account, or a guest's
-- e-mail), and how a moderator resolved it.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target_kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    reporter_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    reporter_email TEXT NOT NULL,
    reason TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    resolved_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    resolution TEXT
);
CREATE INDEX reports_by_target ON reports (target_kind, target_id, created_at);
CREATE INDEX reports_by_email ON reports (reporter_email, created_at);
CREATE INDEX reports_open ON reports (resolved_at, id);
