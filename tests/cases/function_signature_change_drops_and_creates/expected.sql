-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 7 statement(s) for 4 change(s) (1 breaking)

CREATE OR REPLACE FUNCTION `dev_shop`.`sales`.`label`(t string) RETURNS STRING RETURN lower(t);

-- breaking: Unity Catalog replaces a function only with the same parameter types: it is dropped and created again, and its grants given again right after
DROP FUNCTION IF EXISTS `dev_shop`.`sales`.`tax`;

CREATE OR REPLACE FUNCTION `dev_shop`.`sales`.`tax`(amount DECIMAL(10,2), rate DECIMAL(3,2)) RETURNS DECIMAL(10,2) COMMENT 'VAT' RETURN amount * rate;

GRANT EXECUTE ON FUNCTION `dev_shop`.`sales`.`tax` TO `analysts`;

CREATE OR REPLACE FUNCTION `dev_shop`.`sales`.`twice`(x INT) RETURNS BIGINT RETURN x * 2;

GRANT EXECUTE ON FUNCTION `dev_shop`.`sales`.`twice` TO `analysts`;

GRANT SELECT ON TABLE `dev_shop`.`sales`.`orders` TO `analysts`;
