-- A work's index document carries what its public bookmarks say (that it
-- is bookmarked, rec, with notes, the bookmarkers' tags, the latest
-- bookmark's date) for the bookmark listings, so a bookmark's change
-- re-indexes its work. (A change of the public count also updates the
-- works row, which logs it too; replaying an entry twice is harmless.)
CREATE FUNCTION ficus_log_bookmark_row() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.work_id IS NOT NULL THEN
            INSERT INTO index_log (work_id) VALUES (OLD.work_id);
        END IF;
    ELSIF NEW.work_id IS NOT NULL THEN
        INSERT INTO index_log (work_id) VALUES (NEW.work_id);
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER bookmarks_log AFTER INSERT OR UPDATE OR DELETE ON bookmarks
FOR EACH ROW EXECUTE FUNCTION ficus_log_bookmark_row();

CREATE FUNCTION ficus_log_bookmark_tag_row() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO index_log (work_id)
            SELECT work_id FROM bookmarks WHERE id = OLD.bookmark_id AND work_id IS NOT NULL;
    ELSE
        INSERT INTO index_log (work_id)
            SELECT work_id FROM bookmarks WHERE id = NEW.bookmark_id AND work_id IS NOT NULL;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER bookmark_tags_log AFTER INSERT OR DELETE ON bookmark_tags
FOR EACH ROW EXECUTE FUNCTION ficus_log_bookmark_tag_row();
