DROP TRIGGER bookmark_tags_log_delete;
DROP TRIGGER bookmark_tags_log_insert;
DROP TRIGGER bookmarks_log_delete;
DROP TRIGGER bookmarks_log_update;
DROP TRIGGER bookmarks_log_insert;
