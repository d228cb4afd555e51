-- What the order's channel has not confirmed: a shipment or cancellation it refused or that ran out of retries
-- (its dead letter on DLQ.kanaal.channel.<channel>.fulfilment), with the reason, until a later attempt (a replay)
-- goes through. Kanaal's own status (cancelled, shipped) says what the ERP decided; this says the channel does not
-- show it yet.
ALTER TABLE channel_order ADD COLUMN unconfirmed TEXT, ADD COLUMN unconfirmed_at TIMESTAMPTZ;
