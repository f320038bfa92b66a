-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 3 statement(s) for 3 change(s)

ALTER TABLE `dev_shop`.`sales`.`customers` CLUSTER BY AUTO;

CREATE TABLE IF NOT EXISTS `dev_shop`.`sales`.`events` (`id` BIGINT, `kind` STRING) USING DELTA CLUSTER BY AUTO;

ALTER TABLE `dev_shop`.`sales`.`visits` CLUSTER BY NONE;
