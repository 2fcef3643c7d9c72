DROP TABLE invitation_codes;
DROP TABLE settings;
DROP TABLE claims;
