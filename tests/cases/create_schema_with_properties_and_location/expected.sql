-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 1 change(s)

CREATE SCHEMA IF NOT EXISTS `dev_shop`.`raw` COMMENT 'Raw \'landing\' data' MANAGED LOCATION 's3://bucket/raw' WITH DBPROPERTIES ('owner.team' = 'ingest', 'retention' = '30d');

ALTER SCHEMA `dev_shop`.`raw` SET TAGS ('tier' = 'bronze');
