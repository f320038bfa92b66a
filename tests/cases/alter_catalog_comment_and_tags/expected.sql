-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 3 statement(s) for 1 change(s)

COMMENT ON CATALOG `dev_shop` IS 'new\nline';

ALTER CATALOG `dev_shop` SET TAGS ('a' = 'one');

ALTER CATALOG `dev_shop` UNSET TAGS ('b');
