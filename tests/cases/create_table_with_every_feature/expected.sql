-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 9 statement(s) for 1 change(s) (2 breaking)

-- column defaults feature enabled
CREATE TABLE IF NOT EXISTS `dev_shop`.`sales`.`events` (`id` BIGINT NOT NULL COMMENT 'Event id', `region` STRING DEFAULT 'eu', `email` STRING COMMENT 'PII: it\'s \\private\\', `day` DATE NOT NULL) USING DELTA PARTITIONED BY (`day`) COMMENT 'Events\twith a tab' TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true', 'delta.feature.allowColumnDefaults' = 'supported', 'quality' = 'gold');

ALTER TABLE `dev_shop`.`sales`.`events` ADD CONSTRAINT `events_pk` PRIMARY KEY (`id`);

ALTER TABLE `dev_shop`.`sales`.`events` ADD CONSTRAINT `id_positive` CHECK (id > 0);

ALTER TABLE `dev_shop`.`sales`.`events` SET TAGS ('domain' = 'sales');

ALTER TABLE `dev_shop`.`sales`.`events` ALTER COLUMN `email` SET TAGS ('pii' = 'true');

-- breaking
ALTER TABLE `dev_shop`.`sales`.`events` SET ROW FILTER `dev_shop`.`sales`.`only_eu` ON (`region`);

-- breaking
ALTER TABLE `dev_shop`.`sales`.`events` ALTER COLUMN `email` SET MASK `dev_shop`.`sales`.`mask_email`;

GRANT SELECT ON TABLE `dev_shop`.`sales`.`events` TO `analysts`;

GRANT MODIFY, SELECT ON TABLE `dev_shop`.`sales`.`events` TO `etl@corp.com`;
