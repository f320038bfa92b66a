-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 3 statement(s) for 1 change(s) (1 data-dependent)

-- Delta will not change a column a CHECK constraint reads: dropped, added back after
ALTER TABLE `dev_shop`.`sales`.`orders` DROP CONSTRAINT IF EXISTS `qty_positive`;

-- INT -> BIGINT in place (no data rewritten); cannot be narrowed back
ALTER TABLE `dev_shop`.`sales`.`orders` ALTER COLUMN `qty` TYPE BIGINT;

-- data-dependent: existing rows must satisfy the CHECK or the statement fails
ALTER TABLE `dev_shop`.`sales`.`orders` ADD CONSTRAINT `qty_positive` CHECK (qty > 0);
