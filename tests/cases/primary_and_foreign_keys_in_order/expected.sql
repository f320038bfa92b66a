-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 4 statement(s) for 2 change(s)

CREATE TABLE IF NOT EXISTS `dev_shop`.`sales`.`z_orders` (`id` BIGINT NOT NULL) USING DELTA;

ALTER TABLE `dev_shop`.`sales`.`z_orders` ADD CONSTRAINT `z_orders_pk` PRIMARY KEY (`id`);

CREATE TABLE IF NOT EXISTS `dev_shop`.`sales`.`a_lines` (`id` BIGINT NOT NULL, `z_order_id` BIGINT) USING DELTA;

ALTER TABLE `dev_shop`.`sales`.`a_lines` ADD CONSTRAINT `a_lines_z_order_id_fk` FOREIGN KEY (`z_order_id`) REFERENCES `dev_shop`.`sales`.`z_orders` (`id`);
