-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 1 statement(s) for 1 change(s)

CREATE OR REPLACE VIEW `dev_shop`.`sales`.`trips` AS SELECT t.* FROM samples.nyctaxi.trips t JOIN `dev_shop`.`sales`.`orders` o ON o.id = t.id;
