CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    login TEXT NOT NULL,
    login_key TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'user',
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE pseuds (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (user_id, name_key)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE throttles (
    bucket TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

-- A creator on a byline is either a bare name (imported works, unique by
-- name) or an account's pseud (unique by pseud).
DROP INDEX creators_name_key_idx;
ALTER TABLE creators ADD COLUMN pseud_id BIGINT REFERENCES pseuds (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX creators_unlinked_name_idx ON creators (name_key) WHERE pseud_id IS NULL;
CREATE UNIQUE INDEX creators_pseud_idx ON creators (pseud_id) WHERE pseud_id IS NOT NULL;
