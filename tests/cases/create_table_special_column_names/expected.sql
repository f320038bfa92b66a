-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 1 statement(s) for 1 change(s)

-- column mapping enabled: a column name has characters Delta only accepts with it
CREATE TABLE IF NOT EXISTS `dev_shop`.`sales`.`odd` (`order id` BIGINT, `a``b` STRING, `x;y` INT) USING DELTA TBLPROPERTIES ('delta.columnMapping.mode' = 'name');
