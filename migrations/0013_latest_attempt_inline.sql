-- A delivery's latest attempt lives in the delivery's own row, written by the state change that happens
-- with every attempt anyway: a delivery that succeeds at once writes no attempt row of its own. The
-- attempts table keeps the attempts before the latest (each moves there when the next one is recorded)
-- and any attempt of a chain that had moved on. `all_attempts` is both, as one table.
ALTER TABLE deliveries ADD COLUMN last_attempt TEXT; -- JSON: {id, at, status_code, duration_ms, error, response_excerpt, request_headers}

CREATE VIEW all_attempts AS
  SELECT delivery_id, id, at, status_code, duration_ms, error, response_excerpt, request_headers FROM attempts
  UNION ALL
  SELECT id AS delivery_id,
         last_attempt ->> '$.id', last_attempt ->> '$.at', last_attempt ->> '$.status_code', last_attempt ->> '$.duration_ms',
         last_attempt ->> '$.error', last_attempt ->> '$.response_excerpt', last_attempt ->> '$.request_headers'
  FROM deliveries WHERE last_attempt IS NOT NULL;
