-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 5 statement(s) for 5 change(s) (2 breaking)

-- breaking
REVOKE USE SCHEMA ON SCHEMA `dev_shop`.`sales` FROM `etl`;

-- breaking: ALL PRIVILEGES narrowed: revoked first, then the narrower list granted
REVOKE ALL PRIVILEGES ON TABLE `dev_shop`.`sales`.`customers` FROM `etl`;

GRANT SELECT ON TABLE `dev_shop`.`sales`.`customers` TO `etl`;

GRANT ALL PRIVILEGES ON TABLE `dev_shop`.`sales`.`orders` TO `analysts`;

-- replaced by ALL PRIVILEGES, granted just before
REVOKE MODIFY, SELECT ON TABLE `dev_shop`.`sales`.`orders` FROM `analysts`;
