-- Settings that every Kanaal instance sharing this database must have alike, as the first instance to start
-- recorded them (StockBuckets: stock.buckets). An instance configured otherwise does not start.
CREATE TABLE kanaal_setting (
    name   VARCHAR(100) PRIMARY KEY,
    value  VARCHAR(1000) NOT NULL,
    set_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
