-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 5 statement(s) for 2 change(s) (2 breaking, 1 data-dependent)

-- breaking: enables type widening (protocol upgrade); readers need a Delta version that supports it and it cannot be turned off
ALTER TABLE `dev_shop`.`sales`.`orders` SET TBLPROPERTIES ('delta.enableTypeWidening' = 'true');

-- Delta will not change a column a CHECK constraint reads: dropped, added back after
ALTER TABLE `dev_shop`.`sales`.`orders` DROP CONSTRAINT IF EXISTS `qty_positive`;

-- breaking
ALTER TABLE `dev_shop`.`sales`.`orders` RENAME COLUMN `qty` TO `quantity`;

-- INT -> BIGINT in place (no data rewritten); cannot be narrowed back
ALTER TABLE `dev_shop`.`sales`.`orders` ALTER COLUMN `quantity` TYPE BIGINT;

-- data-dependent: existing rows must satisfy the CHECK or the statement fails
ALTER TABLE `dev_shop`.`sales`.`orders` ADD CONSTRAINT `qty_positive` CHECK (`quantity` > 0);
