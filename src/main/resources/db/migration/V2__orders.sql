-- Orders taken in from the channels: the canonical order as it went onto kanaal.orders.unified, so that
-- shipments and cancellations from the ERP find the channel's own ids (order lines, internal ids) again.
CREATE TABLE channel_order (
    channel          VARCHAR(100) NOT NULL,
    channel_order_id VARCHAR(200) NOT NULL,
    ordered_at       TIMESTAMPTZ,
    received_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
    status           VARCHAR(20)  NOT NULL DEFAULT 'open',
    canonical        JSONB        NOT NULL,
    PRIMARY KEY (channel, channel_order_id)
);

-- The reservation ledger: what each order takes from a SKU until the ERP's stock reflects it (a stock
-- level listing the order in includedOrders) or the order is cancelled. Available-to-sell per SKU is
-- the ERP stock less the open reservations. One row per order and SKU: taking the same order in twice
-- cannot reserve twice.
CREATE TABLE reservation (
    channel          VARCHAR(100) NOT NULL,
    channel_order_id VARCHAR(200) NOT NULL,
    sku              VARCHAR(100) NOT NULL,
    quantity         INTEGER      NOT NULL CHECK (quantity > 0),
    reserved_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
    released_at      TIMESTAMPTZ,
    released_by      VARCHAR(20),
    PRIMARY KEY (channel, channel_order_id, sku)
);
CREATE INDEX reservation_open_by_sku ON reservation (sku) WHERE released_at IS NULL;

-- Where each channel's incremental order poll continues (the last change seen), across restarts.
CREATE TABLE order_poll_watermark (
    channel    VARCHAR(100) NOT NULL PRIMARY KEY,
    watermark  VARCHAR(100) NOT NULL,
    polled_at  TIMESTAMPTZ  NOT NULL DEFAULT now()
);

-- Camel's idempotent consumer repository (org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository):
-- the orders already on the unified queue, per processor name. Shared by every Kanaal instance.
CREATE TABLE CAMEL_MESSAGEPROCESSED (
    processorName VARCHAR(255) NOT NULL,
    messageId     VARCHAR(255) NOT NULL,
    createdAt     TIMESTAMP    NOT NULL,
    PRIMARY KEY (processorName, messageId)
);
