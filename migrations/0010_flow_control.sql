-- Flow control: an event may carry an ordering key (subscriptions with FIFO ordering keep one line per key).
ALTER TABLE events ADD COLUMN ordering_key TEXT;
