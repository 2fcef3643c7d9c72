DROP TABLE audit_log;
ALTER TABLE works DROP COLUMN hidden;
