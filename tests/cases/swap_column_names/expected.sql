-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 4 statement(s) for 2 change(s) (4 breaking)

-- breaking: columns swap names through a temporary name
ALTER TABLE `dev_shop`.`sales`.`orders` RENAME COLUMN `status` TO `__schemax_tmp_col_0010`;

-- breaking: columns swap names through a temporary name
ALTER TABLE `dev_shop`.`sales`.`orders` RENAME COLUMN `note` TO `__schemax_tmp_col_0013`;

-- breaking
ALTER TABLE `dev_shop`.`sales`.`orders` RENAME COLUMN `__schemax_tmp_col_0010` TO `note`;

-- breaking
ALTER TABLE `dev_shop`.`sales`.`orders` RENAME COLUMN `__schemax_tmp_col_0013` TO `status`;
