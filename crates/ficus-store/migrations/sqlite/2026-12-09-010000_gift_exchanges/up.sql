-- Gift exchanges (a collection's challenge): the settings, the sign-ups
-- with their prompts (requests and offers, each a set of tags), the
-- assignments a matching run makes (a giver's sign-up writes for a
-- recipient's; no giver: it waits for a pinch hitter), and who matching
-- left out and why (the maintainers' match report).
CREATE TABLE gift_exchanges (
    collection_id BIGINT PRIMARY KEY REFERENCES collections (id) ON DELETE CASCADE,
    signup_open BOOLEAN NOT NULL DEFAULT 0,
    signups_open_at TIMESTAMP,
    signups_close_at TIMESTAMP,
    assignments_due_at TIMESTAMP,
    reveal_at TIMESTAMP,
    requests_required INTEGER NOT NULL,
    requests_allowed INTEGER NOT NULL,
    offers_required INTEGER NOT NULL,
    offers_allowed INTEGER NOT NULL,
    match_fandoms INTEGER NOT NULL,
    match_characters INTEGER NOT NULL,
    match_relationships INTEGER NOT NULL,
    match_freeforms INTEGER NOT NULL,
    instructions TEXT NOT NULL DEFAULT '',
    matched_at TIMESTAMP,
    sent_at TIMESTAMP,
    revealed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX gift_exchanges_reveal ON gift_exchanges (reveal_at);

CREATE TABLE challenge_signups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_id BIGINT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    pseud_id BIGINT NOT NULL REFERENCES pseuds (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX challenge_signups_once ON challenge_signups (collection_id, user_id);
CREATE INDEX challenge_signups_by_user ON challenge_signups (user_id);

CREATE TABLE challenge_prompts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    signup_id BIGINT NOT NULL REFERENCES challenge_signups (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    position INTEGER NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);
CREATE INDEX challenge_prompts_by_signup ON challenge_prompts (signup_id);

CREATE TABLE challenge_prompt_tags (
    prompt_id BIGINT NOT NULL REFERENCES challenge_prompts (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (prompt_id, tag_id)
);

CREATE TABLE challenge_assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_id BIGINT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    recipient_signup_id BIGINT NOT NULL REFERENCES challenge_signups (id) ON DELETE CASCADE,
    giver_signup_id BIGINT REFERENCES challenge_signups (id) ON DELETE SET NULL,
    overlap INTEGER NOT NULL DEFAULT 0,
    pinch_hitter_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    work_id BIGINT REFERENCES works (id) ON DELETE SET NULL,
    defaulted_at TIMESTAMP,
    covered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX challenge_assignments_per_recipient ON challenge_assignments (collection_id, recipient_signup_id);
CREATE INDEX challenge_assignments_by_giver ON challenge_assignments (giver_signup_id);
CREATE INDEX challenge_assignments_by_pinch_hitter ON challenge_assignments (pinch_hitter_id);
CREATE INDEX challenge_assignments_by_work ON challenge_assignments (work_id);

-- Participants matching left out as givers (side 'giver') or recipients
-- ('recipient'), with the reason's code.
CREATE TABLE challenge_unmatched (
    signup_id BIGINT NOT NULL REFERENCES challenge_signups (id) ON DELETE CASCADE,
    side TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (signup_id, side)
);
