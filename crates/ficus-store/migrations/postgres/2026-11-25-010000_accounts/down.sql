DROP TABLE throttles;
DROP TABLE sessions;
DROP TABLE pseuds;
DROP TABLE users;
