-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 1 statement(s) for 1 change(s) (1 destructive)

-- destructive: the table's data is deleted; only a RESTORE of the version recorded before can bring it back
DROP TABLE IF EXISTS `dev_shop`.`sales`.`tmp`;
