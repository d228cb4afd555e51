-- The intake message that took each order onto kanaal.orders.unified. When that message comes back (its
-- transaction was rolled back or the broker crashed before the commit), the order's key is already here but
-- the unified message is not on the queue: the same message id lets the order through again, any other
-- message (a repeat of the order: re-polled, re-sent by a webhook, replayed) only gets it acknowledged.
ALTER TABLE CAMEL_MESSAGEPROCESSED ADD COLUMN intakeMessageId VARCHAR(255);
