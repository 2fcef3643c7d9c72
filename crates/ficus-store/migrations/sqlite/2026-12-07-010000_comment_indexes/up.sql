-- Page queries on a work's comment threads filter roots on spam and
-- unreviewed (and the viewer's own comments) and read them in id order:
-- one index answers them all, covering, so no page scans comments of
-- other works nor reads the table to count roots. Without planner
-- statistics SQLite preferred comments_spam (spam = 0: nearly every
-- comment in the archive) or comments_by_parent (parent_id IS NULL: every
-- root in the archive); the new index and a partial comments_by_parent
-- leave it no such choice.
DROP INDEX comments_threads;
CREATE INDEX comments_roots ON comments (work_id, parent_id, spam, id, unreviewed, user_id, chapter_id);
DROP INDEX comments_by_parent;
CREATE INDEX comments_by_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;
-- A page's threads are read by work and thread ids, in the order the page
-- is built in (work, then thread, then id), so the rows need no sort.
CREATE INDEX comments_work_threads ON comments (work_id, thread_id, id);
