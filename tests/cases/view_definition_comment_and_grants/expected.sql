-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 1 change(s)

ALTER VIEW `dev_shop`.`sales`.`open_orders` AS SELECT id, qty FROM `dev_shop`.`sales`.`orders` WHERE status = 'open';

COMMENT ON TABLE `dev_shop`.`sales`.`open_orders` IS 'Open orders';
