-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 4 statement(s) for 3 change(s) (2 destructive, 2 breaking)

-- breaking: enables column mapping (one-way protocol upgrade); readers need a Delta version that supports it and it cannot be turned off
ALTER TABLE `dev_shop`.`sales`.`customers` SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name');

-- destructive: the column's data is no longer readable (files keep it until VACUUM after a REORG)
ALTER TABLE `dev_shop`.`sales`.`customers` DROP COLUMNS IF EXISTS (`email`);

-- breaking: enables column mapping (one-way protocol upgrade); readers need a Delta version that supports it and it cannot be turned off
ALTER TABLE `dev_shop`.`sales`.`orders` SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name');

-- destructive: the column's data is no longer readable (files keep it until VACUUM after a REORG)
ALTER TABLE `dev_shop`.`sales`.`orders` DROP COLUMNS IF EXISTS (`status`, `note`);
