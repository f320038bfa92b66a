-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 1 statement(s) for 3 change(s)

ALTER TABLE `dev_shop`.`sales`.`orders` ADD COLUMNS (`channel` STRING COMMENT 'web, app or \'store\'', `placed_at` TIMESTAMP, `tags` ARRAY<STRING>);
