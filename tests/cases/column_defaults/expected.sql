-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 3 statement(s) for 2 change(s) (1 breaking)

ALTER TABLE `dev_shop`.`sales`.`customers` ALTER COLUMN `name` DROP DEFAULT;

-- breaking: enables column defaults (table feature); readers need a Delta version that supports it and it cannot be turned off
ALTER TABLE `dev_shop`.`sales`.`orders` SET TBLPROPERTIES ('delta.feature.allowColumnDefaults' = 'supported');

ALTER TABLE `dev_shop`.`sales`.`orders` ALTER COLUMN `status` SET DEFAULT 'new';
