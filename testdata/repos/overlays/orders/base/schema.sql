CREATE TABLE IF NOT EXISTS orders (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
