-- Logins of deleted accounts, kept out of sign-up for a while so nobody
-- can take a known name at once and pass as its former owner.
CREATE TABLE retired_logins (
    login_key TEXT PRIMARY KEY NOT NULL,
    retired_until TIMESTAMP NOT NULL
);
