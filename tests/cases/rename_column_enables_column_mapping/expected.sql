-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 1 change(s) (2 breaking)

-- breaking: enables column mapping (one-way protocol upgrade); readers need a Delta version that supports it and it cannot be turned off
ALTER TABLE `dev_shop`.`sales`.`orders` SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name');

-- breaking
ALTER TABLE `dev_shop`.`sales`.`orders` RENAME COLUMN `note` TO `remark`;
