-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 9 statement(s) for 5 change(s)

CREATE CATALOG IF NOT EXISTS `dev_shop` COMMENT 'The shop';

CREATE SCHEMA IF NOT EXISTS `dev_shop`.`sales` COMMENT 'Sales data';

CREATE TABLE IF NOT EXISTS `dev_shop`.`sales`.`customers` (`id` BIGINT NOT NULL, `name` STRING, `email` STRING) USING DELTA COMMENT 'Customers';

ALTER TABLE `dev_shop`.`sales`.`customers` ADD CONSTRAINT `customers_pk` PRIMARY KEY (`id`);

CREATE TABLE IF NOT EXISTS `dev_shop`.`sales`.`orders` (`id` BIGINT NOT NULL COMMENT 'Order id', `customer_id` BIGINT, `status` STRING, `qty` INT, `amount` DECIMAL(10,2), `note` STRING) USING DELTA COMMENT 'Orders';

ALTER TABLE `dev_shop`.`sales`.`orders` ADD CONSTRAINT `qty_positive` CHECK (qty > 0);

ALTER TABLE `dev_shop`.`sales`.`orders` ADD CONSTRAINT `orders_customer_id_fk` FOREIGN KEY (`customer_id`) REFERENCES `dev_shop`.`sales`.`customers` (`id`);

CREATE OR REPLACE VIEW `dev_shop`.`sales`.`big_orders` AS SELECT * FROM `dev_shop`.`sales`.`orders` WHERE amount > 100;

GRANT SELECT ON TABLE `dev_shop`.`sales`.`orders` TO `analysts`;
