-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 3 statement(s) for 3 change(s) (3 breaking)

-- breaking: enables column mapping (one-way protocol upgrade); readers need a Delta version that supports it and it cannot be turned off
ALTER TABLE `dev_shop`.`sales`.`customers` SET TBLPROPERTIES ('delta.COLUMNMAPPING.MODE' = 'name');

-- breaking
ALTER TABLE `dev_shop`.`sales`.`customers` RENAME COLUMN `email` TO `mail`;

-- breaking
ALTER TABLE `dev_shop`.`sales`.`orders` RENAME COLUMN `note` TO `remark`;
