-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 1 change(s)

ALTER TABLE `dev_shop`.`sales`.`orders` SET TAGS ('owner' = 'ana', 'tier' = 'silver');

ALTER TABLE `dev_shop`.`sales`.`orders` UNSET TAGS ('domain');
