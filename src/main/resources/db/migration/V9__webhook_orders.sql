-- Orders a webhook call took in are marked (intakeMessageId = 'webhook') until their broker transaction has
-- committed; the sweep (route order-webhook-sweep) finds the ones never confirmed.
CREATE INDEX camel_messageprocessed_webhook ON CAMEL_MESSAGEPROCESSED (createdAt) WHERE intakeMessageId = 'webhook';
