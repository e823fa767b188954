-- The new code (api 2.0.0) no longer reads `email`, but api 1.0.0 pods still do
-- until the rollout ends.
ALTER TABLE users DROP COLUMN email; -- expect: destructive-sql-single-release
