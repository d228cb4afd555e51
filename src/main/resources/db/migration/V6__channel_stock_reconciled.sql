-- The desired version the stock reconciliation last queued again for a channel and SKU (route stock-reconcile):
-- it queues each desired quantity again at most once.
ALTER TABLE channel_stock ADD COLUMN reconciled_version BIGINT;
