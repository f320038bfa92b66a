-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 3 statement(s) for 3 change(s) (2 destructive)

ALTER TABLE `dev_shop`.`sales`.`orders` DROP CONSTRAINT IF EXISTS `orders_customer_id_fk`;

-- destructive: a managed table's data goes with it; on Unity Catalog UNDROP TABLE brings it back within the recovery window (7 days by default) without its primary and foreign keys; RESTORE cannot
DROP TABLE IF EXISTS `dev_shop`.`sales`.`customers`;

-- destructive: the files at its location stay, out of the catalog; RESTORE cannot bring a dropped table back
DROP TABLE IF EXISTS `dev_shop`.`sales`.`raw`;
