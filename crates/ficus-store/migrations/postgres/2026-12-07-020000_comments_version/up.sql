-- A work's comments version: it moves whenever anything its comment
-- threads show may have changed (a comment written, edited, moderated or
-- deleted; a commenter's login, pseud name or guest-replies preference;
-- a chapter's position), so a rendered page of comments can be cached
-- under it and is never shown stale. Triggers keep it, in the same
-- transaction as the change, whichever code path makes the change.
ALTER TABLE works ADD COLUMN comments_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION ficus_comments_version_row() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE works SET comments_version = comments_version + 1 WHERE id = OLD.work_id;
    ELSE
        UPDATE works SET comments_version = comments_version + 1 WHERE id = NEW.work_id;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER comments_version_insert_delete AFTER INSERT OR DELETE ON comments
FOR EACH ROW EXECUTE FUNCTION ficus_comments_version_row();
CREATE TRIGGER comments_version_update AFTER UPDATE OF
    body, edited_at, unreviewed, hidden, deleted, frozen, spam, user_id, pseud_id, guest_name, chapter_id, parent_id
    ON comments
FOR EACH ROW EXECUTE FUNCTION ficus_comments_version_row();
CREATE TRIGGER comments_version_chapter AFTER UPDATE OF position ON chapters
FOR EACH ROW EXECUTE FUNCTION ficus_comments_version_row();

-- An account's (or pseud's) name or preference: every work it commented on.
CREATE FUNCTION ficus_comments_version_user() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE works SET comments_version = comments_version + 1
        WHERE id IN (SELECT work_id FROM comments WHERE user_id = OLD.id);
        RETURN OLD;
    END IF;
    UPDATE works SET comments_version = comments_version + 1
    WHERE id IN (SELECT work_id FROM comments WHERE user_id = NEW.id);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER comments_version_user AFTER UPDATE OF login, pref_guest_replies_off ON users
FOR EACH ROW EXECUTE FUNCTION ficus_comments_version_user();
CREATE TRIGGER comments_version_user_gone BEFORE DELETE ON users
FOR EACH ROW EXECUTE FUNCTION ficus_comments_version_user();

CREATE FUNCTION ficus_comments_version_pseud() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE works SET comments_version = comments_version + 1
        WHERE id IN (SELECT work_id FROM comments WHERE user_id = OLD.user_id);
        RETURN OLD;
    END IF;
    UPDATE works SET comments_version = comments_version + 1
    WHERE id IN (SELECT work_id FROM comments WHERE user_id = NEW.user_id);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER comments_version_pseud AFTER UPDATE OF name ON pseuds
FOR EACH ROW EXECUTE FUNCTION ficus_comments_version_pseud();
CREATE TRIGGER comments_version_pseud_gone BEFORE DELETE ON pseuds
FOR EACH ROW EXECUTE FUNCTION ficus_comments_version_pseud();
