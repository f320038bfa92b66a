-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 4 statement(s) for 4 change(s)

CREATE TABLE IF NOT EXISTS `dev_shop`.`sales`.`readings` (`sensor_id` BIGINT NOT NULL, `ts` TIMESTAMP NOT NULL, `v` DOUBLE) USING DELTA;

ALTER TABLE `dev_shop`.`sales`.`readings` ADD CONSTRAINT `readings_pk` PRIMARY KEY (`sensor_id`, `ts` TIMESERIES) NOT ENFORCED RELY;

ALTER TABLE `dev_shop`.`sales`.`orders` ADD COLUMNS (`reading_sensor` BIGINT, `reading_ts` TIMESTAMP);

ALTER TABLE `dev_shop`.`sales`.`orders` ADD CONSTRAINT `orders_reading_sensor_reading_ts_fk` FOREIGN KEY (`reading_sensor`, `reading_ts`) REFERENCES `dev_shop`.`sales`.`readings` (`sensor_id`, `ts`) RELY;
