-- Last stock level the ERP reported, per SKU and warehouse. `version` is the ERP's sequence
-- (or its timestamp in epoch microseconds): an update with a lower version is stale and dropped.
CREATE TABLE erp_stock (
    sku              VARCHAR(100)  NOT NULL,
    warehouse        VARCHAR(100)  NOT NULL DEFAULT '',
    quantity         INTEGER       NOT NULL,
    version          BIGINT        NOT NULL,
    source_timestamp TIMESTAMPTZ,
    received_at      TIMESTAMPTZ   NOT NULL DEFAULT now(),
    PRIMARY KEY (sku, warehouse)
);

-- Every change of a channel's desired quantity takes the next number: a delivery is current
-- when its version is at least the desired one.
CREATE SEQUENCE channel_stock_version;

-- What each channel should show (desired) and what it was last told (delivered).
CREATE TABLE channel_stock (
    channel            VARCHAR(100) NOT NULL,
    sku                VARCHAR(100) NOT NULL,
    desired_quantity   INTEGER      NOT NULL,
    desired_version    BIGINT       NOT NULL,
    desired_at         TIMESTAMPTZ  NOT NULL DEFAULT now(),
    delivered_quantity INTEGER,
    delivered_version  BIGINT,
    delivered_at       TIMESTAMPTZ,
    PRIMARY KEY (channel, sku)
);

-- The channel's own id for a SKU where it has one (Bol's offer id), when not given in configuration.
CREATE TABLE channel_listing (
    channel    VARCHAR(100) NOT NULL,
    sku        VARCHAR(100) NOT NULL,
    listing_id VARCHAR(200) NOT NULL,
    PRIMARY KEY (channel, sku)
);
