-- kanaal.stock.delivery = outbox: each channel's publisher takes the quantities it was not told yet straight from
-- channel_stock (ChannelOutbox) instead of from a last-value queue. A row it is sending is claimed: by whom
-- (claimed_by, one name per Kanaal instance) and until when (a lease; a claim of an instance that died ends with
-- it). A quantity that ended in the channel's dead letters is parked (claimed_until = 'infinity') until its
-- desired quantity changes or ops replay the dead letter.
ALTER TABLE channel_stock ADD COLUMN claimed_until TIMESTAMPTZ, ADD COLUMN claimed_by VARCHAR(200);

-- the rows a channel was not told yet, in the order they were set
CREATE INDEX channel_stock_undelivered ON channel_stock (channel, desired_version)
    WHERE delivered_version IS NULL OR delivered_version < desired_version;
