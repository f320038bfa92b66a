-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 2 change(s)

COMMENT ON TABLE `dev_shop`.`sales`.`customers` IS NULL;

COMMENT ON TABLE `dev_shop`.`sales`.`orders` IS 'All orders; -- even "cancelled" ones\nsince 2020';
