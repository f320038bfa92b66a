-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 2 change(s)

ALTER TABLE `dev_shop`.`sales`.`orders` ALTER COLUMN `id` COMMENT '';

ALTER TABLE `dev_shop`.`sales`.`orders` ALTER COLUMN `status` COMMENT 'One of: \'new\', \'paid\'\\\'shipped\'';
