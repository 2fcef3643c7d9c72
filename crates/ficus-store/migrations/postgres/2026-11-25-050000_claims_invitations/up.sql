-- One-use links that attach an imported creator name's works to a pseud.
CREATE TABLE claims (
    token_hash TEXT PRIMARY KEY NOT NULL,
    creator_id BIGINT NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

-- Archive-wide settings (e.g. sign-ups open or by invitation).
CREATE TABLE settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- One-use sign-up invitation codes (stored hashed).
CREATE TABLE invitation_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    created_at TIMESTAMP NOT NULL,
    used_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    used_at TIMESTAMP
);
