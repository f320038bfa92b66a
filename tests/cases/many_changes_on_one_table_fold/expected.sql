-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 11 statement(s) for 9 change(s) (1 destructive, 2 breaking, 1 data-dependent)

-- breaking: enables column mapping (one-way protocol upgrade), type widening (protocol upgrade); readers need a Delta version that supports it and it cannot be turned off
ALTER TABLE `dev_shop`.`sales`.`orders` SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.enableTypeWidening' = 'true');

-- Delta will not change a column a CHECK constraint reads: dropped, added back after
ALTER TABLE `dev_shop`.`sales`.`orders` DROP CONSTRAINT IF EXISTS `qty_positive`;

-- destructive: the column's data is no longer readable (files keep it until VACUUM after a REORG)
ALTER TABLE `dev_shop`.`sales`.`orders` DROP COLUMNS IF EXISTS (`note`);

-- breaking
ALTER TABLE `dev_shop`.`sales`.`orders` RENAME COLUMN `status` TO `state`;

-- INT -> BIGINT in place (no data rewritten); cannot be narrowed back
ALTER TABLE `dev_shop`.`sales`.`orders` ALTER COLUMN `qty` TYPE BIGINT;

ALTER TABLE `dev_shop`.`sales`.`orders` ALTER COLUMN `amount` COMMENT 'gross';

ALTER TABLE `dev_shop`.`sales`.`orders` ADD COLUMNS (`channel` STRING, `region` STRING COMMENT 'r');

COMMENT ON TABLE `dev_shop`.`sales`.`orders` IS 'All orders';

ALTER TABLE `dev_shop`.`sales`.`orders` SET TAGS ('tier' = 'gold');

ALTER TABLE `dev_shop`.`sales`.`orders` SET TBLPROPERTIES ('owner.team' = 'sales', 'quality' = 'gold', 'schemax.deployed_at' = '2025-01-02T03:04:05.000000Z', 'schemax.deployment' = 'dep_0001', 'schemax.environment' = 'dev', 'schemax.hash' = '31331f9a83a91bfd643066ae6a7e2a6f097f3ede2746016611a4d609cd6d0fa3', 'schemax.snapshot' = 'snap_0001', 'schemax.version' = '1.1.0');

-- data-dependent: existing rows must satisfy the CHECK or the statement fails
ALTER TABLE `dev_shop`.`sales`.`orders` ADD CONSTRAINT `qty_positive` CHECK (qty > 0);
