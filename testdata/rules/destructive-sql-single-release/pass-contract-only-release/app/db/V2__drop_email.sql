-- A contract-only release: no new code ships with it, and the running code stopped
-- reading email in an earlier release.
ALTER TABLE users DROP COLUMN email;
