-- Every node keeps guests' work pages rendered and drops one when the
-- change log names its work (see ficus-web's page_cache). The works row
-- and its counts, creators, tags, series, bookmarks and collection places
-- are logged already; these log the rest a work page shows. An entry
-- that names neither a work nor a tag means "every page" (the indexer
-- skips it): a renamed or deleted account or pseud (bylines, kudos
-- names, gift recipients) and the archive's settings (the guest-comment
-- switch) are rare, and change pages of any work.
CREATE TRIGGER chapters_log_update AFTER UPDATE ON chapters
BEGIN INSERT INTO index_log (work_id) VALUES (NEW.work_id); END;
CREATE TRIGGER chapters_log_delete AFTER DELETE ON chapters
BEGIN INSERT INTO index_log (work_id) VALUES (OLD.work_id); END;
CREATE TRIGGER gifts_log_insert AFTER INSERT ON gifts
BEGIN INSERT INTO index_log (work_id) VALUES (NEW.work_id); END;
CREATE TRIGGER gifts_log_update AFTER UPDATE ON gifts
BEGIN INSERT INTO index_log (work_id) VALUES (NEW.work_id); END;
CREATE TRIGGER gifts_log_delete AFTER DELETE ON gifts
BEGIN INSERT INTO index_log (work_id) VALUES (OLD.work_id); END;
CREATE TRIGGER collections_log_update AFTER UPDATE ON collections
BEGIN INSERT INTO index_log (work_id) SELECT work_id FROM collection_items WHERE collection_id = NEW.id; END;
CREATE TRIGGER settings_log_insert AFTER INSERT ON settings
BEGIN INSERT INTO index_log (work_id) VALUES (NULL); END;
CREATE TRIGGER settings_log_update AFTER UPDATE ON settings
BEGIN INSERT INTO index_log (work_id) VALUES (NULL); END;
CREATE TRIGGER settings_log_delete AFTER DELETE ON settings
BEGIN INSERT INTO index_log (work_id) VALUES (NULL); END;
CREATE TRIGGER users_log_rename AFTER UPDATE OF login ON users
BEGIN INSERT INTO index_log (work_id) VALUES (NULL); END;
CREATE TRIGGER users_log_delete AFTER DELETE ON users
BEGIN INSERT INTO index_log (work_id) VALUES (NULL); END;
CREATE TRIGGER pseuds_log_rename AFTER UPDATE OF name ON pseuds
BEGIN INSERT INTO index_log (work_id) VALUES (NULL); END;
CREATE TRIGGER pseuds_log_delete AFTER DELETE ON pseuds
BEGIN INSERT INTO index_log (work_id) VALUES (NULL); END;
