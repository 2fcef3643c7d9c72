DROP TABLE readings;
ALTER TABLE users DROP COLUMN pref_history;
