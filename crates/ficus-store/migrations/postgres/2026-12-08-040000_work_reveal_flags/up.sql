-- Whether a work is in an unrevealed collection (a "Mystery Work" to all
-- but its creators until revealed) or an anonymous one (its creators
-- shown as "Anonymous"): kept from its approved collection items in the
-- same transaction as every change to them, so every read knows without
-- a join.
ALTER TABLE works ADD COLUMN unrevealed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE works ADD COLUMN anonymous BOOLEAN NOT NULL DEFAULT FALSE;
