-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 5 statement(s) for 1 change(s) (1 breaking, 2 data-dependent)

-- breaking: enables column defaults (table feature); readers need a Delta version that supports it and it cannot be turned off
ALTER TABLE `dev_shop`.`sales`.`orders` SET TBLPROPERTIES ('delta.feature.allowColumnDefaults' = 'supported');

ALTER TABLE `dev_shop`.`sales`.`orders` ADD COLUMNS (`currency` STRING);

-- rows already in the table are not given the default
ALTER TABLE `dev_shop`.`sales`.`orders` ALTER COLUMN `currency` SET DEFAULT 'EUR';

-- data-dependent: fills existing rows so NOT NULL can hold
UPDATE `dev_shop`.`sales`.`orders` SET `currency` = 'EUR' WHERE `currency` IS NULL;

-- data-dependent
ALTER TABLE `dev_shop`.`sales`.`orders` ALTER COLUMN `currency` SET NOT NULL;
