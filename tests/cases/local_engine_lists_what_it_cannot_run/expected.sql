-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> spark_catalog; schema prefix 'dev_'; engine: open-source Spark + Delta
-- 4 statement(s) for 4 change(s) (1 data-dependent)
-- UNSUPPORTED on open-source Spark + Delta: 4 statement(s); the plan cannot run as is
--   Spark's Hive metastore ignores COMMENT ON SCHEMA (the statement succeeds, the comment stays): set the comment when the schema is created: COMMENT ON SCHEMA `spark_catalog`.`dev_sales` IS 'new comment'
--   Delta cannot make an existing nullable column NOT NULL: ALTER TABLE `spark_catalog`.`dev_sales`.`orders` ALTER COLUMN `status` SET NOT NULL
--   tags are Unity Catalog only: ALTER TABLE `spark_catalog`.`dev_sales`.`orders` SET TAGS ('domain' = 'sales')
--   GRANT/REVOKE are Unity Catalog only: GRANT SELECT ON TABLE `spark_catalog`.`dev_sales`.`orders` TO `analysts`

COMMENT ON SCHEMA `spark_catalog`.`dev_sales` IS 'new comment';

-- data-dependent: fails if the column holds NULLs
ALTER TABLE `spark_catalog`.`dev_sales`.`orders` ALTER COLUMN `status` SET NOT NULL;

ALTER TABLE `spark_catalog`.`dev_sales`.`orders` SET TAGS ('domain' = 'sales');

GRANT SELECT ON TABLE `spark_catalog`.`dev_sales`.`orders` TO `analysts`;
