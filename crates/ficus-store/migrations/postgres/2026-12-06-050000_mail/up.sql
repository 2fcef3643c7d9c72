-- E-mail about feedback: comments 'immediate' (AO3's way), 'daily' (one
-- digest a day) or 'off'; kudos 'daily' or 'off'.
ALTER TABLE users ADD COLUMN pref_comment_mail TEXT NOT NULL DEFAULT 'immediate';
ALTER TABLE users ADD COLUMN pref_kudos_mail TEXT NOT NULL DEFAULT 'daily';

-- The mail queue: a job per message to send, written in the transaction
-- of the change it tells about, so none is lost. A node takes a job by
-- setting its lease (a compare-and-set, so two nodes never take the same
-- one), sends it, and marks it sent; a failure sets the next attempt
-- later (backoff). Digests: one job per recipient, kind and day, due when
-- the day is over.
CREATE TABLE mail_jobs (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    comment_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    day DATE,
    created_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT
);
CREATE UNIQUE INDEX mail_jobs_one_digest ON mail_jobs (user_id, kind, day);
CREATE INDEX mail_jobs_due ON mail_jobs (sent_at, due_at);
