-- A co-creator appears on a work only after accepting.
CREATE TABLE creator_invitations (
    work_id BIGINT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    pseud_id BIGINT NOT NULL REFERENCES pseuds (id) ON DELETE CASCADE,
    invited_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (work_id, pseud_id)
);
CREATE INDEX creator_invitations_pseud_idx ON creator_invitations (pseud_id);
