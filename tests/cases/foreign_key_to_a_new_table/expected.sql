-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 4 statement(s) for 3 change(s)

CREATE TABLE IF NOT EXISTS `dev_shop`.`sales`.`channels` (`code` STRING NOT NULL) USING DELTA;

ALTER TABLE `dev_shop`.`sales`.`channels` ADD CONSTRAINT `channels_pk` PRIMARY KEY (`code`);

ALTER TABLE `dev_shop`.`sales`.`orders` ADD COLUMNS (`channel` STRING);

ALTER TABLE `dev_shop`.`sales`.`orders` ADD CONSTRAINT `orders_channel_fk` FOREIGN KEY (`channel`) REFERENCES `dev_shop`.`sales`.`channels` (`code`);
