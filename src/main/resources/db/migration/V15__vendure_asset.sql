-- Vendure channels: the asset Vendure made of each image URL Kanaal uploaded (createAssets), per channel (each
-- channel is a shop of its own), so an image shared by products or sent again is fetched and uploaded once.
CREATE TABLE vendure_asset (
    channel    TEXT        NOT NULL,
    url        TEXT        NOT NULL,
    asset_id   TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, url)
);
