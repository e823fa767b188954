ALTER TABLE users DROP COLUMN name, ALGORITHM=INPLACE; -- expect: sql-syntax
