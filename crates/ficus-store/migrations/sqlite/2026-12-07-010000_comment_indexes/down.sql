DROP INDEX comments_work_threads;
DROP INDEX comments_by_parent;
CREATE INDEX comments_by_parent ON comments (parent_id);
DROP INDEX comments_roots;
CREATE INDEX comments_threads ON comments (work_id, parent_id, id);
