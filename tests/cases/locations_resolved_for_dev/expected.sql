-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; variables account=acmedev, storage_root=acme-dev; engine: Unity Catalog
-- 4 statement(s) for 4 change(s)

CREATE CATALOG IF NOT EXISTS `dev_shop` MANAGED LOCATION 's3://acme-dev/shop';

CREATE SCHEMA IF NOT EXISTS `dev_shop`.`sales` MANAGED LOCATION 's3://acme-dev/shop/sales';

CREATE TABLE IF NOT EXISTS `dev_shop`.`sales`.`orders` (`id` BIGINT NOT NULL) USING DELTA LOCATION 'abfss://data@acmedev.dfs.core.windows.net/acme-dev/orders';

CREATE EXTERNAL VOLUME IF NOT EXISTS `dev_shop`.`sales`.`landing` LOCATION 's3://acme-dev/landing/$raw';
