-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 2 change(s) (1 data-dependent)

ALTER TABLE `dev_shop`.`sales`.`orders` ALTER COLUMN `id` DROP NOT NULL;

-- data-dependent: fails if the column holds NULLs
ALTER TABLE `dev_shop`.`sales`.`orders` ALTER COLUMN `status` SET NOT NULL;
