-- kanaal.stock.delivery = outbox: each channel's publisher takes the quantities it was not told yet straight from
-- channel_stock (ChannelOutbox) instead of from a last-value queue. A row it is sending is claimed: by whom
-- (claimed_by, one name per Kanaal instance) and until when (a lease; a claim of an instance that died ends with
-- it). A quantity that ended in the channel's dead letters is parked (claimed_until = 'infinity') until its
-- desired quantity changes or ops replay the dead letter. No index on the columns the fan-out and the deliveries
-- change: their updates stay HOT (an index on what a channel was not told doubled PostgreSQL's CPU per update in
-- the stock benchmark); the outbox claims the SKUs the fan-out names by key and searches a channel's rows only
-- on its sweeps.
ALTER TABLE channel_stock ADD COLUMN claimed_until TIMESTAMPTZ, ADD COLUMN claimed_by VARCHAR(200);
