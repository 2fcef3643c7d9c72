DROP TABLE work_daily_stats;
DROP TABLE hit_visits;
DROP TABLE kudos;
