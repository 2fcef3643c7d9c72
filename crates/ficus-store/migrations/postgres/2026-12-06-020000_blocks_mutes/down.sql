DROP TABLE muted_users;
DROP TABLE blocked_users;
