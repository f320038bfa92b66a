-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 2 change(s) (2 destructive)

-- destructive
DROP VIEW IF EXISTS `dev_shop`.`sales`.`a_top`;

-- destructive
DROP VIEW IF EXISTS `dev_shop`.`sales`.`z_base`;
