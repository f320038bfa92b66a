-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 2 statement(s) for 2 change(s) (1 destructive)

ALTER TABLE `dev_shop`.`sales`.`orders` DROP CONSTRAINT IF EXISTS `orders_customer_id_fk`;

-- destructive: the table's data is deleted; only a RESTORE of the version recorded before can bring it back
DROP TABLE IF EXISTS `dev_shop`.`sales`.`customers`;
