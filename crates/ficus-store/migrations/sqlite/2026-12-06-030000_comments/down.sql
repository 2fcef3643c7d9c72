DROP TABLE comments;
ALTER TABLE users DROP COLUMN pref_guest_replies_off;
ALTER TABLE works DROP COLUMN moderate_comments;
ALTER TABLE works DROP COLUMN comment_permission;
