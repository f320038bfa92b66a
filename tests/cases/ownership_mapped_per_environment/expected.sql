-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; principals owners -> prod-owners, readers -> prod-readers; engine: Unity Catalog
-- 3 statement(s) for 3 change(s) (1 breaking)

GRANT SELECT ON TABLE `dev_shop`.`sales`.`orders` TO `prod-readers`;

-- breaking
ALTER TABLE `dev_shop`.`sales`.`customers` SET OWNER TO `stewards`;

ALTER TABLE `dev_shop`.`sales`.`orders` SET OWNER TO `prod-owners`;
