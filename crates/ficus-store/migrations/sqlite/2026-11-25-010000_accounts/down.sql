DROP INDEX creators_pseud_idx;
DROP INDEX creators_unlinked_name_idx;
ALTER TABLE creators DROP COLUMN pseud_id;
CREATE UNIQUE INDEX creators_name_key_idx ON creators (name_key);
DROP TABLE throttles;
DROP TABLE sessions;
DROP TABLE pseuds;
DROP TABLE users;
