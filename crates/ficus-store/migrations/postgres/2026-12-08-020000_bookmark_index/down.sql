DROP TRIGGER bookmark_tags_log ON bookmark_tags;
DROP FUNCTION ficus_log_bookmark_tag_row();
DROP TRIGGER bookmarks_log ON bookmarks;
DROP FUNCTION ficus_log_bookmark_row();
