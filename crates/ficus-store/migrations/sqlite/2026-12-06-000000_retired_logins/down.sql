DROP TABLE retired_logins;
