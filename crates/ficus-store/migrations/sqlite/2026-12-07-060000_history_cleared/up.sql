-- When an account last cleared its reading history: views the web nodes
-- still held from before it (batched, like hits) are dropped, not
-- written back into the cleared history.
ALTER TABLE users ADD COLUMN history_cleared_at TIMESTAMP;
