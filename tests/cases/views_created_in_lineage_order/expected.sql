-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 3 statement(s) for 3 change(s)

CREATE OR REPLACE VIEW `dev_shop`.`sales`.`m_by_customer` COMMENT 'per customer' AS WITH o AS (SELECT * FROM `dev_shop`.`sales`.`orders`) SELECT customer_id, sum(amount) AS total FROM o GROUP BY 1;

CREATE OR REPLACE VIEW `dev_shop`.`sales`.`a_top` AS SELECT customer_id FROM `dev_shop`.`sales`.`m_by_customer` ORDER BY total DESC LIMIT 10;

CREATE OR REPLACE VIEW `dev_shop`.`sales`.`z_recent` TBLPROPERTIES ('k' = 'v') AS SELECT * FROM `dev_shop`.`sales`.`orders` WHERE id > 100;
