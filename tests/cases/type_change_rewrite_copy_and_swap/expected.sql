-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 8 statement(s) for 2 change(s) (2 breaking, 1 data-dependent)

-- rewrite step 1/4: the table with its new definition; column defaults feature enabled
CREATE OR REPLACE TABLE `dev_shop`.`sales`.`orders__sx_new_1e1f350e` (`id` BIGINT NOT NULL COMMENT 'Order id', `customer_id` BIGINT, `status` INT, `qty` INT, `amount` DECIMAL(10,2), `note` STRING, `channel` STRING DEFAULT 'web') USING DELTA COMMENT 'Orders' TBLPROPERTIES ('delta.feature.allowColumnDefaults' = 'supported');

ALTER TABLE `dev_shop`.`sales`.`orders__sx_new_1e1f350e` ADD CONSTRAINT `qty_positive` CHECK (qty > 0);

-- data-dependent: rewrite step 2/4: copies every row; fails without changing anything if a value does not convert or violates NOT NULL / CHECK
INSERT INTO `dev_shop`.`sales`.`orders__sx_new_1e1f350e` (`id`, `customer_id`, `status`, `qty`, `amount`, `note`) SELECT `id`, `customer_id`, CAST(`status` AS INT), `qty`, `amount`, `note` FROM `dev_shop`.`sales`.`orders`;

-- rewrite: Unity Catalog names keys per schema, so the old table gives up its keys before the new one takes them
ALTER TABLE `dev_shop`.`sales`.`orders` DROP CONSTRAINT IF EXISTS `orders_customer_id_fk`;

-- breaking: rewrite step 3/4: the old table is kept as orders__sx_old_1e1f350e; drop it once the new one is verified
ALTER TABLE `dev_shop`.`sales`.`orders` RENAME TO `orders__sx_old_1e1f350e`;

-- breaking: rewrite step 4/4: the new table takes the name
ALTER TABLE `dev_shop`.`sales`.`orders__sx_new_1e1f350e` RENAME TO `orders`;

ALTER TABLE `dev_shop`.`sales`.`orders` SET TAGS ('domain' = 'sales');

ALTER TABLE `dev_shop`.`sales`.`orders` ADD CONSTRAINT `orders_customer_id_fk` FOREIGN KEY (`customer_id`) REFERENCES `dev_shop`.`sales`.`customers` (`id`);
