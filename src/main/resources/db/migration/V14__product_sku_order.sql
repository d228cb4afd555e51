-- A resync pages through every product in SKU order byte by byte (COLLATE "C", Kanaal's order of SKUs everywhere,
-- whatever the database's collation), 1,000 at a time. The primary key's index is in the database's collation and
-- cannot give that order, so each page read and sorted every SKU: 31-37 ms a page at 110,000 products, growing
-- with the catalogue; with this index 1 ms.
CREATE INDEX product_sku_c ON product (sku COLLATE "C");
