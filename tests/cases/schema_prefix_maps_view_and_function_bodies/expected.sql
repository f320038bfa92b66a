-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; schema prefix 'pr42_'; engine: Unity Catalog
-- 3 statement(s) for 3 change(s) (1 breaking)

-- breaking
ALTER TABLE `dev_shop`.`pr42_sales`.`orders` SET ROW FILTER `dev_shop`.`pr42_sales`.`only_open` ON (`status`);

CREATE OR REPLACE VIEW `dev_shop`.`pr42_sales`.`v` AS SELECT c.name, count(*) AS n FROM `dev_shop`.`pr42_sales`.`customers` c JOIN `dev_shop`.`pr42_sales`.`orders` o ON o.customer_id = c.id GROUP BY c.name;

CREATE OR REPLACE FUNCTION `dev_shop`.`pr42_sales`.`n`() RETURNS BIGINT RETURN SELECT count(*) FROM `dev_shop`.`pr42_sales`.`orders`;
