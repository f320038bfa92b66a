-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> shop; variables account=acmeprod, storage_root=acme-prod; engine: Unity Catalog
-- 4 statement(s) for 4 change(s)

CREATE CATALOG IF NOT EXISTS `shop` MANAGED LOCATION 's3://acme-prod/shop';

CREATE SCHEMA IF NOT EXISTS `shop`.`sales` MANAGED LOCATION 's3://acme-prod/shop/sales';

CREATE TABLE IF NOT EXISTS `shop`.`sales`.`orders` (`id` BIGINT NOT NULL) USING DELTA LOCATION 'abfss://data@acmeprod.dfs.core.windows.net/acme-prod/orders';

CREATE EXTERNAL VOLUME IF NOT EXISTS `shop`.`sales`.`landing` LOCATION 's3://acme-prod/landing/$raw';
