-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 1 statement(s) for 1 change(s) (1 breaking)
-- UNSUPPORTED on Unity Catalog: 1 statement(s); the plan cannot run as is
--   Databricks SQL has no statement for this; do it in Catalog Explorer or the REST API: ALTER SCHEMA `dev_shop`.`sales` RENAME TO `dev_shop`.`commerce`

-- breaking
ALTER SCHEMA `dev_shop`.`sales` RENAME TO `dev_shop`.`commerce`;
