DROP TABLE saved_searches;
DROP INDEX mail_jobs_one_update;
ALTER TABLE mail_jobs DROP COLUMN chapter_id;
ALTER TABLE subscription_updates DROP COLUMN mailed_at;
ALTER TABLE subscription_updates DROP COLUMN mail;
ALTER TABLE subscription_updates DROP COLUMN subscription_id;
ALTER TABLE subscriptions DROP COLUMN mail;
