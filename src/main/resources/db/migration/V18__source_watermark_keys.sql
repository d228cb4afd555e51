-- The keys (setting key-field) of the records a source's last poll took at its watermark: the next poll asks
-- from that watermark on, and skips those records instead of taking them again.
ALTER TABLE source_state ADD COLUMN watermark_keys TEXT[] NOT NULL DEFAULT '{}';
