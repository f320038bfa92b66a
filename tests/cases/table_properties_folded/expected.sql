-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 1 change(s)

ALTER TABLE `dev_shop`.`sales`.`orders` SET TBLPROPERTIES ('a' = 'one', 'd' = 'it\'s \\d', 'e' = '5');

ALTER TABLE `dev_shop`.`sales`.`orders` UNSET TBLPROPERTIES IF EXISTS ('b', 'c');
