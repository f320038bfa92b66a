-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 8 statement(s) for 1 change(s) (2 breaking, 1 data-dependent)

-- rewrite step 1/4: the table with its new definition
CREATE OR REPLACE TABLE `dev_shop`.`sales`.`orders__sx_new_486bc9da` (`id` BIGINT NOT NULL COMMENT 'Order id', `customer_id` BIGINT, `status` STRING, `qty` INT, `amount` DECIMAL(10,2), `note` STRING) USING DELTA PARTITIONED BY (`status`) COMMENT 'Orders';

ALTER TABLE `dev_shop`.`sales`.`orders__sx_new_486bc9da` ADD CONSTRAINT `qty_positive` CHECK (qty > 0);

-- data-dependent: rewrite step 2/4: copies every row; fails without changing anything if a value does not convert or violates NOT NULL / CHECK
INSERT INTO `dev_shop`.`sales`.`orders__sx_new_486bc9da` (`id`, `customer_id`, `status`, `qty`, `amount`, `note`) SELECT `id`, `customer_id`, `status`, `qty`, `amount`, `note` FROM `dev_shop`.`sales`.`orders`;

-- rewrite: Unity Catalog names keys per schema, so the old table gives up its keys before the new one takes them
ALTER TABLE `dev_shop`.`sales`.`orders` DROP CONSTRAINT IF EXISTS `orders_customer_id_fk`;

-- breaking: rewrite step 3/4: the old table is kept as orders__sx_old_486bc9da; drop it once the new one is verified
ALTER TABLE `dev_shop`.`sales`.`orders` RENAME TO `orders__sx_old_486bc9da`;

-- breaking: rewrite step 4/4: the new table takes the name
ALTER TABLE `dev_shop`.`sales`.`orders__sx_new_486bc9da` RENAME TO `orders`;

ALTER TABLE `dev_shop`.`sales`.`orders` ADD CONSTRAINT `orders_customer_id_fk` FOREIGN KEY (`customer_id`) REFERENCES `dev_shop`.`sales`.`customers` (`id`);

GRANT SELECT ON TABLE `dev_shop`.`sales`.`orders` TO `analysts`;
