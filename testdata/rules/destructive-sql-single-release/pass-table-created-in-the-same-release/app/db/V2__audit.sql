-- A table this release creates is not in use yet: reshaping it is safe.
CREATE TABLE audit (id bigint PRIMARY KEY, note text);
ALTER TABLE audit RENAME COLUMN note TO message;
ALTER TABLE users ADD COLUMN last_seen timestamptz;
