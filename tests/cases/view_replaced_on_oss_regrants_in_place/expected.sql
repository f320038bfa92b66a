-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> spark_catalog; schema prefix 'dev_'; engine: open-source Spark + Delta
-- 4 statement(s) for 2 change(s)
-- UNSUPPORTED on open-source Spark + Delta: 2 statement(s); the plan cannot run as is
--   GRANT/REVOKE are Unity Catalog only: GRANT SELECT ON VIEW `spark_catalog`.`dev_sales`.`open_orders` TO `analysts`
--   tags are Unity Catalog only: ALTER VIEW `spark_catalog`.`dev_sales`.`open_orders` SET TAGS ('tier' = 'gold')

CREATE OR REPLACE VIEW `spark_catalog`.`dev_sales`.`open_orders` COMMENT 'Open' AS SELECT id, qty FROM `spark_catalog`.`dev_sales`.`orders` WHERE status = 'open';

GRANT SELECT ON VIEW `spark_catalog`.`dev_sales`.`open_orders` TO `analysts`;

ALTER VIEW `spark_catalog`.`dev_sales`.`open_orders` SET TAGS ('tier' = 'gold');

CREATE OR REPLACE VIEW `spark_catalog`.`dev_sales`.`z_last` AS SELECT id, qty FROM `spark_catalog`.`dev_sales`.`open_orders`;
