-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 1 statement(s) for 1 change(s) (1 destructive)

-- destructive: a managed table's data goes with it; on Unity Catalog UNDROP TABLE brings it back within the recovery window (7 days by default) without its primary and foreign keys; RESTORE cannot
DROP TABLE IF EXISTS `dev_shop`.`sales`.`tmp`;
