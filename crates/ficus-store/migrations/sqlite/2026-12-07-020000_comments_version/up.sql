-- A work's comments version: it moves whenever anything its comment
-- threads show may have changed (a comment written, edited, moderated or
-- deleted; a commenter's login, pseud name or guest-replies preference;
-- a chapter's position), so a rendered page of comments can be cached
-- under it and is never shown stale. Triggers keep it, in the same
-- transaction as the change, whichever code path makes the change.
ALTER TABLE works ADD COLUMN comments_version BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER comments_version_insert AFTER INSERT ON comments
BEGIN UPDATE works SET comments_version = comments_version + 1 WHERE id = NEW.work_id; END;
CREATE TRIGGER comments_version_update AFTER UPDATE OF
    body, edited_at, unreviewed, hidden, deleted, frozen, spam, user_id, pseud_id, guest_name, chapter_id, parent_id
    ON comments
BEGIN UPDATE works SET comments_version = comments_version + 1 WHERE id = NEW.work_id; END;
CREATE TRIGGER comments_version_delete AFTER DELETE ON comments
BEGIN UPDATE works SET comments_version = comments_version + 1 WHERE id = OLD.work_id; END;
CREATE TRIGGER comments_version_user AFTER UPDATE OF login, pref_guest_replies_off ON users
BEGIN UPDATE works SET comments_version = comments_version + 1
      WHERE id IN (SELECT work_id FROM comments WHERE user_id = NEW.id); END;
CREATE TRIGGER comments_version_user_gone BEFORE DELETE ON users
BEGIN UPDATE works SET comments_version = comments_version + 1
      WHERE id IN (SELECT work_id FROM comments WHERE user_id = OLD.id); END;
CREATE TRIGGER comments_version_pseud AFTER UPDATE OF name ON pseuds
BEGIN UPDATE works SET comments_version = comments_version + 1
      WHERE id IN (SELECT work_id FROM comments WHERE user_id = NEW.user_id); END;
CREATE TRIGGER comments_version_pseud_gone BEFORE DELETE ON pseuds
BEGIN UPDATE works SET comments_version = comments_version + 1
      WHERE id IN (SELECT work_id FROM comments WHERE user_id = OLD.user_id); END;
CREATE TRIGGER comments_version_chapter AFTER UPDATE OF position ON chapters
BEGIN UPDATE works SET comments_version = comments_version + 1 WHERE id = NEW.work_id; END;
