-- SQLite's TEXT has no length limit: the escaped names and long contents
-- that MySQL's 0002 makes room for fit already.
SELECT 1;
