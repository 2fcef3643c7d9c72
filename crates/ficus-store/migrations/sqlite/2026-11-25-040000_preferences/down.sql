ALTER TABLE users DROP COLUMN pref_hide_freeforms;
ALTER TABLE users DROP COLUMN pref_hide_warnings;
ALTER TABLE users DROP COLUMN pref_full_work;
ALTER TABLE users DROP COLUMN pref_skip_adult;
