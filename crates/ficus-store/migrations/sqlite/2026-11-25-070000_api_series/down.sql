DROP TABLE serial_works;
DROP TABLE series;
DROP TABLE api_tokens;
