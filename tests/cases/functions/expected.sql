-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 4 statement(s) for 4 change(s) (1 destructive)

-- destructive
DROP FUNCTION IF EXISTS `dev_shop`.`sales`.`old`;

CREATE OR REPLACE FUNCTION `dev_shop`.`sales`.`slug`(s STRING) RETURNS STRING LANGUAGE PYTHON AS $$
return s.lower().replace(' ', '-')
$$;

CREATE OR REPLACE FUNCTION `dev_shop`.`sales`.`tax`(amount DECIMAL(10,2)) RETURNS DECIMAL(10,2) COMMENT 'VAT' RETURN amount * 0.21;

CREATE OR REPLACE FUNCTION `dev_shop`.`sales`.`order_count`() RETURNS BIGINT RETURN SELECT count(*) FROM `dev_shop`.`sales`.`orders`;
