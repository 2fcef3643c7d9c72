-- Every node keeps guests' work pages rendered and drops one when the
-- change log names its work (see ficus-web's page_cache). The works row
-- and its counts, creators, tags, series, bookmarks and collection places
-- are logged already; these log the rest a work page shows. An entry
-- that names neither a work nor a tag means "every page" (the indexer
-- skips it): a renamed or deleted account or pseud (bylines, kudos
-- names, gift recipients) and the archive's settings (the guest-comment
-- switch) are rare, and change pages of any work.

-- ficus_log_work_creators_row() (discovery migration) logs the work_id of
-- the row.
CREATE TRIGGER chapters_log AFTER UPDATE OR DELETE ON chapters
FOR EACH ROW EXECUTE FUNCTION ficus_log_work_creators_row();
CREATE TRIGGER gifts_log AFTER INSERT OR UPDATE OR DELETE ON gifts
FOR EACH ROW EXECUTE FUNCTION ficus_log_work_creators_row();

CREATE FUNCTION ficus_log_collection_change() RETURNS trigger AS $$
BEGIN
    INSERT INTO index_log (work_id) SELECT work_id FROM collection_items WHERE collection_id = NEW.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER collections_log_update AFTER UPDATE ON collections
FOR EACH ROW EXECUTE FUNCTION ficus_log_collection_change();

CREATE FUNCTION ficus_log_every_page() RETURNS trigger AS $$
BEGIN
    INSERT INTO index_log (work_id) VALUES (NULL);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER settings_log AFTER INSERT OR UPDATE OR DELETE ON settings
FOR EACH ROW EXECUTE FUNCTION ficus_log_every_page();
CREATE TRIGGER users_log_rename AFTER UPDATE OF login ON users
FOR EACH ROW EXECUTE FUNCTION ficus_log_every_page();
CREATE TRIGGER users_log_delete AFTER DELETE ON users
FOR EACH ROW EXECUTE FUNCTION ficus_log_every_page();
CREATE TRIGGER pseuds_log_rename AFTER UPDATE OF name ON pseuds
FOR EACH ROW EXECUTE FUNCTION ficus_log_every_page();
CREATE TRIGGER pseuds_log_delete AFTER DELETE ON pseuds
FOR EACH ROW EXECUTE FUNCTION ficus_log_every_page();
