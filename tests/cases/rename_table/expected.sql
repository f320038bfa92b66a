-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 2 change(s) (1 breaking)

-- breaking
ALTER TABLE `dev_shop`.`sales`.`orders` RENAME TO `orders_v2`;

ALTER TABLE `dev_shop`.`sales`.`orders_v2` ADD COLUMNS (`channel` STRING);
