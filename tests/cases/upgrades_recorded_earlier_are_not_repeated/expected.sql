-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 4 statement(s) for 3 change(s) (1 destructive)

-- destructive: the column's data is no longer readable (files keep it until VACUUM after a REORG)
ALTER TABLE `dev_shop`.`sales`.`orders` DROP COLUMNS IF EXISTS (`remark`);

-- DECIMAL(10,2) -> DECIMAL(12,2) in place (no data rewritten); cannot be narrowed back
ALTER TABLE `dev_shop`.`sales`.`orders` ALTER COLUMN `amount` TYPE DECIMAL(12,2);

ALTER TABLE `dev_shop`.`sales`.`orders` ADD COLUMNS (`channel` STRING);

-- rows already in the table are not given the default
ALTER TABLE `dev_shop`.`sales`.`orders` ALTER COLUMN `channel` SET DEFAULT 'web';
