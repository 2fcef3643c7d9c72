DROP TABLE serial_works;
DROP TABLE series;
DROP TABLE api_tokens;
DROP FUNCTION ficus_log_series_rename();
