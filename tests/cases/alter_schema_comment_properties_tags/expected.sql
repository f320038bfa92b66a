-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 3 statement(s) for 1 change(s)

COMMENT ON SCHEMA `dev_shop`.`raw` IS NULL;

ALTER SCHEMA `dev_shop`.`raw` SET TAGS ('tier2' = 'silver');

ALTER SCHEMA `dev_shop`.`raw` UNSET TAGS ('tier');
