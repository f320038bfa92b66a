-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 1 statement(s) for 1 change(s)

CREATE TABLE IF NOT EXISTS `dev_shop`.`sales`.`clicks` (`ts` TIMESTAMP, `user_id` BIGINT, `url` STRING) USING DELTA CLUSTER BY (`user_id`, `ts`) LOCATION 's3://bucket/clicks';
