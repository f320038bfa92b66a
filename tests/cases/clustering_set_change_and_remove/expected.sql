-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 2 change(s)

ALTER TABLE `dev_shop`.`sales`.`customers` CLUSTER BY NONE;

-- existing files are reclustered by the next OPTIMIZE
ALTER TABLE `dev_shop`.`sales`.`orders` CLUSTER BY (`customer_id`, `status`);
