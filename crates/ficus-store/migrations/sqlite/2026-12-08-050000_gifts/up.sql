-- Gifts: a work given to an account's pseud, or to a name that is not an
-- account (at most 100 characters). One gift per recipient per work; the
-- recipient may refuse it (it leaves their gifts page and the work's
-- byline area, and stays listed for them under "refused").
CREATE TABLE gifts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    work_id BIGINT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    pseud_id BIGINT REFERENCES pseuds (id) ON DELETE CASCADE,
    recipient_name TEXT,
    rejected BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX gifts_once_per_pseud ON gifts (work_id, pseud_id);
CREATE UNIQUE INDEX gifts_once_per_name ON gifts (work_id, recipient_name);
CREATE INDEX gifts_by_pseud ON gifts (pseud_id);

-- "Allow anyone to gift me works.": off for new accounts (as AO3 since
-- 2022), on for the accounts there already (as AO3 did for its existing
-- users).
ALTER TABLE users ADD COLUMN pref_allow_gifts BOOLEAN NOT NULL DEFAULT 0;
UPDATE users SET pref_allow_gifts = 1;
