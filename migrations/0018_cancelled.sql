-- `cancelled`: a delivery its subscription's transformation cancelled (nothing was sent). The stats count
-- such attempts. (Deliveries from before shards keep their CHECK: one cancelled there is recorded failed.)
ALTER TABLE delivery_stats ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;
