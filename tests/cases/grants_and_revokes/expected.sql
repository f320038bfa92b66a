-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 4 statement(s) for 4 change(s) (2 breaking)

-- breaking
REVOKE USE SCHEMA ON SCHEMA `dev_shop`.`sales` FROM `analysts`;

-- breaking
REVOKE MODIFY ON TABLE `dev_shop`.`sales`.`orders` FROM `analysts`;

GRANT USE CATALOG ON CATALOG `dev_shop` TO `analysts`;

GRANT SELECT ON TABLE `dev_shop`.`sales`.`orders` TO ```weird`` name`;
