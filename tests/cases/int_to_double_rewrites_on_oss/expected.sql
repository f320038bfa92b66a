-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> spark_catalog; schema prefix 'dev_'; engine: open-source Spark + Delta
-- 6 statement(s) for 1 change(s) (2 breaking, 1 data-dependent)
-- UNSUPPORTED on open-source Spark + Delta: 1 statement(s); the plan cannot run as is
--   PRIMARY KEY / FOREIGN KEY constraints are Unity Catalog only: ALTER TABLE `spark_catalog`.`dev_sales`.`orders` ADD CONSTRAINT `orders_customer_id_fk` FOREIGN KEY (`customer_id`) REFE

-- rewrite step 1/4: the table with its new definition
CREATE OR REPLACE TABLE `spark_catalog`.`dev_sales`.`orders__sx_new_00744179` (`id` BIGINT NOT NULL COMMENT 'Order id', `customer_id` BIGINT, `status` STRING, `qty` DOUBLE, `amount` DECIMAL(10,2), `note` STRING) USING DELTA COMMENT 'Orders';

ALTER TABLE `spark_catalog`.`dev_sales`.`orders__sx_new_00744179` ADD CONSTRAINT `qty_positive` CHECK (qty > 0);

-- data-dependent: rewrite step 2/4: copies every row; fails without changing anything if a value does not convert or violates NOT NULL / CHECK
INSERT INTO `spark_catalog`.`dev_sales`.`orders__sx_new_00744179` (`id`, `customer_id`, `status`, `qty`, `amount`, `note`) SELECT `id`, `customer_id`, `status`, CAST(`qty` AS DOUBLE), `amount`, `note` FROM `spark_catalog`.`dev_sales`.`orders`;

-- breaking: rewrite step 3/4: the old table is kept as orders__sx_old_00744179; drop it once the new one is verified
ALTER TABLE `spark_catalog`.`dev_sales`.`orders` RENAME TO `orders__sx_old_00744179`;

-- breaking: rewrite step 4/4: the new table takes the name
ALTER TABLE `spark_catalog`.`dev_sales`.`orders__sx_new_00744179` RENAME TO `orders`;

ALTER TABLE `spark_catalog`.`dev_sales`.`orders` ADD CONSTRAINT `orders_customer_id_fk` FOREIGN KEY (`customer_id`) REFERENCES `spark_catalog`.`dev_sales`.`customers` (`id`);
