-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 4 statement(s) for 2 change(s) (1 breaking)

-- breaking
ALTER VIEW `dev_shop`.`sales`.`v` RENAME TO `order_ids`;

ALTER VIEW `dev_shop`.`sales`.`order_ids` SET TBLPROPERTIES ('a' = 'one');

ALTER VIEW `dev_shop`.`sales`.`order_ids` UNSET TBLPROPERTIES IF EXISTS ('b');

ALTER VIEW `dev_shop`.`sales`.`order_ids` SET TAGS ('certified' = 'yes');
