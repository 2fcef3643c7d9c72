-- Who may comment on a work ('enable_all', 'disable_anon', 'disable_all'
-- as on AO3; registered users only by default) and whether comments wait
-- for a creator's approval.
ALTER TABLE works ADD COLUMN comment_permission TEXT NOT NULL DEFAULT 'disable_anon';
ALTER TABLE works ADD COLUMN moderate_comments BOOLEAN NOT NULL DEFAULT false;

-- A user's preference: guests may not reply to my comments.
ALTER TABLE users ADD COLUMN pref_guest_replies_off BOOLEAN NOT NULL DEFAULT false;

-- Comments on chapters. A thread's root has no parent and thread_id equal
-- to its own id; a reply has its parent's thread_id and depth + 1. An
-- account's comment has user_id and pseud_id; a guest's has guest_name,
-- guest_email (never shown to other users) and visitor_key (a keyed hash
-- of the address, for rate limits; cleared after 90 days).
CREATE TABLE comments (
    id BIGSERIAL PRIMARY KEY,
    work_id BIGINT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    chapter_id BIGINT NOT NULL REFERENCES chapters (id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    thread_id BIGINT NOT NULL,
    depth INTEGER NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    pseud_id BIGINT REFERENCES pseuds (id) ON DELETE SET NULL,
    guest_name TEXT,
    guest_email TEXT,
    visitor_key TEXT,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP,
    unreviewed BOOLEAN NOT NULL DEFAULT false,
    hidden BOOLEAN NOT NULL DEFAULT false,
    deleted BOOLEAN NOT NULL DEFAULT false,
    frozen BOOLEAN NOT NULL DEFAULT false,
    spam BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX comments_threads ON comments (work_id, parent_id, id);
CREATE INDEX comments_by_thread ON comments (thread_id, id);
CREATE INDEX comments_by_chapter ON comments (chapter_id, parent_id, id);
CREATE INDEX comments_by_parent ON comments (parent_id);
CREATE INDEX comments_by_user ON comments (user_id, created_at);
CREATE INDEX comments_by_visitor ON comments (visitor_key, created_at);
CREATE INDEX comments_spam ON comments (spam, id);
