-- Inboxes: one row per recipient and comment (comments on your works,
-- replies to your comments). Read and replied-to are the recipient's
-- marks; deleting a row takes the comment out of that inbox only.
CREATE TABLE inbox_items (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    comment_id BIGINT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    is_read BOOLEAN NOT NULL DEFAULT 0,
    replied_to BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, comment_id)
);
CREATE INDEX inbox_items_by_user ON inbox_items (user_id, created_at);
CREATE INDEX inbox_items_by_comment ON inbox_items (comment_id);
