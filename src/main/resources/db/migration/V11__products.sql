-- Products as the ERP or PIM sent them (POST /api/v1/products), the newest version per SKU, with a hash of
-- their content; every version taken in is kept in product_version.
CREATE TABLE product (
    sku          TEXT PRIMARY KEY,
    parent_sku   TEXT,
    version      BIGINT      NOT NULL,
    content      JSONB       NOT NULL,
    content_hash TEXT        NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX product_parent ON product (parent_sku) WHERE parent_sku IS NOT NULL;

CREATE TABLE product_version (
    sku          TEXT        NOT NULL,
    version      BIGINT      NOT NULL,
    content      JSONB       NOT NULL,
    content_hash TEXT        NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (sku, version)
);

-- Per channel and SKU: what the channel was last sent (the product version and the hash of the payload it was
-- mapped to), or why it was not sent (status rejected: the channel's rules; refused: the channel said no), with
-- the rejects (rule, field, message).
CREATE TABLE channel_product (
    channel      TEXT        NOT NULL,
    sku          TEXT        NOT NULL,
    status       TEXT        NOT NULL,
    version      BIGINT      NOT NULL,
    payload_hash TEXT,
    sent_version BIGINT,
    sent_at      TIMESTAMPTZ,
    rejects      JSONB       NOT NULL DEFAULT '[]',
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, sku)
);
CREATE INDEX channel_product_status ON channel_product (channel, status);
