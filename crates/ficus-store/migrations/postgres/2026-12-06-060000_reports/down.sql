DROP TABLE reports;
ALTER TABLE users DROP COLUMN standing_reason;
ALTER TABLE users DROP COLUMN banned;
ALTER TABLE users DROP COLUMN suspended_until;
