DROP TABLE mail_jobs;
ALTER TABLE users DROP COLUMN pref_kudos_mail;
ALTER TABLE users DROP COLUMN pref_comment_mail;
