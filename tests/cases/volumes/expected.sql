-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 5 statement(s) for 4 change(s) (1 destructive, 1 breaking)

-- destructive: the volume's files are deleted
DROP VOLUME IF EXISTS `dev_shop`.`sales`.`old_files`;

-- breaking
ALTER VOLUME `dev_shop`.`sales`.`exports` RENAME TO `outbox`;

CREATE EXTERNAL VOLUME IF NOT EXISTS `dev_shop`.`sales`.`landing` LOCATION 's3://bucket/landing' COMMENT 'raw files';

COMMENT ON VOLUME `dev_shop`.`sales`.`outbox` IS 'outgoing';

GRANT READ VOLUME, WRITE VOLUME ON VOLUME `dev_shop`.`sales`.`landing` TO `ingest`;
