-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 1 statement(s) for 1 change(s)

ALTER TABLE `dev_shop`.`sales`.`orders` SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name');
