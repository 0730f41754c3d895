-- After a SECRETS_KEY rotation the sweep re-seals every sealed value (callback secrets, subscription
-- secrets, custom header values) with the new key, a bounded step per run. One row per key set (the
-- current key id, then a space and the previous key id if one is set): how far its pass got. Once it
-- is done, nothing needs SECRETS_KEY_PREVIOUS.
CREATE TABLE secrets_key_reseal (
  key_set TEXT PRIMARY KEY,
  -- 'applications', then 'subscriptions', then 'done'
  phase TEXT NOT NULL,
  -- applications: the last id done; subscriptions: the KV list cursor of the page being done (NULL: the first)
  cursor TEXT,
  -- subscriptions: how many ids of that page are done
  skip INTEGER NOT NULL DEFAULT 0,
  -- values sealed again with this key
  resealed INTEGER NOT NULL DEFAULT 0,
  -- values no key set opens (the key that sealed them is gone): left as they are
  unreadable INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL,
  finished_at TEXT
);
