-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 4 statement(s) for 1 change(s) (2 breaking, 1 data-dependent)
-- UNSUPPORTED on Unity Catalog: 1 statement(s); the plan cannot run as is
--   shop.sales.clicks is an EXTERNAL table at 's3://bucket/clicks': rewriting it (a partitioning change, or a type change that is not a widening) needs a copy of its data at a second, non-overlapping location (https://docs.databricks.com/data-governance/unity-catalog/paths.html), which schemax cannot choose for a path it does not own. Keep the table's partitioning and column types, or make the change outside schemax (copy the data to a new path, e.g. CREATE TABLE … LOCATION '<new path>' AS SELECT …, swap the names) and bring the design in line with it: CREATE OR REPLACE TABLE `dev_shop`.`sales`.`clicks__sx_new_826dafa5` (`ts` TIMESTAMP, `day` DATE, `url` STRING) USING DE

-- rewrite step 1/4: the table with its new definition
CREATE OR REPLACE TABLE `dev_shop`.`sales`.`clicks__sx_new_826dafa5` (`ts` TIMESTAMP, `day` DATE, `url` STRING) USING DELTA PARTITIONED BY (`day`) LOCATION 's3://bucket/clicks';

-- data-dependent: rewrite step 2/4: copies every row; fails without changing anything if a value does not convert or violates NOT NULL / CHECK
INSERT INTO `dev_shop`.`sales`.`clicks__sx_new_826dafa5` (`ts`, `day`, `url`) SELECT `ts`, `day`, `url` FROM `dev_shop`.`sales`.`clicks`;

-- breaking: rewrite step 3/4: the old table is kept as clicks__sx_old_826dafa5; drop it once the new one is verified
ALTER TABLE `dev_shop`.`sales`.`clicks` RENAME TO `clicks__sx_old_826dafa5`;

-- breaking: rewrite step 4/4: the new table takes the name
ALTER TABLE `dev_shop`.`sales`.`clicks__sx_new_826dafa5` RENAME TO `clicks`;
