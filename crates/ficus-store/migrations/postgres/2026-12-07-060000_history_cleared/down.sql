ALTER TABLE users DROP COLUMN history_cleared_at;
