-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 1 statement(s) for 1 change(s) (1 breaking)

-- breaking
ALTER TABLE `dev_shop`.`sales`.`orders` RENAME COLUMN `note` TO `remark`;
