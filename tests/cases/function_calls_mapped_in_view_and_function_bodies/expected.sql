-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 2 change(s)

CREATE OR REPLACE FUNCTION `dev_shop`.`sales`.`shout`(s STRING) RETURNS STRING RETURN upper(`dev_shop`.`sales`.`mask_email`(s)) || `dev_shop`.`sales`.`mask_email`(s) || builtin.abs(1);

CREATE OR REPLACE VIEW `dev_shop`.`sales`.`customer_contacts` AS SELECT id, `dev_shop`.`sales`.`mask_email`(email) AS email, upper(`dev_shop`.`sales`.`mask_email`(name)) AS name, samples.util.f(id) AS s FROM `dev_shop`.`sales`.`customers`;
