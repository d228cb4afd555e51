-- The ops console's order list (docs/console.md): every order of every channel, newest taken in first, a page at a
-- time by key (received_at, channel, channel_order_id) so a deep page costs what the first one does. One index for
-- the whole list and one per filter it offers (channel, status); the search finds an order by its id, a SKU of
-- its lines or its customer's e-mail address, each by an index of its own.
CREATE INDEX channel_order_newest ON channel_order (received_at, channel, channel_order_id);
CREATE INDEX channel_order_channel_newest ON channel_order (channel, received_at, channel_order_id);
CREATE INDEX channel_order_status_newest ON channel_order (status, received_at, channel, channel_order_id);
CREATE INDEX channel_order_id ON channel_order (channel_order_id);
CREATE INDEX channel_order_skus ON channel_order USING gin ((canonical -> 'lines') jsonb_path_ops);
CREATE INDEX channel_order_email ON channel_order (lower(canonical -> 'customer' ->> 'email'));

-- An order's journey after it was taken in, as far as Kanaal sees it: delivered to the ERP, acknowledged by the
-- ERP, shipped (carrier, tracking code) or cancelled as the channel confirmed it. One row per step and time.
CREATE TABLE order_event (
    channel          VARCHAR(100) NOT NULL,
    channel_order_id VARCHAR(200) NOT NULL,
    event            VARCHAR(40)  NOT NULL,
    at               TIMESTAMPTZ  NOT NULL DEFAULT now(),
    detail           JSONB        NOT NULL DEFAULT '{}'
);
CREATE INDEX order_event_order ON order_event (channel, channel_order_id, at);
