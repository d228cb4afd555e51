-- Catalog feeds (channel type feed): per feed channel and SKU, the item as the channel's product mapping made it
-- (null until the product came) and the quantity the channel should show (its availability). A feed file is
-- written from these rows when one changed since it was last written.
CREATE TABLE feed_item (
    channel    TEXT        NOT NULL,
    sku        TEXT        NOT NULL,
    item       JSONB,
    quantity   INTEGER     NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (channel, sku)
);
CREATE INDEX feed_item_changed ON feed_item (channel, updated_at);
