-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 1 change(s)
-- UNSUPPORTED on Unity Catalog: 1 statement(s); the plan cannot run as is
--   Unity Catalog's ALTER SCHEMA has no UNSET DBPROPERTIES (https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-schema.html): keep the property, or give it a new value: ALTER SCHEMA `dev_shop`.`sales` UNSET DBPROPERTIES ('tier')

ALTER SCHEMA `dev_shop`.`sales` SET DBPROPERTIES ('team' = 'retail');

ALTER SCHEMA `dev_shop`.`sales` UNSET DBPROPERTIES ('tier');
