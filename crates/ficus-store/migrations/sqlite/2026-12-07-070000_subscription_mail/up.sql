-- E-mail for subscriptions, chosen per subscription: 'immediate' (a
-- message per update), 'daily' or 'weekly' (a digest), or 'off' (the
-- inbox only). Works, series and accounts default to a message each (as
-- AO3); a tag or a search may bring many works a day, so the use case
-- gives those a daily digest.
ALTER TABLE subscriptions ADD COLUMN mail TEXT NOT NULL DEFAULT 'immediate';

-- Each update keeps the subscription that brought it and the frequency
-- that subscription had when the update was written. No foreign key: a
-- stopped subscription's id joins nothing (its updates stay in the inbox
-- and send no mail), and the fan-out writes these rows by the tens of
-- thousands, where each key check costs (PostgreSQL runs one per row).
ALTER TABLE subscription_updates ADD COLUMN subscription_id BIGINT;
ALTER TABLE subscription_updates ADD COLUMN mail TEXT NOT NULL DEFAULT 'off';
-- When the update went out by e-mail (a message or a digest): a digest
-- tells the updates not yet mailed, so one written as its period closed
-- goes in the next one rather than nowhere.
ALTER TABLE subscription_updates ADD COLUMN mailed_at TIMESTAMP;

-- A message per update: the job names its chapter (once per recipient
-- and chapter, so a fan-out job run again queues nothing twice). No
-- foreign key, for the same reason: a deleted chapter's job finds no
-- update to tell and is dropped when it is due.
ALTER TABLE mail_jobs ADD COLUMN chapter_id BIGINT;
CREATE UNIQUE INDEX mail_jobs_one_update ON mail_jobs (user_id, chapter_id);

-- Saved searches an account follows (a subscription of kind 'search'
-- names one): the listing's path and its normalized filter query.
CREATE TABLE saved_searches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX saved_searches_once ON saved_searches (user_id, path, query);
