-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 3 statement(s) for 2 change(s) (2 breaking)

-- breaking
ALTER TABLE `dev_shop`.`sales`.`customers` ALTER COLUMN `name` DROP MASK;

ALTER TABLE `dev_shop`.`sales`.`customers` ALTER COLUMN `email` SET TAGS ('pii' = 'email');

-- breaking
ALTER TABLE `dev_shop`.`sales`.`customers` ALTER COLUMN `email` SET MASK `dev_shop`.`sales`.`mask_email` USING COLUMNS (`id`);
