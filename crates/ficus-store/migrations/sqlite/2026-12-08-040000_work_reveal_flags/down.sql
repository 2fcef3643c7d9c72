ALTER TABLE works DROP COLUMN anonymous;
ALTER TABLE works DROP COLUMN unrevealed;
