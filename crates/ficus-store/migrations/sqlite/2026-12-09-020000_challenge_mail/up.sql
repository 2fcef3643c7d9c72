-- Gift exchange mail: a writer hears of their assignment when the
-- maintainers send assignments out, and a pinch hitter when named. The job
-- names the assignment (read again when the message is sent: a default or
-- a new writer meanwhile sends nothing). An account may turn it off.
ALTER TABLE mail_jobs ADD COLUMN assignment_id BIGINT;
ALTER TABLE users ADD COLUMN pref_challenge_mail TEXT NOT NULL DEFAULT 'immediate';
