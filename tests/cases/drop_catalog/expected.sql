-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 4 statement(s) for 4 change(s) (4 destructive)

-- destructive: the table's data is deleted; only a RESTORE of the version recorded before can bring it back
DROP TABLE IF EXISTS `dev_shop`.`sales`.`orders`;

-- destructive: the table's data is deleted; only a RESTORE of the version recorded before can bring it back
DROP TABLE IF EXISTS `dev_shop`.`sales`.`customers`;

-- destructive
DROP SCHEMA IF EXISTS `dev_shop`.`sales`;

-- destructive: drops whatever else the catalog still holds
DROP CATALOG IF EXISTS `dev_shop` CASCADE;
