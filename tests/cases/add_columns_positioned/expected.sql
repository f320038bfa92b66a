-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 3 statement(s) for 3 change(s)

ALTER TABLE `dev_shop`.`sales`.`orders` ADD COLUMNS (`tenant` STRING FIRST);

ALTER TABLE `dev_shop`.`sales`.`orders` ADD COLUMNS (`currency` STRING AFTER `amount`);

ALTER TABLE `dev_shop`.`sales`.`orders` ADD COLUMNS (`last` INT);
