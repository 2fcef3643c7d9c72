DROP TRIGGER comments_version_chapter;
DROP TRIGGER comments_version_pseud_gone;
DROP TRIGGER comments_version_pseud;
DROP TRIGGER comments_version_user_gone;
DROP TRIGGER comments_version_user;
DROP TRIGGER comments_version_delete;
DROP TRIGGER comments_version_update;
DROP TRIGGER comments_version_insert;
ALTER TABLE works DROP COLUMN comments_version;
