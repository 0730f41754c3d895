-- What each attempt sent, for the operator: the request headers (the body is rebuilt from the event).
ALTER TABLE attempts ADD COLUMN request_headers TEXT; -- JSON object
