-- The image does not change, but adding full_name and dropping name in one release
-- still breaks the code that reads name.
ALTER TABLE users ADD COLUMN full_name text;
ALTER TABLE users DROP COLUMN name; -- expect: destructive-sql-single-release
