-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 1 change(s)

CREATE OR REPLACE VIEW `dev_shop`.`sales`.`open_orders` COMMENT 'Open orders' AS SELECT id, qty FROM `dev_shop`.`sales`.`orders` WHERE status = 'open';

GRANT SELECT ON VIEW `dev_shop`.`sales`.`open_orders` TO `analysts`;
