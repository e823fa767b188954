-- +goose Up
CREATE TABLE users (id bigint PRIMARY KEY);
-- +goose Down
DROP TABLE users;
