-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 2 change(s) (2 breaking)

-- breaking
ALTER TABLE `dev_shop`.`sales`.`customers` DROP ROW FILTER;

-- breaking
ALTER TABLE `dev_shop`.`sales`.`orders` SET ROW FILTER `dev_shop`.`sales`.`only_open` ON (`status`);
