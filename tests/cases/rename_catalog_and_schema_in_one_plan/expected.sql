-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop, store -> dev_store; engine: Unity Catalog
-- 6 statement(s) for 6 change(s) (5 breaking)
-- UNSUPPORTED on Unity Catalog: 2 statement(s); the plan cannot run as is
--   Databricks SQL has no statement for this; do it in Catalog Explorer or the REST API: ALTER CATALOG `dev_shop` RENAME TO `dev_store`
--   Databricks SQL has no statement for this; do it in Catalog Explorer or the REST API: ALTER SCHEMA `dev_store`.`sales` RENAME TO `dev_store`.`commerce`

-- breaking
REVOKE MODIFY ON TABLE `dev_shop`.`sales`.`orders` FROM `analysts`;

-- breaking
ALTER CATALOG `dev_shop` RENAME TO `dev_store`;

-- breaking
ALTER SCHEMA `dev_store`.`sales` RENAME TO `dev_store`.`commerce`;

-- breaking
ALTER TABLE `dev_store`.`commerce`.`customers` RENAME TO `clients`;

-- breaking
ALTER VOLUME `dev_store`.`commerce`.`files` RENAME TO `inbox`;

ALTER TABLE `dev_store`.`commerce`.`orders` ADD COLUMNS (`channel` STRING);
