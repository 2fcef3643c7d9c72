DROP TABLE subscription_updates;
DROP TABLE fanout_jobs;
DROP TABLE subscriptions;
