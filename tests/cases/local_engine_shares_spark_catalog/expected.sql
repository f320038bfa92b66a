-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> spark_catalog; schema prefix 'dev_'; engine: open-source Spark + Delta
-- 7 statement(s) for 5 change(s)
-- UNSUPPORTED on open-source Spark + Delta: 2 statement(s); the plan cannot run as is
--   PRIMARY KEY / FOREIGN KEY constraints are Unity Catalog only: ALTER TABLE `spark_catalog`.`dev_sales`.`customers` ADD CONSTRAINT `customers_pk` PRIMARY KEY (`id`)
--   PRIMARY KEY / FOREIGN KEY constraints are Unity Catalog only: ALTER TABLE `spark_catalog`.`dev_sales`.`orders` ADD CONSTRAINT `orders_customer_id_fk` FOREIGN KEY (`customer_id`) REFE
-- note: catalog shop maps to spark_catalog, which already exists: nothing to create (its comment, tags and grants are not applied)

CREATE SCHEMA IF NOT EXISTS `spark_catalog`.`dev_sales` COMMENT 'Sales data';

CREATE TABLE IF NOT EXISTS `spark_catalog`.`dev_sales`.`customers` (`id` BIGINT NOT NULL, `name` STRING, `email` STRING) USING DELTA COMMENT 'Customers';

ALTER TABLE `spark_catalog`.`dev_sales`.`customers` ADD CONSTRAINT `customers_pk` PRIMARY KEY (`id`);

CREATE TABLE IF NOT EXISTS `spark_catalog`.`dev_sales`.`orders` (`id` BIGINT NOT NULL COMMENT 'Order id', `customer_id` BIGINT, `status` STRING, `qty` INT, `amount` DECIMAL(10,2), `note` STRING) USING DELTA COMMENT 'Orders';

ALTER TABLE `spark_catalog`.`dev_sales`.`orders` ADD CONSTRAINT `qty_positive` CHECK (qty > 0);

ALTER TABLE `spark_catalog`.`dev_sales`.`orders` ADD CONSTRAINT `orders_customer_id_fk` FOREIGN KEY (`customer_id`) REFERENCES `spark_catalog`.`dev_sales`.`customers` (`id`);

CREATE OR REPLACE VIEW `spark_catalog`.`dev_sales`.`v` AS SELECT * FROM `spark_catalog`.`dev_sales`.`orders`;
