-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 4 statement(s) for 4 change(s) (4 destructive)

-- destructive: a managed table's data goes with it; on Unity Catalog UNDROP TABLE brings it back within the recovery window (7 days by default) without its primary and foreign keys; RESTORE cannot
DROP TABLE IF EXISTS `dev_shop`.`sales`.`orders`;

-- destructive: a managed table's data goes with it; on Unity Catalog UNDROP TABLE brings it back within the recovery window (7 days by default) without its primary and foreign keys; RESTORE cannot
DROP TABLE IF EXISTS `dev_shop`.`sales`.`customers`;

-- destructive
DROP SCHEMA IF EXISTS `dev_shop`.`sales`;

-- destructive: drops whatever else the catalog still holds
DROP CATALOG IF EXISTS `dev_shop` CASCADE;
