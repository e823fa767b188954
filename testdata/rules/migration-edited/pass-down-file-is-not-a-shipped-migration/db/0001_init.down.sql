-- A deploy never runs .down.sql files.
DROP TABLE IF EXISTS users;
