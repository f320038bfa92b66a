-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 8 statement(s) for 1 change(s) (2 breaking, 1 data-dependent)

-- rewrite step 1/4: the table with its new definition
CREATE OR REPLACE TABLE `dev_shop`.`sales`.`customers__sx_new_70fd1c88` (`id` BIGINT NOT NULL, `name` STRING, `email` STRING) USING DELTA PARTITIONED BY (`name`) COMMENT 'Customers';

-- data-dependent: rewrite step 2/4: copies every row; fails without changing anything if a value does not convert or violates NOT NULL / CHECK
INSERT INTO `dev_shop`.`sales`.`customers__sx_new_70fd1c88` (`id`, `name`, `email`) SELECT `id`, `name`, `email` FROM `dev_shop`.`sales`.`customers`;

-- rewrite: Unity Catalog names keys per schema, so the old table gives up its keys before the new one takes them; foreign keys of other tables that reference it go first and are added back after the swap
ALTER TABLE `dev_shop`.`sales`.`orders` DROP CONSTRAINT IF EXISTS `orders_customer_id_fk`;

ALTER TABLE `dev_shop`.`sales`.`customers` DROP CONSTRAINT IF EXISTS `customers_pk`;

-- breaking: rewrite step 3/4: the old table is kept as customers__sx_old_70fd1c88; drop it once the new one is verified
ALTER TABLE `dev_shop`.`sales`.`customers` RENAME TO `customers__sx_old_70fd1c88`;

-- breaking: rewrite step 4/4: the new table takes the name
ALTER TABLE `dev_shop`.`sales`.`customers__sx_new_70fd1c88` RENAME TO `customers`;

ALTER TABLE `dev_shop`.`sales`.`customers` ADD CONSTRAINT `customers_pk` PRIMARY KEY (`id`);

ALTER TABLE `dev_shop`.`sales`.`orders` ADD CONSTRAINT `orders_customer_id_fk` FOREIGN KEY (`customer_id`) REFERENCES `dev_shop`.`sales`.`customers` (`id`);
