-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 1 change(s) (1 data-dependent)

ALTER TABLE `dev_shop`.`sales`.`orders` ADD COLUMNS (`region` STRING);

-- data-dependent: fails when the table already holds rows
ALTER TABLE `dev_shop`.`sales`.`orders` ALTER COLUMN `region` SET NOT NULL;
