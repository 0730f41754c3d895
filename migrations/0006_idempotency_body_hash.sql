-- The same Idempotency-Key (or event id) with another body is refused: each key keeps its body's hash.
ALTER TABLE idempotency_keys ADD COLUMN body_hash TEXT; -- hex SHA-256 of the request body; NULL for keys made before
