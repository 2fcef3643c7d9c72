-- A work's index document carries what its public bookmarks say (that it
-- is bookmarked, rec, with notes, the bookmarkers' tags, the latest
-- bookmark's date) for the bookmark listings, so a bookmark's change
-- re-indexes its work. (A change of the public count also updates the
-- works row, which logs it too; replaying an entry twice is harmless.)
CREATE TRIGGER bookmarks_log_insert AFTER INSERT ON bookmarks WHEN NEW.work_id IS NOT NULL
BEGIN INSERT INTO index_log (work_id) VALUES (NEW.work_id); END;
CREATE TRIGGER bookmarks_log_update AFTER UPDATE ON bookmarks WHEN NEW.work_id IS NOT NULL
BEGIN INSERT INTO index_log (work_id) VALUES (NEW.work_id); END;
CREATE TRIGGER bookmarks_log_delete AFTER DELETE ON bookmarks WHEN OLD.work_id IS NOT NULL
BEGIN INSERT INTO index_log (work_id) VALUES (OLD.work_id); END;
CREATE TRIGGER bookmark_tags_log_insert AFTER INSERT ON bookmark_tags
BEGIN INSERT INTO index_log (work_id)
    SELECT work_id FROM bookmarks WHERE id = NEW.bookmark_id AND work_id IS NOT NULL; END;
CREATE TRIGGER bookmark_tags_log_delete AFTER DELETE ON bookmark_tags
BEGIN INSERT INTO index_log (work_id)
    SELECT work_id FROM bookmarks WHERE id = OLD.bookmark_id AND work_id IS NOT NULL; END;
