-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: open-source Spark + Delta
-- 2 statement(s) for 2 change(s)
-- UNSUPPORTED on open-source Spark + Delta: 1 statement(s); the plan cannot run as is
--   catalog dev_shop does not exist and open-source Spark + Delta cannot create catalogs: CREATE CATALOG IF NOT EXISTS `dev_shop`

CREATE CATALOG IF NOT EXISTS `dev_shop`;

CREATE SCHEMA IF NOT EXISTS `dev_shop`.`sales`;
