-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 3 statement(s) for 1 change(s)

CREATE CATALOG IF NOT EXISTS `dev_shop` MANAGED LOCATION 's3://bucket/shop' COMMENT 'it\'s the shop';

ALTER CATALOG `dev_shop` SET TAGS ('owner' = 'team-a');

GRANT CREATE SCHEMA, USE CATALOG ON CATALOG `dev_shop` TO `data engineers`;
