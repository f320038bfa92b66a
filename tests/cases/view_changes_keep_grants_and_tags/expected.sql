-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 5 statement(s) for 2 change(s)

COMMENT ON TABLE `dev_shop`.`sales`.`names` IS NULL;

ALTER VIEW `dev_shop`.`sales`.`open_orders` AS SELECT id, qty FROM `dev_shop`.`sales`.`orders` WHERE status = 'open';

COMMENT ON TABLE `dev_shop`.`sales`.`open_orders` IS 'Open orders';

ALTER VIEW `dev_shop`.`sales`.`open_orders` SET TBLPROPERTIES ('a' = '2');

ALTER VIEW `dev_shop`.`sales`.`open_orders` SET TAGS ('tier' = 'gold');
