ALTER TABLE users DROP COLUMN pref_allow_gifts;
DROP TABLE gifts;
