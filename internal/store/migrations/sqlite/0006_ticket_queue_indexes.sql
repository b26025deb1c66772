-- Work queues at millions of tickets (issue 4, BENCHMARKS.md). A platform's
-- queue is its subtree's open tickets, nearest deadline first: the scope is
-- a range of assignee paths, which cannot seek an index whose order the
-- queue then keeps. So the open tickets are walked in deadline order with
-- the path (and status) in the index, reading only the rows that are shown;
-- the counts by status seek each open status's range of paths. The old path
-- index, led by the path, could only be read whole and sorted (and made the
-- planner choose just that for a subtree): it goes, as does the open-by-due
-- index the new one extends.
CREATE INDEX tickets_open_by_due ON tickets (open, due_at, id, assignee_path, status);
CREATE INDEX tickets_open_by_status ON tickets (open, status, assignee_path);
DROP INDEX tickets_open_due;
DROP INDEX tickets_path;
