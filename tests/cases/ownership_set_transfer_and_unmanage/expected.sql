-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 10 statement(s) for 9 change(s)
-- UNSUPPORTED on Unity Catalog: 1 statement(s); the plan cannot run as is
--   a function's owner has no documented SQL statement (no ALTER FUNCTION … OWNER TO in the Databricks SQL reference); change it with the Functions API (functions.update(owner=…)) or in Catalog Explorer (https://databrickslabs.github.io/databricks-sdk-r/reference/update_function.html): ALTER FUNCTION `dev_shop`.`sales`.`n` SET OWNER TO `etl@example.com`

CREATE OR REPLACE FUNCTION `dev_shop`.`sales`.`n`() RETURNS INT RETURN 1;

CREATE OR REPLACE VIEW `dev_shop`.`sales`.`open_orders` AS SELECT * FROM `dev_shop`.`sales`.`orders` WHERE status = 'open';

CREATE VOLUME IF NOT EXISTS `dev_shop`.`sales`.`files`;

GRANT SELECT ON VIEW `dev_shop`.`sales`.`open_orders` TO `analysts`;

ALTER CATALOG `dev_shop` SET OWNER TO `platform-admins`;

ALTER SCHEMA `dev_shop`.`sales` SET OWNER TO `sales-owners`;

ALTER VOLUME `dev_shop`.`sales`.`files` SET OWNER TO `etl@example.com`;

ALTER FUNCTION `dev_shop`.`sales`.`n` SET OWNER TO `etl@example.com`;

ALTER VIEW `dev_shop`.`sales`.`open_orders` SET OWNER TO `analysts`;

ALTER TABLE `dev_shop`.`sales`.`orders` SET OWNER TO `etl@example.com`;
