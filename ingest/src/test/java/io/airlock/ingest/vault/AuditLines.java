package io.airlock.ingest.vault;

import java.time.Instant;

/** Realistic Vault audit lines (shape of Vault 1.17 file device output, HMAC'd strings) with a chosen request id and time. */
final class AuditLines {

    private static final String HMAC = "hmac-sha256:2b3c1f0e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c";

    private AuditLines() {
    }

    static String request(String id, Instant time) {
        return "{\"time\":\"" + time + "\",\"type\":\"request\",\"auth\":{\"client_token\":\"" + HMAC + "\",\"accessor\":\"" + HMAC
                + "\",\"display_name\":\"approle-airflow\",\"policies\":[\"airflow\",\"default\"],\"token_policies\":[\"airflow\","
                + "\"default\"],\"entity_id\":\"5cb4e785-fe8a-5d82-b991-31e74980d2b8\",\"token_type\":\"service\"},\"request\":{\"id\":\""
                + id + "\",\"operation\":\"read\",\"mount_type\":\"kv\",\"client_token\":\"" + HMAC + "\",\"namespace\":{\"id\":\"root\"},"
                + "\"path\":\"airflow/data/connections/postgres_default\",\"remote_address\":\"10.0.0.7\",\"remote_port\":50326}}";
    }

    static String response(String id, Instant time) {
        return "{\"time\":\"" + time + "\",\"type\":\"response\",\"auth\":{\"client_token\":\"" + HMAC + "\",\"display_name\":"
                + "\"approle-airflow\",\"entity_id\":\"5cb4e785-fe8a-5d82-b991-31e74980d2b8\"},\"request\":{\"id\":\"" + id
                + "\",\"operation\":\"read\",\"path\":\"airflow/data/connections/postgres_default\"},\"response\":{\"mount_type\":\"kv\","
                + "\"data\":{\"data\":{\"conn_uri\":\"" + HMAC + "\"}}}}";
    }

    /**
     * {@code line} padded as a GET with {@code parameters} query parameters: Vault writes them as {@code request.data}, keys in
     * plain text, values HMAC'd, right after {@code request.path}.
     */
    static String padded(String line, int parameters) {
        var data = new StringBuilder(",\"data\":{");
        for (int i = 0; i < parameters; i++) {
            data.append(i == 0 ? "" : ",").append(String.format("\"p%05d\":\"%s\"", i, HMAC));
        }
        String path = "\"path\":\"airflow/data/connections/postgres_default\"";
        return line.replace(path, path + data.append('}'));
    }

    /** A request line whose id is {@code writer-n}, timed one millisecond per n after a fixed instant. */
    static String numbered(String writer, int n) {
        return request(writer + "-" + n, Instant.parse("2026-03-02T10:00:00Z").plusMillis(n));
    }
}
