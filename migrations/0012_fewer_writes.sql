-- Fewer rows written per delivery (D1 bills every row written, index entries included).

-- Attempts live in their delivery's key range: (delivery_id, id) is the table itself (WITHOUT ROWID),
-- so an attempt is one row written, not three (row, primary-key index, attempts_delivery). Every read
-- of attempts is by delivery; retention deletes them by their delivery's time-ordered id.
CREATE TABLE attempts_by_delivery (
  delivery_id       TEXT NOT NULL,
  id                TEXT NOT NULL,
  at                TEXT NOT NULL,
  status_code       INTEGER,
  duration_ms       INTEGER NOT NULL,
  error             TEXT,
  response_excerpt  TEXT,
  request_headers   TEXT,
  PRIMARY KEY (delivery_id, id)
) WITHOUT ROWID;
INSERT INTO attempts_by_delivery (delivery_id, id, at, status_code, duration_ms, error, response_excerpt, request_headers)
  SELECT delivery_id, id, at, status_code, duration_ms, error, response_excerpt, request_headers FROM attempts;
DROP TABLE attempts;
ALTER TABLE attempts_by_delivery RENAME TO attempts;

-- Every list of deliveries is an application's (deliveries_application) or a subscription's
-- (deliveries_subscription, deliveries_subscription_status); the sweep takes the due ones from
-- deliveries_due. No query reads deliveries by status alone any more.
DROP INDEX deliveries_status;
