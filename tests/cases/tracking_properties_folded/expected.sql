-- schemax plan: 1.0.0 -> 1.1.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 4 statement(s) for 3 change(s) (1 breaking)

-- breaking
ALTER TABLE `dev_shop`.`sales`.`customers` RENAME TO `clients`;

ALTER TABLE `dev_shop`.`sales`.`orders` SET TBLPROPERTIES ('quality' = 'gold', 'schemax.deployed_at' = '2025-01-02T03:04:05.000000Z', 'schemax.deployment' = 'dep_0001', 'schemax.environment' = 'dev', 'schemax.hash' = 'ba48b2fe11c011bee74bba7521ad40b66f5c2322c9cce10ac331498e9406305e', 'schemax.snapshot' = 'snap_0001', 'schemax.version' = '1.1.0');

CREATE TABLE IF NOT EXISTS `dev_shop`.`sales`.`returns` (`id` BIGINT, `order_id` BIGINT) USING DELTA TBLPROPERTIES ('schemax.deployed_at' = '2025-01-02T03:04:05.000000Z', 'schemax.deployment' = 'dep_0001', 'schemax.environment' = 'dev', 'schemax.hash' = '4d0e53bffb9cc3cd5d4c81278e79e8269470a9a8a62e622e370027b509a1ea39', 'schemax.snapshot' = 'snap_0001', 'schemax.version' = '1.1.0');

ALTER TABLE `dev_shop`.`sales`.`clients` SET TBLPROPERTIES ('schemax.deployed_at' = '2025-01-02T03:04:05.000000Z', 'schemax.deployment' = 'dep_0001', 'schemax.environment' = 'dev', 'schemax.hash' = 'd2e55556b5bfa9d9e4cb85d471b229a5e69be2756a6c49656e5383df7fcdce15', 'schemax.snapshot' = 'snap_0001', 'schemax.version' = '1.1.0');
