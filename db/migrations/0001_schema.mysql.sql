-- The domain's zones, their records, the API's tokens and the audit log.
CREATE TABLE zones (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(255) NOT NULL UNIQUE,
    serial BIGINT NOT NULL,
    created_at VARCHAR(32) NOT NULL,
    updated_at VARCHAR(32) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE records (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    zone_id BIGINT NOT NULL,
    name VARCHAR(255) NOT NULL,
    type VARCHAR(16) NOT NULL,
    ttl BIGINT NOT NULL,
    content TEXT NOT NULL,
    INDEX records_by_zone_name_type (zone_id, name, type),
    CONSTRAINT records_zone FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE api_tokens (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL UNIQUE,
    token_sha256 CHAR(64) NOT NULL UNIQUE,
    created_at VARCHAR(32) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE audit_log (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    at VARCHAR(32) NOT NULL,
    actor VARCHAR(100) NOT NULL,
    action VARCHAR(32) NOT NULL,
    zone VARCHAR(255) NOT NULL,
    record_id BIGINT NULL,
    before_value TEXT NULL,
    after_value TEXT NULL,
    INDEX audit_by_zone (zone, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
