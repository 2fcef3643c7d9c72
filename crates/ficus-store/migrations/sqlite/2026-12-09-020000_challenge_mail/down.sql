ALTER TABLE users DROP COLUMN pref_challenge_mail;
ALTER TABLE mail_jobs DROP COLUMN assignment_id;
