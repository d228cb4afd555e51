-- Asynchronous channel writes (Bol.com v10: 202 with a process-status id) that the channel accepted: a
-- retried fulfilment attempt finds its request here and follows the process status it already has,
-- instead of sending the same shipment or cancellation again.
CREATE TABLE channel_process (
    channel           VARCHAR(100) NOT NULL,
    request_key       VARCHAR(100) NOT NULL,
    process_status_id VARCHAR(200) NOT NULL,
    accepted_at       TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, request_key)
);
