-- Each application signs its callbacks with its own secrets (JSON: [{value: sealed, expires_at}], newest
-- first, as a subscription's). NULL: none made yet; the default application then signs with CALLBACK_SECRET.
ALTER TABLE applications ADD COLUMN callback_secrets TEXT;
