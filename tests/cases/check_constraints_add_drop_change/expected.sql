-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 3 statement(s) for 3 change(s) (2 data-dependent)

ALTER TABLE `dev_shop`.`sales`.`orders` DROP CONSTRAINT IF EXISTS `qty_positive`;

-- data-dependent: existing rows must satisfy the CHECK or the statement fails
ALTER TABLE `dev_shop`.`sales`.`orders` ADD CONSTRAINT `qty_positive` CHECK (qty >= 1);

-- data-dependent: existing rows must satisfy the CHECK or the statement fails
ALTER TABLE `dev_shop`.`sales`.`orders` ADD CONSTRAINT `status_known` CHECK (status IN ('new', 'paid'));
