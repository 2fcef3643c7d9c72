ALTER TABLE works ADD COLUMN hidden BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    work_id BIGINT,
    detail TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC, id DESC);
