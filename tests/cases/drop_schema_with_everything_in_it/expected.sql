-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 7 statement(s) for 7 change(s) (7 destructive)

-- destructive
DROP VIEW IF EXISTS `dev_shop`.`sales`.`v2`;

-- destructive
DROP VIEW IF EXISTS `dev_shop`.`sales`.`v1`;

-- destructive
DROP FUNCTION IF EXISTS `dev_shop`.`sales`.`f`;

-- destructive: the volume's files are deleted
DROP VOLUME IF EXISTS `dev_shop`.`sales`.`files`;

-- destructive: a managed table's data goes with it; on Unity Catalog UNDROP TABLE brings it back within the recovery window (7 days by default) without its primary and foreign keys; RESTORE cannot
DROP TABLE IF EXISTS `dev_shop`.`sales`.`orders`;

-- destructive: a managed table's data goes with it; on Unity Catalog UNDROP TABLE brings it back within the recovery window (7 days by default) without its primary and foreign keys; RESTORE cannot
DROP TABLE IF EXISTS `dev_shop`.`sales`.`customers`;

-- destructive
DROP SCHEMA IF EXISTS `dev_shop`.`sales`;
